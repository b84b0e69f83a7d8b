import ControlCodes
import LedgerCore

/// Our CSV list format (RFC 4180): `# key: value` header lines, then a header row
/// `code,status,heading,text,source,notes,seeAlso,parameters` and one row per entry.
///
/// - `notes`: one note per line inside the field, each `note: …`, `technical-note: …` or `nb: …`.
/// - `seeAlso`: codes separated by spaces.
/// - `parameters`: `term|comparator|value|unit` items separated by `;`; when the column is
///   empty, parameters are extracted from `text`.
public enum ControlListCSV {
    public static let columns = ["code", "status", "heading", "text", "source", "notes", "seeAlso", "parameters"]

    public static func read(bytes: [UInt8], path: String) throws(ControlListError) -> ControlList {
        var meta: [String: String] = [:]
        let records = try parseRecords(bytes, path: path, meta: &meta)
        let header = try ListHeader(meta: meta, path: path)
        guard let first = records.first else { throw .missingField("\(path): no header row") }
        guard first.fields.first == "code" else {
            throw .malformed(
                "\(path):\(first.line): the header row must start with \"code\"; expected "
                    + "\(columns.joined(separator: ","))"
            )
        }
        var col: [String: Int] = [:]
        for (i, name) in first.fields.enumerated() {
            guard columns.contains(name) else { throw .malformed("\(path):\(first.line): unknown column \"\(name)\"") }
            col[name] = i
        }
        for need in ["code", "text", "source"] where col[need] == nil {
            throw .missingField("\(path):\(first.line): column \"\(need)\" is missing")
        }
        var entries: [ControlEntry] = []
        for r in records.dropFirst() {
            let at = "\(path):\(r.line): "
            guard r.fields.count == first.fields.count else {
                throw .malformed("\(at)\(r.fields.count) fields; the header has \(first.fields.count)")
            }
            func f(_ n: String) -> String { col[n].map { r.fields[$0] } ?? "" }
            do throws(ControlListError) {
                let code = try ItemCode(normalizing: f("code"), scheme: header.scheme)
                let text = f("text")
                guard !f("source").isEmpty else {
                    throw .missingField("\(code): no source; every entry must cite its instrument")
                }
                var status = ControlEntry.status(ofText: text)
                if !f("status").isEmpty {
                    guard let s = ControlEntry.Status(rawValue: f("status")) else {
                        throw .malformed("\(code): status must be one of active, not-used, reserved")
                    }
                    status = s
                }
                var notes: [ControlEntry.Note] = []
                for l in f("notes").split(separator: "\n") where !l.isEmpty {
                    guard let c = l.firstIndex(of: ":"), let kind = ControlEntry.Note.Kind(rawValue: String(l[..<c]))
                    else {
                        throw .malformed("\(code): a note line starts with note:, technical-note: or nb:")
                    }
                    notes.append(.init(kind: kind, text: String(l[l.index(after: c)...]).trimmingSpaces()))
                }
                var params: [Parameter] = []
                if f("parameters").isEmpty {
                    if status == .active { params = ParameterExtractor.extract(from: text) }
                } else {
                    for item in f("parameters").split(separator: ";") {
                        // The last three fields are comparator, value and unit; a term may hold `|`.
                        let parts = item.split(separator: "|", omittingEmptySubsequences: false)
                        guard parts.count >= 4 else {
                            throw .malformed("\(code): a parameter is term|comparator|value|unit")
                        }
                        let last = parts.suffix(3).map { String($0).trimmingSpaces() }
                        let term = parts.dropLast(3).joined(separator: "|").trimmingSpaces()
                        params.append(
                            try ControlListJSON.parameter(
                                [
                                    "term": .string(term), "comparator": .string(last[0]), "value": .string(last[1]),
                                    "unit": .string(last[2]),
                                ], code: code))
                    }
                    if status == .active, let why = ParameterCheck.disagreement(params, text: text) {
                        throw .malformed(
                            "\(code): \(why); fix the text or the parameters (or empty the parameters column to "
                                + "re-derive them)"
                        )
                    }
                }
                entries.append(
                    ControlEntry(
                        code: code, heading: f("heading"), text: text, status: status, parameters: params, notes: notes,
                        seeAlso: f("seeAlso").split(separator: " ").map(String.init), source: f("source"), line: r.line)
                )
            } catch {
                throw error.prefixed(at)
            }
        }
        return try header.makeList(entries: entries, bytes: bytes, path: path)
    }

    struct Record {
        var fields: [String]
        var line: Int
    }

