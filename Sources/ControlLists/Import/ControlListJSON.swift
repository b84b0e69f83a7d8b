import ControlCodes
import LedgerCore

/// Our JSON list format, `minilateral-control-list/v1` (specs/control-list-format.md).
public enum ControlListJSON {
    public static let formatName = "minilateral-control-list/v1"

    static let topFields: Set<String> = [
        "format", "jurisdiction", "scheme", "instrument", "citation", "versionDate", "attribution", "datasetSHA256",
        "entries", "notes",
    ]
    static let entryFields: Set<String> = [
        "code", "heading", "text", "status", "source", "parameters", "notes", "seeAlso",
    ]

    /// Imports the JSON format. Every entry must cite its `source`.
    public static func read(bytes: [UInt8], path: String) throws(ControlListError) -> ControlList {
        let root = try ControlListImporter.parseJSON(bytes, path: path)
        guard case .object(let o) = root else { throw .malformed("\(path):1: a list is a JSON object") }
        for k in o.keys where !topFields.contains(k) {
            throw .malformed(
                "\(path):\(ControlListImporter.lines(of: "\"\(k)\"", in: bytes).first ?? 1): unknown field \"\(k)\"")
        }
        if let f = o["format"]?.stringValue, f != formatName {
            throw .unknownFormat("\(path):1: format \"\(f)\" is not \(formatName)")
        }
        var meta: [String: String] = [:]
        for k in ["jurisdiction", "scheme", "instrument", "citation", "versionDate", "attribution", "datasetSHA256"] {
            if let v = o[k] {
                guard let s = v.stringValue else { throw .malformed("\(path):1: \"\(k)\" must be a string") }
                meta[k] = s
            }
        }
        let header = try ListHeader(meta: meta, path: path)
        guard let items = o["entries"]?.arrayValue else { throw .missingField("\(path):1: no \"entries\" array") }
        let codeLines = ControlListImporter.lines(of: "\"code\"", in: bytes)
        var entries: [ControlEntry] = []
        entries.reserveCapacity(items.count)
        for (i, v) in items.enumerated() {
            let line = i < codeLines.count ? codeLines[i] : 1
            let at = "\(path):\(line)"
            do throws(ControlListError) {
                entries.append(try entry(v, index: i, scheme: header.scheme, line: line))
            } catch {
                throw error.prefixed("\(at): ")
            }
        }
        return try header.makeList(entries: entries, bytes: bytes, path: path)
    }

    static func entry(_ v: JSONValue, index i: Int, scheme: CodeScheme, line: Int) throws(ControlListError)
        -> ControlEntry
    {
        guard case .object(let e) = v else { throw .malformed("entries[\(i)] is not an object") }
        for k in e.keys where !entryFields.contains(k) { throw .malformed("entries[\(i)]: unknown field \"\(k)\"") }
        guard let codeText = e["code"]?.stringValue else { throw .missingField("entries[\(i)]: no \"code\"") }
        let code = try ItemCode(normalizing: codeText, scheme: scheme)
        guard let text = e["text"]?.stringValue else { throw .missingField("\(code): no \"text\"") }
        guard let source = e["source"]?.stringValue, !source.isEmpty else {
            throw .missingField("\(code): no \"source\"; every entry must cite its instrument")
        }
        var status = ControlEntry.status(ofText: text)
        if let s = e["status"] {
            guard let str = s.stringValue, let st = ControlEntry.Status(rawValue: str) else {
                throw .malformed("\(code): status must be one of active, not-used, reserved")
            }
            status = st
        }
        var notes: [ControlEntry.Note] = []
        for n in e["notes"]?.arrayValue ?? [] {
            guard let kindText = n["kind"]?.stringValue, let kind = ControlEntry.Note.Kind(rawValue: kindText),
                let t = n["text"]?.stringValue
            else { throw .malformed("\(code): a note is {\"kind\": note|technical-note|nb, \"text\": s}") }
            notes.append(.init(kind: kind, text: t))
        }
        var seeAlso: [String] = []
        for s in e["seeAlso"]?.arrayValue ?? [] {
            guard let t = s.stringValue else { throw .malformed("\(code): seeAlso holds strings") }
            seeAlso.append(t)
        }
        var params: [Parameter]
        if let ps = e["parameters"]?.arrayValue {
            params = []
            for p in ps { params.append(try parameter(p, code: code)) }
            if status == .active, let why = ParameterCheck.disagreement(params, text: text) {
                throw .malformed(
                    "\(code): \(why); fix the text or the parameters (or drop \"parameters\" to re-derive them)")
            }
        } else {
            params = status == .active ? ParameterExtractor.extract(from: text) : []
        }
        return ControlEntry(
            code: code, heading: e["heading"]?.stringValue ?? "", text: text, status: status, parameters: params,
            notes: notes,
            seeAlso: seeAlso, source: source, line: line)
    }

    static func parameter(_ p: JSONValue, code: ItemCode) throws(ControlListError) -> Parameter {
        guard let term = p["term"]?.stringValue, let cmp = p["comparator"]?.stringValue,
            let value = p["value"]?.stringValue
        else {
            throw .malformed("\(code): a parameter is {\"term\", \"comparator\", \"value\" (decimal string), \"unit\"}")
        }
        guard let c = Parameter.Comparator(symbol: cmp) else {
            throw .malformed("\(code): comparator \"\(cmp)\" is not one of < <= = >= > better-than")
        }
        guard Double(value) != nil else {
            throw .malformed("\(code): parameter value \"\(value)\" is not a decimal number")
        }
        let unit = p["unit"]?.stringValue ?? ""
        if !unit.isEmpty && Units.table[unit] == nil {
            throw .inconsistentUnit(
                "\(code): unknown unit \"\(unit)\" for \(term); see specs/control-list-format.md §Units")
        }
        return Parameter(term: term, comparator: c, value: value, unit: unit)
    }

    /// The list in our JSON format, pretty-printed with sorted keys.
    public static func encode(_ list: ControlList) -> String {
        var top: [String: JSONValue] = [
            "format": .string(formatName), "jurisdiction": .string(list.jurisdiction),
            "scheme": .string(list.scheme.rawValue),
            "instrument": .string(list.instrument), "citation": .string(list.citation),
            "versionDate": .string(list.versionDate),
        ]
        if let a = list.attribution { top["attribution"] = .string(a) }
        if !list.datasetSHA256.isEmpty { top["datasetSHA256"] = .string(list.datasetSHA256) }
        top["entries"] = .array(list.entries.map(entryJSON))
        return PrettyJSON.render(.object(top)) + "\n"
    }

    /// One entry in the JSON format.
    public static func entryJSON(_ e: ControlEntry) -> JSONValue {
        var o: [String: JSONValue] = [
            "code": .string(e.code.text), "text": .string(e.text), "status": .string(e.status.rawValue),
            "source": .string(e.source),
        ]
        if !e.heading.isEmpty { o["heading"] = .string(e.heading) }
        // An entry without parameters says so with [] when the reader would otherwise take
        // some from its text.
        if !e.parameters.isEmpty || (e.status == .active && !ParameterExtractor.extract(from: e.text).isEmpty) {
            o["parameters"] = .array(e.parameters.map(parameterJSON))
        }
        if !e.notes.isEmpty {
            o["notes"] = .array(e.notes.map { ["kind": .string($0.kind.rawValue), "text": .string($0.text)] })
        }
        if !e.seeAlso.isEmpty { o["seeAlso"] = .array(e.seeAlso.map { .string($0) }) }
        return .object(o)
    }

    /// A parameter as JSON: `{"term", "comparator", "value", "unit"}` plus `"unparsed"` when unsure.
    public static func parameterJSON(_ p: Parameter) -> JSONValue {
        var o: [String: JSONValue] = [
            "term": .string(p.term), "comparator": .string(p.comparator.rawValue), "value": .string(p.value),
            "unit": .string(p.unit),
        ]
        if let r = p.unparsedReason { o["unparsed"] = .string(r) }
        return .object(o)
    }
}

/// Pretty-printed JSON with sorted keys and two-space indents.
package enum PrettyJSON {
    package static func render(_ v: JSONValue, indent: String = "") -> String {
        switch v {
        case .array(let a):
            if a.isEmpty { return "[]" }
            if a.allSatisfy({ if case .string(let s) = $0 { return s.utf8.count < 40 } else { return false } })
                && a.count <= 8
            {
                return "[" + a.map { $0.canonicalString }.joined(separator: ", ") + "]"
            }
            let inner = indent + "  "
            return "[\n" + a.map { inner + render($0, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let o):
            if o.isEmpty { return "{}" }
            let inner = indent + "  "
            let keys = CanonicalJSON.sortedKeys(o.keys)
            return "{\n"
                + keys.map { inner + JSONValue.string($0).canonicalString + ": " + render(o[$0]!, indent: inner) }
                .joined(separator: ",\n")
                + "\n" + indent + "}"
        default:
            return v.canonicalString
        }
    }
}
