import Consensus
import Foundation
import LedgerCore
import Yams

/// A proposal or revision file as the CLI reads it (specs/consensus.md §Proposal file): JSON,
/// or YAML when the name ends in `.yaml`/`.yml` or the text does not start with `{`, with the
/// line of each field so that an error about a field names the file and the line.
struct ProposalDocument {
    /// The file, as given.
    let path: String
    /// The document, an object, with parameter values as decimal strings and `deadline` in UTC.
    var value: JSONValue
    /// The line (from 1) of each field by its path (`measureType`, `items[0].code`), where known.
    let lines: [String: Int]

    /// Reads and checks the file at `path`.
    static func read(_ path: String) throws -> ProposalDocument {
        let text = try FileKind.readText(path, expecting: [.proposal, .otherJSON, .otherText], noun: "a proposal file")
        guard text.utf8.count <= YAMLGuard.maxBytes else {
            throw LedgerError.malformed(
                "\(path): \(text.utf8.count) bytes, over the \(YAMLGuard.maxBytes)-byte limit for a proposal file")
        }
        let trimmed = text.drop(while: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
        let isYAML = path.hasSuffix(".yaml") || path.hasSuffix(".yml") || !trimmed.hasPrefix("{")
        var value: JSONValue
        var lines: [String: Int] = [:]
        if isYAML {
            try YAMLGuard.check(text, path: path)
            let node: Node?
            do { node = try Yams.compose(yaml: text) } catch {
                throw LedgerError.malformed(
                    "\(path): not valid YAML: \(String(describing: error).split(separator: "\n").first ?? "")")
            }
            guard let node else { throw LedgerError.malformed("\(path): empty document") }
            value = try jsonValue(node, path: path, at: "", lines: &lines)
        } else {
            value = try parseUserJSON(text, what: path)
            if case .object(let o) = value { lines = jsonKeyLines(text, keys: o.keys) }
        }
        guard case .object(var o) = value else { throw LedgerError.malformed("\(path): must be an object (mapping)") }
        // Parameter values are decimal strings; accept integers written without quotes.
        if let params = o["parameters"]?.arrayValue {
            o["parameters"] = .array(
                params.map { p in
                    guard case .object(var po) = p, case .integer(let i)? = po["value"] else { return p }
                    po["value"] = .string(String(i))
                    return .object(po)
                })
        }
        // A deadline is a time as people write it (specs/cli.md, "Times"); the body carries UTC.
        if case .string(let d)? = o["deadline"] {
            let whereText = path + (lines["deadline"].map { ":\($0)" } ?? "") + ": deadline"
            o["deadline"] = .string(try UserTime.parse(d, what: whereText).rfc3339)
        }
        value = .object(o)
        return ProposalDocument(path: path, value: value, lines: lines)
    }

    /// Replaces a `forum` given as a name (`g7`) with the chartered id it means (`G7`), by the
    /// rule of specs/consensus.md §Forum names.
    mutating func resolveForum(in state: NegotiationRules) throws {
        guard case .object(var o) = value, case .string(let name)? = o["forum"] else { return }
        let whereText = path + (lines["forum"].map { ":\($0)" } ?? "") + ": forum"
        o["forum"] = .string(try NameLookup.forum(name, in: state, flag: whereText))
        value = .object(o)
    }

    /// The line of `field`, or of the top-level field it is inside (`items` for `items[0].code`).
    func line(of field: String) -> Int? {
        if let l = lines[field] { return l }
        let top = field.prefix { $0 != "." && $0 != "[" }
        return lines[String(top)]
    }

    /// `e` with the file and line of the field it is about: an error of the rules about
    /// `kind.field` (`proposal.destinations: …`) or an unknown field, which also gets the
    /// nearest known field name (`measure_type` → `measureType`). A missing field gets the file
    /// alone; errors about fields filled in from elsewhere (the forum and party from the
    /// delegation, `--deadline`) are returned unchanged.
    func located(_ e: LedgerError, kind: String, fields: Set<String>) -> LedgerError {
        let m = e.message
        let unknownPrefix = "\(kind): unknown field \""
        if m.hasPrefix(unknownPrefix) {
            let field = String(m.dropFirst(unknownPrefix.count).prefix { $0 != "\"" })
            let hint = Suggestions.didYouMean(field, among: fields.sorted())
            return LedgerError(code: e.code, message: "\(position(of: field)): \(m)\(hint)")
        }
        guard m.hasPrefix(kind + "."), let colon = m.firstIndex(of: ":") else { return e }
        let field = String(m[m.index(m.startIndex, offsetBy: kind.count + 1)..<colon])
        // Fields filled in from elsewhere (the delegation, the command line) are not the file's.
        guard line(of: field) != nil || !["forum", "party", "proposal", "deadline"].contains(field) else { return e }
        return e.prefixed(position(of: field) + ": ")
    }

    /// `path:line` for `field`, or `path` when its line is unknown.
    private func position(of field: String) -> String {
        line(of: field).map { "\(path):\($0)" } ?? path
    }

    /// Converts a YAML node to JSON: integers, booleans and null by their YAML tags; floats
    /// and timestamps keep their text (the ledger carries decimals and dates as strings).
    /// Records the line of every mapping key in `lines`, by its path.
    static func jsonValue(_ node: Node, path: String, at field: String, lines: inout [String: Int]) throws -> JSONValue
    {
        switch node {
        case .scalar(let s):
            switch node.tag.description {
            case Tag.Name.int.rawValue: return Int64(s.string).map { .integer($0) } ?? .string(s.string)
            case Tag.Name.bool.rawValue: return .bool(node.bool ?? false)
            case Tag.Name.null.rawValue: return .null
            default: return .string(s.string)
            }
        case .sequence(let seq):
            var out = [JSONValue]()
            for (i, n) in seq.enumerated() {
                let item = "\(field)[\(i)]"
                if let l = n.mark?.line { lines[item] = l }
                out.append(try jsonValue(n, path: path, at: item, lines: &lines))
            }
            return .array(out)
        case .mapping(let m):
            var o = JSONObject()  // keys compared as bytes
            for (k, v) in m {
                let line = k.mark.map { ":\($0.line)" } ?? ""
                guard let key = k.string else {
                    throw LedgerError.malformed("\(path)\(line): \(field): keys must be strings")
                }
                let sub = field.isEmpty ? key : "\(field).\(key)"
                guard o[key] == nil else { throw LedgerError.malformed("\(path)\(line): \(sub): duplicate key") }
                if let l = k.mark?.line { lines[sub] = l }
                o[key] = try jsonValue(v, path: path, at: sub, lines: &lines)
            }
            return .object(o)
        }
    }

    /// The line of the first `"key":` in `text` for each of `keys` (top-level keys of a JSON
    /// object usually come first; a nested key of the same name earlier would be found instead,
    /// which only moves the line a message names).
    static func jsonKeyLines(_ text: String, keys: some Sequence<String>) -> [String: Int] {
        let textLines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String: Int] = [:]
        for key in keys {
            let quoted = "\"" + key + "\""
            for (i, l) in textLines.enumerated() {
                guard let r = l.range(of: quoted) else { continue }
                if l[r.upperBound...].drop(while: { $0 == " " || $0 == "\t" }).first == ":" {
                    out[key] = i + 1
                    break
                }
            }
        }
        return out
    }
}
