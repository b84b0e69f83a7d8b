import LedgerCore

/// The text of one revision of a proposal: the control measure itself.
public struct Measure: Sendable, Hashable {
    /// The measure types a proposal may carry.
    public enum MeasureType: String, Sendable, Hashable, CaseIterable {
        case licenceRequirement = "licence-requirement"
        case prohibition
        case endUseControl = "end-use-control"
        case technologyTransferRestriction = "technology-transfer-restriction"
        case investmentScreening = "investment-screening"
        case licenceException = "licence-exception"
        case tradeFacilitation = "trade-facilitation"
        case informationSharing = "information-sharing"
        case supplyChainCommitment = "supply-chain-commitment"
        /// Accession or withdrawal of parties; needs ``Measure/charterAmendment``.
        case charterAmendment = "charter-amendment"
    }

    /// One controlled item: a code in a numbering scheme.
    public struct Item: Sendable, Hashable {
        /// `wassenaar`, `eu`, `us-eccn`, `jp` or `hs`.
        public var scheme: String
        public var code: String
        public init(scheme: String, code: String) {
            self.scheme = scheme
            self.code = code
        }
    }

    /// A technical parameter: `term comparator value unit`, for example
    /// `wavelength < 193 nm`.
    public struct Parameter: Sendable, Hashable {
        public var term: String
        /// `<`, `<=`, `=`, `>=` or `>`.
        public var comparator: String
        /// A decimal number written as text (JSON carries integers only).
        public var value: String
        public var unit: String
        public init(term: String, comparator: String, value: String, unit: String) {
            self.term = term
            self.comparator = comparator
            self.value = value
            self.unit = unit
        }
    }

    public static let comparators: Set<String> = ["<", "<=", "=", ">=", ">"]

    public var title: String
    public var measureType: MeasureType
    public var items: [Item]
    public var parameters: [Parameter]
    /// Party codes or named groups (`group:<name>`).
    public var destinations: [String]
    public var rationale: String
    /// `YYYY-MM-DD`.
    public var effectiveDate: String
    public var references: [String]
    /// Present exactly when ``measureType`` is `charter-amendment`.
    public var charterAmendment: CharterAmendment?

    /// The body fields that make up a measure.
    public static let fields: Set<String> = [
        "title", "measureType", "items", "parameters", "destinations", "rationale", "effectiveDate", "references",
        "charterAmendment",
    ]

    /// Reads the measure fields of a `proposal` or `proposal.amend` body.
    public init(reading r: BodyReader) throws(LedgerError) {
        title = try r.string("title")
        guard !title.isEmpty, title.utf8.count <= 300 else { throw r.fail("title", "must be 1–300 bytes") }
        let type = try r.string("measureType")
        guard let mt = MeasureType(rawValue: type) else {
            throw r.fail(
                "measureType",
                "\"\(type)\" is not one of \(MeasureType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        measureType = mt
        items = []
        for (i, v) in try r.array("items").enumerated() {
            let ir = try BodyReader(v, kind: "\(r.kind).items[\(i)]")
            try ir.only(["scheme", "code"])
            let scheme = try ir.string("scheme")
            guard Codes.schemes.contains(scheme) else {
                throw ir.fail("scheme", "\"\(scheme)\" is not one of \(Codes.schemes.joined(separator: ", "))")
            }
            let code = try ir.string("code")
            guard Codes.isItemCode(code, scheme: scheme) else {
                throw ir.fail("code", "\"\(code)\" is not a valid \(scheme) code")
            }
            items.append(Item(scheme: scheme, code: code))
        }
        guard !items.isEmpty || mt == .charterAmendment else { throw r.fail("items", "must name at least one item") }
        parameters = []
        for (i, v) in (try r.optionalArray("parameters") ?? []).enumerated() {
            let pr = try BodyReader(v, kind: "\(r.kind).parameters[\(i)]")
            try pr.only(["term", "comparator", "value", "unit"])
            let term = try pr.string("term")
            guard !term.isEmpty else { throw pr.fail("term", "must not be empty") }
            let cmp = try pr.string("comparator")
            guard Measure.comparators.contains(cmp) else {
                throw pr.fail("comparator", "\"\(cmp)\" is not one of < <= = >= >")
            }
            let value = try pr.string("value")
            guard Codes.isDecimal(value) else { throw pr.fail("value", "\"\(value)\" is not a decimal number") }
            let unit = try pr.string("unit")
            parameters.append(Parameter(term: term, comparator: cmp, value: value, unit: unit))
        }
        destinations = try r.stringArray("destinations")
        for d in destinations where !Codes.isDestination(d) {
            throw r.fail("destinations", "\"\(d)\" is not an ISO 3166-1 alpha-2 code, EU or group:<name>")
        }
        guard Set(destinations).count == destinations.count else {
            throw r.fail("destinations", "lists a destination twice")
        }
        rationale = try r.string("rationale")
        guard !rationale.isEmpty else { throw r.fail("rationale", "must not be empty") }
        effectiveDate = try r.string("effectiveDate")
        guard Codes.date(effectiveDate) != nil else {
            throw r.fail("effectiveDate", "\"\(effectiveDate)\" is not a date YYYY-MM-DD")
        }
        references = try r.stringArray("references", optional: true)
        if let a = r.value("charterAmendment") {
            guard mt == .charterAmendment else {
                throw r.fail("charterAmendment", "is allowed only with measureType charter-amendment")
            }
            charterAmendment = try CharterAmendment(json: a, kind: r.kind)
        } else {
            guard mt != .charterAmendment else {
                throw r.fail("charterAmendment", "is required with measureType charter-amendment")
            }
            charterAmendment = nil
        }
    }

    /// The measure fields, to merge into a `proposal` or `proposal.amend` body.
    public var jsonFields: [String: JSONValue] {
        var o: [String: JSONValue] = [
            "title": .string(title), "measureType": .string(measureType.rawValue),
            "items": .array(items.map { ["scheme": .string($0.scheme), "code": .string($0.code)] }),
            "destinations": .array(destinations.map { .string($0) }), "rationale": .string(rationale),
            "effectiveDate": .string(effectiveDate),
        ]
        if !parameters.isEmpty {
            o["parameters"] = .array(
                parameters.map {
                    [
                        "term": .string($0.term), "comparator": .string($0.comparator), "value": .string($0.value),
                        "unit": .string($0.unit),
                    ]
                })
        }
        if !references.isEmpty { o["references"] = .array(references.map { .string($0) }) }
        if let charterAmendment { o["charterAmendment"] = charterAmendment.json }
        return o
    }
}
