import ControlCodes
import Foundation

/// Reads code-prefixed paragraph text, the form official lists are printed in: every line
/// starts with its paragraph code.
///
/// ```
/// 3B001 Equipment for the manufacturing of semiconductor devices or materials, as follows …:
/// 3B001 N.B. SEE ALSO 2B226
/// 3B001.a Equipment designed for epitaxial growth as follows:
/// 3B001.a.1 Equipment designed or modified to produce a layer …;
/// 3B001.a.1 Note: 3B001.a.1. includes Atomic Layer Epitaxy (ALE) equipment.
/// ```
///
/// A line whose text starts with `Note`, `Notes`, `Technical Note(s)` or `N.B.` attaches to
/// the paragraph its code names. A further line with the same code as the line before
/// continues that paragraph or note. "Not used" and "Reserved" paragraphs are kept with
/// their status.
public enum ParagraphTextParser {
    /// One input line: its text and where it is, for error messages.
    public struct Line: Sendable {
        public var text: String
        /// `file:line` of this line.
        public var location: String
        public init(text: String, location: String) {
            self.text = text
            self.location = location
        }
    }

    /// The entries the lines describe, in input order, with parameters extracted.
    ///
    /// - Parameter source: the citation to record on each entry, given its code.
    /// - Throws: ``ControlListError`` naming the line's `file:line`.
    public static func parse(
        _ lines: [Line], scheme: CodeScheme, lineNumber: (Int) -> Int? = { _ in nil }, source: (ItemCode) -> String
    ) throws(ControlListError) -> [ControlEntry] {
        var entries: [ControlEntry] = []
        var index: [ItemCode: Int] = [:]
        var lastCode: ItemCode?
        var lastNote: (entry: Int, note: Int)?
        for (n, line) in lines.enumerated() {
            let t = line.text.trimmingSpaces()
            if t.isEmpty { continue }
            let (codeText, rest) = splitCode(t)
            let code: ItemCode
            do {
                code = try ItemCode(normalizing: codeText, scheme: scheme)
            } catch {
                throw error.prefixed("\(line.location): ")
            }
            if let kind = noteKind(rest) {
                guard let e = index[code] else {
                    throw .malformed("\(line.location): \(kind.rawValue) for \(code), which has no paragraph before it")
                }
                entries[e].notes.append(ControlEntry.Note(kind: kind, text: rest))
                if kind == .nb { addSeeAlso(rest, to: &entries[e]) }
                lastNote = (e, entries[e].notes.count - 1)
                lastCode = code
                continue
            }
            if code == lastCode, let e = index[code] {
                // A continuation line.
                if let ln = lastNote, ln.entry == e {
                    entries[e].notes[ln.note].text += "\n" + rest
                    if entries[e].notes[ln.note].kind == .nb { addSeeAlso(rest, to: &entries[e]) }
                } else {
                    entries[e].text += "\n" + rest
                }
                continue
            }
            if let first = index[code] {
                let at = entries[first].line.map { " (first at line \($0))" } ?? ""
                throw .duplicateCode("\(line.location): paragraph \(code) appears again\(at)")
            }
            guard !rest.isEmpty else { throw .malformed("\(line.location): paragraph \(code) has no text") }
            index[code] = entries.count
            entries.append(
                ControlEntry(
                    code: code, heading: code.isStem ? headingOf(rest) : "", text: rest,
                    status: ControlEntry.status(ofText: rest),
                    source: source(code), line: lineNumber(n)))
            lastCode = code
            lastNote = nil
        }
        for i in entries.indices where entries[i].status == .active {
            entries[i].parameters = ParameterExtractor.extract(from: entries[i].text)
        }
        return entries
    }

    /// The lead-in of a stem's text: up to "as follows" or the final colon.
    static func headingOf(_ text: String) -> String {
        var t = text
        if let r = t.range(of: ", as follows") ?? t.range(of: " as follows") { t = String(t[..<r.lowerBound]) }
        while t.hasSuffix(":") || t.hasSuffix(";") || t.hasSuffix(".") || t.hasSuffix(",") { t.removeLast() }
        return t
    }

    static func splitCode(_ t: String) -> (String, String) {
        guard let sp = t.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return (t, "") }
        return (String(t[..<sp]), String(t[t.index(after: sp)...]).trimmingSpaces())
    }

    /// The kind of note a line's text opens, or nil for paragraph text.
    public static func noteKind(_ rest: String) -> ControlEntry.Note.Kind? {
        if rest.hasPrefix("N.B.") || rest.hasPrefix("N.B ") { return .nb }
        if rest.hasPrefix("Technical Note") { return .technicalNote }
        if rest.hasPrefix("Note") {
            let after = rest.dropFirst(4)
            if after.hasPrefix("s") {
                return after.dropFirst().first.map({ $0 == ":" || $0 == " " }) ?? true ? .note : nil
            }
            guard let c = after.first else { return .note }
            if c == ":" || c == " " { return .note }
        }
        return nil
    }

    static func addSeeAlso(_ text: String, to e: inout ControlEntry) {
        for c in ControlEntry.referencedCodes(in: text) where !e.seeAlso.contains(c) { e.seeAlso.append(c) }
    }
}
