import ControlCodes
import LedgerCore

/// A forum's charter: who takes part, how it decides, and how long parties have to take
/// positions. It is the body of a `forum.charter` entry.
public struct ForumCharter: Sendable, Hashable {
    /// A short identifier, for example `G7` or `CPTPP`.
    public var id: String
    public var name: String
    /// Parties, as ISO 3166-1 alpha-2 codes plus `EU`. Only parties propose and take positions.
    public var parties: [String] { didSet { partySet = Set(parties) } }
    /// ``parties`` as a set, for membership checks on every position.
    private(set) var partySet: Set<String>
    /// Parties that take part without being enumerated members (the EU in the G7). They are
    /// parties for every rule; the list only records their status.
    public var nonEnumerated: [String]
    /// Observers: may register delegations and comment, never take positions.
    public var observers: [String]
    /// Candidates for accession: like observers until a charter amendment admits them.
    public var candidates: [String]
    public var rule: DecisionRule
    /// Days from a revision's log time to its deadline, unless the proposal names one.
    public var defaultDeadlineDays: Int
    /// Where the membership and the decision rule come from.
    public var sources: [String]

    public init(
        id: String, name: String, parties: [String], nonEnumerated: [String] = [], observers: [String] = [],
        candidates: [String] = [], rule: DecisionRule, defaultDeadlineDays: Int, sources: [String]
    ) {
        self.id = id
        self.name = name
        self.parties = parties
        self.partySet = Set(parties)
        self.nonEnumerated = nonEnumerated
        self.observers = observers
        self.candidates = candidates
        self.rule = rule
        self.defaultDeadlineDays = defaultDeadlineDays
        self.sources = sources
    }

    /// The deepest nesting of arrays and objects in a charter's `rule` (the rule value itself
    /// is level 1): the rule sits at level 4 of its leaf, and leaves nest at most 16 deep.
    public static let maxRuleJSONDepth = 13

    /// Levels of arrays and objects in `v` (0 for a scalar).
    static func jsonDepth(_ v: JSONValue) -> Int {
        switch v {
        case .array(let a): return 1 + (a.map(jsonDepth).max() ?? 0)
        case .object(let o): return 1 + (o.values.map(jsonDepth).max() ?? 0)
        default: return 0
        }
    }

    /// The longest default deadline, in days.
    public static let maxDeadlineDays = 3_650

    /// Reads and validates a `forum.charter` body.
    public init(json: JSONValue) throws(LedgerError) {
        let kind = "forum.charter"
        let r = try BodyReader(json, kind: kind)
        try r.only([
            "id", "name", "parties", "nonEnumerated", "observers", "candidates", "rule", "defaultDeadlineDays",
            "sources",
        ])
        let id = try r.string("id")
        guard Codes.isIdentifier(id), id.utf8.count <= 32 else {
            throw r.fail("id", "must be 1–32 characters of A–Z, a–z, 0–9, '.', '_', '-'")
        }
        let name = try r.string("name")
        guard !name.isEmpty else { throw r.fail("name", "must not be empty") }
        let parties = try ForumCharter.partyList(r, "parties", optional: false)
        guard !parties.isEmpty else { throw r.fail("parties", "must list at least one party") }
        let nonEnumerated = try ForumCharter.partyList(r, "nonEnumerated", optional: true)
        let observers = try ForumCharter.partyList(r, "observers", optional: true)
        let candidates = try ForumCharter.partyList(r, "candidates", optional: true)
        for p in nonEnumerated where !parties.contains(p) {
            throw r.fail("nonEnumerated", "\(p) must also be listed in parties")
        }
        let members = Set(parties)
        for p in observers + candidates where members.contains(p) {
            throw r.fail(observers.contains(p) ? "observers" : "candidates", "\(p) is already a party")
        }
        if let p = observers.first(where: { candidates.contains($0) }) {
            throw r.fail("candidates", "\(p) is already an observer")
        }
        guard let ruleValue = r.value("rule") else { throw r.fail("rule", "is required") }
        // The rule is at JSON depth 4 of its leaf (entry, statement, body, rule), and a leaf
        // nests at most 16 deep: deeper rules could be signed but never verified.
        let depth = ForumCharter.jsonDepth(ruleValue)
        guard depth <= ForumCharter.maxRuleJSONDepth else {
            throw r.fail(
                "rule",
                "nests \(depth) levels of arrays and objects; at most \(ForumCharter.maxRuleJSONDepth) fit in an entry "
                    + "(16 levels: entry, statement, body, rule)"
            )
        }
        let rule = try DecisionRule(json: ruleValue, field: "\(kind).rule")
        for p in rule.namedParties.sorted() where !members.contains(p) {
            throw r.fail("rule", "names \(p), which is not a party")
        }
        let k = rule.largestThresholdOverAllParties
        guard k <= parties.count else {
            throw r.fail(
                "rule",
                "a threshold of \(k) over all parties needs at least \(k) parties; the charter has \(parties.count)")
        }
        let days = try r.integer("defaultDeadlineDays")
        guard days >= 1, days <= Int64(ForumCharter.maxDeadlineDays) else {
            throw r.fail("defaultDeadlineDays", "must be between 1 and \(ForumCharter.maxDeadlineDays)")
        }
        let sources = try r.stringArray("sources")
        guard !sources.isEmpty, sources.allSatisfy({ !$0.isEmpty }) else {
            throw r.fail("sources", "must cite at least one source")
        }
        self.init(
            id: id, name: name, parties: parties, nonEnumerated: nonEnumerated, observers: observers,
            candidates: candidates,
            rule: rule, defaultDeadlineDays: Int(days), sources: sources)
    }

