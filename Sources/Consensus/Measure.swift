import ControlCodes
import LedgerCore

/// A proposal's measure as the consensus rules read and write it.
extension Measure {
    /// The body fields that make up a measure.
    public static let fields: Set<String> = [
        "title", "measureType", "items", "parameters", "destinations", "rationale", "effectiveDate", "references",
        "charterAmendment",
    ]

    /// The comparators a proposal's parameters may use: `<`, `<=`, `=`, `>=`, `>`.
    public static let comparators: [Parameter.Comparator] = Parameter.Comparator.allCases.filter {
        $0 != .betterThan
    }

    /// Reads the measure fields of a `proposal` or `proposal.amend` body.
    ///
    /// Every item code must follow its scheme's grammar, ``ItemCode/init(_:scheme:)``: the one
    /// the control-list tools read, so every logged item takes part in conflict detection.
    public init(reading r: BodyReader) throws(LedgerError) {
        let title = try r.string("title")
        guard !title.isEmpty, title.utf8.count <= 300 else { throw r.fail("title", "must be 1–300 bytes") }
        let type = try r.string("measureType")
        guard let kind = Kind(rawValue: type) else {
            throw r.fail(
                "measureType", "\"\(type)\" is not one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var items: [ItemCode] = []
        for (i, v) in try r.array("items").enumerated() {
            items.append(try Measure.item(v, kind: "\(r.kind).items[\(i)]"))
        }
        guard !items.isEmpty || kind == .charterAmendment else { throw r.fail("items", "must name at least one item") }
        var parameters: [Parameter] = []
        for (i, v) in (try r.optionalArray("parameters") ?? []).enumerated() {
            parameters.append(try Measure.parameter(v, kind: "\(r.kind).parameters[\(i)]"))
        }
        let destinations = try r.stringArray("destinations")
        for d in destinations where !Codes.isDestination(d) {
            throw r.fail("destinations", "\"\(d)\" is not an ISO 3166-1 alpha-2 code, EU or group:<name>")
        }
        guard Set(destinations).count == destinations.count else {
            throw r.fail("destinations", "lists a destination twice")
        }
        let rationale = try r.string("rationale")
        guard !rationale.isEmpty else { throw r.fail("rationale", "must not be empty") }
        let effectiveDate = try r.string("effectiveDate")
        guard Codes.date(effectiveDate) != nil else {
            throw r.fail("effectiveDate", "\"\(effectiveDate)\" is not a date YYYY-MM-DD")
        }
        let references = try r.stringArray("references", optional: true)
        var charterAmendment: CharterAmendment?
        if let a = r.value("charterAmendment") {
            guard kind == .charterAmendment else {
                throw r.fail("charterAmendment", "is allowed only with measureType charter-amendment")
            }
            charterAmendment = try CharterAmendment(json: a, kind: r.kind)
        } else {
            guard kind != .charterAmendment else {
                throw r.fail("charterAmendment", "is required with measureType charter-amendment")
            }
        }
        self.init(
            title: title, kind: kind, items: items, parameters: parameters, destinations: destinations,
            rationale: rationale, effectiveDate: effectiveDate, references: references,
            charterAmendment: charterAmendment)
    }

    /// Reads one `items` element, `{"scheme": s, "code": c}`; `kind` names it in errors
    /// (`proposal.items[1]`).
    static func item(_ v: JSONValue, kind: String) throws(LedgerError) -> ItemCode {
        let ir = try BodyReader(v, kind: kind)
        try ir.only(["scheme", "code"])
        let name = try ir.string("scheme")
        guard let scheme = CodeScheme(rawValue: name), CodeScheme.proposalSchemes.contains(scheme) else {
            let names = CodeScheme.proposalSchemes.map(\.rawValue).joined(separator: ", ")
            throw ir.fail("scheme", "\"\(name)\" is not one of \(names)")
        }
        let code = try ir.string("code")
        do throws(ControlListError) {
            return try ItemCode(code, scheme: scheme)
        } catch {
            throw ir.fail("code", "\"\(code)\" is not a valid \(name) code: \(reason(error.message, code: code))")
        }
    }

    /// The grammar's reason without the code it quotes first: `"3B001.f1": segment "f1" mixes
    /// letters and digits` → `segment "f1" mixes letters and digits`.
    static func reason(_ message: String, code: String) -> String {
        var rest = Substring(message)
        if rest.hasPrefix("\"\(code)\"") { rest = rest.dropFirst(code.count + 2) }
        if rest.hasPrefix(": ") { return String(rest.dropFirst(2)) }
        if let colon = rest.firstRange(of: ": ") { return String(rest[colon.upperBound...]) }
        return rest.drop(while: { $0 == " " }).description
    }

    /// Reads one `parameters` element, `{"term", "comparator", "value", "unit"}`.
    static func parameter(_ v: JSONValue, kind: String) throws(LedgerError) -> Parameter {
        let pr = try BodyReader(v, kind: kind)
        try pr.only(["term", "comparator", "value", "unit"])
        let term = try pr.string("term")
        guard !term.isEmpty else { throw pr.fail("term", "must not be empty") }
        let symbol = try pr.string("comparator")
        guard let comparator = Parameter.Comparator(rawValue: symbol), Measure.comparators.contains(comparator) else {
            throw pr.fail("comparator", "\"\(symbol)\" is not one of < <= = >= >")
        }
        let value = try pr.string("value")
        guard Codes.isDecimal(value) else { throw pr.fail("value", "\"\(value)\" is not a decimal number") }
        let unit = try pr.string("unit")
        return Parameter(term: term, comparator: comparator, value: value, unit: unit)
    }

    /// The measure fields, to merge into a `proposal` or `proposal.amend` body.
    public var jsonFields: [String: JSONValue] {
        var o: [String: JSONValue] = [
            "title": .string(title), "measureType": .string(kind.rawValue),
            "items": .array(items.map { ["scheme": .string($0.scheme.rawValue), "code": .string($0.text)] }),
            "destinations": .array(destinations.map { .string($0) }), "rationale": .string(rationale),
            "effectiveDate": .string(effectiveDate),
        ]
        if !parameters.isEmpty {
            o["parameters"] = .array(
                parameters.map {
                    [
                        "term": .string($0.term), "comparator": .string($0.comparator.rawValue),
                        "value": .string($0.value), "unit": .string($0.unit),
                    ]
                })
        }
        if !references.isEmpty { o["references"] = .array(references.map { .string($0) }) }
        if let charterAmendment { o["charterAmendment"] = charterAmendment.json }
        return o
    }
}
