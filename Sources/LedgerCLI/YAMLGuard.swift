import CYaml
import LedgerCore

/// Checks a YAML proposal file event by event, before Yams builds any node
/// (specs/consensus.md §Proposal file): the text is at most ``maxBytes``, nesting is at most
/// ``maxDepth`` (counted before anything deeper is built), and there are no anchors, aliases,
/// tags, directives or second documents. libyaml's event parser keeps explicit stacks, so a
/// hostile file cannot exhaust the call stack here; once the file passes, composing it is
/// bounded by its size.
enum YAMLGuard {
    /// The largest proposal or revision file, in bytes (YAML or JSON).
    static let maxBytes = 262_144
    /// The deepest nesting of sequences and mappings (the document's root is depth 1), as for
    /// JSON (specs/ledger-format.md §2).
    static let maxDepth = 16

    /// The column (from 1) of the first tab in the leading whitespace of line `line` (from 1)
    /// of `text`, or of the first tab after a `key:` on it: where libyaml fails on a tab, the tab
    /// is the cause even when its message says "found character that cannot start any token".
    static func tabColumn(in text: String, line: Int) -> Int? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return nil }
        let l = lines[line - 1]
        guard let tab = l.firstIndex(of: "\t") else { return nil }
        let before = l[..<tab]
        guard before.allSatisfy({ $0 == " " || $0 == "-" }) || before.hasSuffix(":") || before.hasSuffix(": ")
        else { return nil }
        return l.distance(from: l.startIndex, to: tab) + 1
    }

    static func check(_ text: String, path: String) throws(LedgerError) {
        var bytes = Array(text.utf8)
        guard bytes.count <= maxBytes else {
            throw .malformed("\(path): \(bytes.count) bytes, over the \(maxBytes)-byte limit for a proposal file")
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw .malformed("\(path): cannot start the YAML parser") }
        defer { yaml_parser_delete(&parser) }
        try bytes.withUnsafeMutableBufferPointer { (buf) throws(LedgerError) in
            yaml_parser_set_input_string(&parser, buf.baseAddress, buf.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            var depth = 0
            var documents = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let line = parser.problem_mark.line + 1
                    if let column = tabColumn(in: text, line: line) {
                        throw .malformed(
                            "\(path):\(line): a tab character at column \(column); YAML indents with spaces only: "
                                + "replace the tab with spaces")
                    }
                    let why = parser.problem.map { String(cString: $0) } ?? "syntax error"
                    throw .malformed("\(path): not valid YAML: line \(line): \(why)")
                }
                defer { yaml_event_delete(&event) }
                let line = event.start_mark.line + 1
                func refuse(_ what: String) -> LedgerError {
                    .malformed("\(path):\(line): \(what) are not allowed in a proposal file")
                }
                switch event.type {
                case YAML_STREAM_END_EVENT: return
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    guard documents == 1 else { throw .malformed("\(path):\(line): more than one YAML document") }
                    let d = event.data.document_start
                    guard d.version_directive == nil, d.tag_directives.start == d.tag_directives.end else {
                        throw refuse("YAML directives (%YAML, %TAG)")
                    }
                case YAML_ALIAS_EVENT: throw refuse("YAML aliases (*name)")
                case YAML_SCALAR_EVENT:
                    guard event.data.scalar.anchor == nil else { throw refuse("YAML anchors (&name)") }
                    guard event.data.scalar.tag == nil else { throw refuse("YAML tags (!tag)") }
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let (anchor, tag) =
                        event.type == YAML_SEQUENCE_START_EVENT
                        ? (event.data.sequence_start.anchor, event.data.sequence_start.tag)
                        : (event.data.mapping_start.anchor, event.data.mapping_start.tag)
                    guard anchor == nil else { throw refuse("YAML anchors (&name)") }
                    guard tag == nil else { throw refuse("YAML tags (!tag)") }
                    depth += 1
                    guard depth <= maxDepth else {
                        throw .malformed("\(path):\(line): nesting deeper than \(maxDepth)")
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT: depth -= 1
                default: break
                }
            }
        }
    }
}