    static func partyList(_ r: BodyReader, _ field: String, optional: Bool) throws(LedgerError) -> [String] {
        let list = try r.stringArray(field, optional: optional)
        for p in list where !Codes.isParty(p) {
            throw r.fail(field, "\"\(p)\" is not an ISO 3166-1 alpha-2 code or EU")
        }
        guard Set(list).count == list.count else { throw r.fail(field, "lists a party twice") }
        return list
    }

    /// The body of a `forum.charter` entry.
    public var json: JSONValue {
        func list(_ a: [String]) -> JSONValue { .array(a.map { .string($0) }) }
        var o: [String: JSONValue] = [
            "id": .string(id), "name": .string(name), "parties": list(parties), "rule": rule.json,
            "defaultDeadlineDays": .integer(Int64(defaultDeadlineDays)), "sources": list(sources),
        ]
        if !nonEnumerated.isEmpty { o["nonEnumerated"] = list(nonEnumerated) }
        if !observers.isEmpty { o["observers"] = list(observers) }
        if !candidates.isEmpty { o["candidates"] = list(candidates) }
        return .object(o)
    }

    /// How `party` takes part, if at all.
    public func role(of party: String) -> Participation? {
        if partySet.contains(party) { return .party }
        if candidates.contains(party) { return .candidate }
        if observers.contains(party) { return .observer }
        return nil
    }

    /// How a country or the EU takes part in a forum.
    public enum Participation: String, Sendable, Hashable {
        case party, observer, candidate
    }

    /// Applies an adopted charter amendment: acceding parties join (leaving the candidate and
    /// observer lists), withdrawing parties leave.
    mutating func apply(_ amendment: CharterAmendment) {
        for p in amendment.accede where !parties.contains(p) { parties.append(p) }
        candidates.removeAll { amendment.accede.contains($0) }
        observers.removeAll { amendment.accede.contains($0) }
        parties.removeAll { amendment.withdraw.contains($0) }
        nonEnumerated.removeAll { amendment.withdraw.contains($0) }
    }
}

extension CharterAmendment {
    /// Reads the `charterAmendment` object of a `proposal` or `proposal.amend` body.
    init(json: JSONValue, kind: String) throws(LedgerError) {
        let r = try BodyReader(json, kind: kind + ".charterAmendment")
        try r.only(["accede", "withdraw"])
        let accede = try ForumCharter.partyList(r, "accede", optional: true)
        let withdraw = try ForumCharter.partyList(r, "withdraw", optional: true)
        guard !accede.isEmpty || !withdraw.isEmpty else {
            throw r.fail("accede", "an amendment must admit or remove a party")
        }
        if let p = accede.first(where: { withdraw.contains($0) }) {
            throw r.fail("withdraw", "\(p) cannot both accede and withdraw")
        }
        self.init(accede: accede, withdraw: withdraw)
    }

    var json: JSONValue {
        var o: [String: JSONValue] = [:]
        if !accede.isEmpty { o["accede"] = .array(accede.map { .string($0) }) }
        if !withdraw.isEmpty { o["withdraw"] = .array(withdraw.map { .string($0) }) }
        return .object(o)
    }
}