    /// RFC 4180 records with the line each starts on; `#` lines before the header row are metadata.
    static func parseRecords(_ bytes: [UInt8], path: String, meta: inout [String: String]) throws(ControlListError)
        -> [Record]
    {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var i = 0
        var quoted = false
        var atFieldStart = true
        var lineStart = true
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        while i < bytes.count {
            let c = bytes[i]
            if lineStart && records.isEmpty && fields.isEmpty && c == 0x23 {
                // A metadata or comment line.
                var j = i
                while j < bytes.count && bytes[j] != 0x0a { j += 1 }
                let l = String(decoding: bytes[(i + 1)..<j], as: UTF8.self)
                if let colon = l.firstIndex(of: ":") {
                    meta[String(l[..<colon]).trimmingSpaces()] = String(l[l.index(after: colon)...]).trimmingSpaces()
                }
                i = j + 1
                line += 1
                recordLine = line
                continue
            }
            lineStart = false
            if quoted {
                if c == 0x22 {
                    if i + 1 < bytes.count && bytes[i + 1] == 0x22 {
                        field.append(0x22)
                        i += 2
                        continue
                    }
                    quoted = false
                } else {
                    if c == 0x0a { line += 1 }
                    field.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case 0x22:
                guard atFieldStart else { throw .malformed("\(path):\(line): a quote inside an unquoted field") }
                quoted = true
                atFieldStart = false
            case 0x2c:
                endField()
                atFieldStart = true
            case 0x0d:
                break
            case 0x0a:
                endField()
                if !(fields.count == 1 && fields[0].isEmpty) {
                    records.append(Record(fields: fields, line: recordLine))
                }
                fields.removeAll()
                atFieldStart = true
                line += 1
                recordLine = line
                lineStart = true
            default:
                field.append(c)
                atFieldStart = false
            }
            i += 1
        }
        if quoted { throw .malformed("\(path):\(recordLine): unterminated quoted field") }
        if !field.isEmpty || !fields.isEmpty {
            endField()
            records.append(Record(fields: fields, line: recordLine))
        }
        return records
    }

    /// The list in our CSV format.
    public static func encode(_ list: ControlList) -> String {
        var s =
            "# format: minilateral-control-list/v1\n# jurisdiction: \(list.jurisdiction)\n# scheme: "
            + "\(list.scheme.rawValue)\n"
        // A header value is one line: a line break would end it and start the rows early.
        s += "# instrument: \(list.instrument.replacingNewlines())\n# citation: \(list.citation.replacingNewlines())\n"
        s += "# versionDate: \(list.versionDate)\n"
        if let a = list.attribution { s += "# attribution: \(a.replacingNewlines())\n" }
        if !list.datasetSHA256.isEmpty { s += "# datasetSHA256: \(list.datasetSHA256)\n" }
        s += columns.joined(separator: ",") + "\n"
        for e in list.entries {
            let notes = e.notes.map { "\($0.kind.rawValue): \($0.text.replacingNewlines())" }.joined(separator: "\n")
            // Parameters that the reader extracts from the text anyway are left out: the text is
            // their source, and a term taken from it may hold `;`, which no cell can carry.
            let derived = e.status == .active ? ParameterExtractor.extract(from: e.text) : []
            let params =
                e.parameters == derived
                ? ""
                : e.parameters.map { "\($0.term)|\($0.comparator.rawValue)|\($0.value)|\($0.unit)" }.joined(
                    separator: ";")
            s +=
                [
                    e.code.text, e.status.rawValue, e.heading, e.text, e.source, notes,
                    e.seeAlso.joined(separator: " "), params,
                ]
                .map(csvField).joined(separator: ",") + "\n"
        }
        return s
    }

    /// One field, quoted when it holds a comma, quote or line break.
    ///
    /// It looks at bytes, not Characters: a comma or quote followed by a combining mark, or
    /// `\r\n`, is one Character that equals none of them.
    public static func csvField(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return s }
        var out: [UInt8] = [0x22]
        out.reserveCapacity(s.utf8.count + 8)
        for b in s.utf8 {
            out.append(b)
            if b == 0x22 { out.append(0x22) }
        }
        out.append(0x22)
        return String(decoding: out, as: UTF8.self)
    }
}

extension String {
    /// Line feeds and carriage returns as spaces (by scalar: `\r\n` is one Character).
    func replacingNewlines() -> String {
        var out = String.UnicodeScalarView()
        for c in unicodeScalars { out.append(c == "\n" || c == "\r" ? " " : c) }
        return String(out)
    }
}
