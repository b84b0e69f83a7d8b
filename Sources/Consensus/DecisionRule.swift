import LedgerCore

/// How a forum decides, as data in its charter. Rules compose with ``all(_:)`` and ``any(_:)``,
/// in the manner of Hyperledger Fabric's endorsement policies.
///
/// JSON forms: `"consensus"`, `"consensus-silence"`, `"unanimity"`,
/// `{"threshold": {"k": 2, "of": ["US", "JP"]}}` (an empty or absent `of` means every party),
/// `{"all": [rule, …]}` and `{"any": [rule, …]}`.
public indirect enum DecisionRule: Sendable, Hashable, CustomStringConvertible {
    /// No party objects and every party has a non-pending position (anything but `reserve`).
    case consensus
    /// No party objects by the deadline (a silence procedure).
    case consensusSilence
    /// Every party supports.
    case unanimity
    /// At least `k` of `parties` support (all forum parties when `parties` is empty).
    case threshold(k: Int, parties: [String])
    /// Every sub-rule is satisfied.
    case all([DecisionRule])
    /// At least one sub-rule is satisfied.
    case any([DecisionRule])

    /// Deepest nesting accepted in a charter.
    public static let maxDepth = 8

    /// Reads a rule from its JSON form; `field` names it in errors.
    public init(json: JSONValue, field: String, depth: Int = 1) throws(LedgerError) {
        guard depth <= DecisionRule.maxDepth else { throw .invalidBody("\(field): rule is nested too deeply") }
        switch json {
        case .string("consensus"): self = .consensus
        case .string("consensus-silence"): self = .consensusSilence
        case .string("unanimity"): self = .unanimity
        case .object(let o) where o.count == 1:
            let (key, value) = o.first!
            switch key {
            case "threshold":
                let r = try BodyReader(value, kind: field + ".threshold")
                try r.only(["k", "of"])
                let k = try r.integer("k")
                let of = try r.stringArray("of", optional: true)
                guard Set(of).count == of.count else { throw r.fail("of", "lists a party twice") }
                for p in of where !Codes.isParty(p) {
                    throw r.fail("of", "\"\(p)\" is not an ISO 3166-1 alpha-2 code or EU")
                }
                guard k >= 1, of.isEmpty || k <= of.count else {
                    throw r.fail("k", "must be between 1 and the number of parties")
                }
                self = .threshold(k: Int(k), parties: of)
            case "all", "any":
                guard let items = value.arrayValue, !items.isEmpty else {
                    throw .invalidBody("\(field).\(key): must be a non-empty array of rules")
                }
                var rules = [DecisionRule]()
                for (i, item) in items.enumerated() {
                    rules.append(try DecisionRule(json: item, field: "\(field).\(key)[\(i)]", depth: depth + 1))
                }
                self = key == "all" ? .all(rules) : .any(rules)
            default:
                throw .invalidBody("\(field): unknown rule \"\(key)\"")
            }
        default:
            throw .invalidBody(
                "\(field): must be \"consensus\", \"consensus-silence\", \"unanimity\" or an object {threshold|all|any}"
            )
        }
    }

    /// The JSON form.
    public var json: JSONValue {
        switch self {
        case .consensus: return "consensus"
        case .consensusSilence: return "consensus-silence"
        case .unanimity: return "unanimity"
        case .threshold(let k, let parties):
            return ["threshold": ["k": .integer(Int64(k)), "of": .array(parties.map { .string($0) })]]
        case .all(let rules): return ["all": .array(rules.map(\.json))]
        case .any(let rules): return ["any": .array(rules.map(\.json))]
        }
    }

    public var description: String {
        switch self {
        case .consensus: return "consensus"
        case .consensusSilence: return "consensus-silence"
        case .unanimity: return "unanimity"
        case .threshold(let k, let parties):
            return "\(k)-of-" + (parties.isEmpty ? "all" : "{\(parties.joined(separator: ","))}")
        case .all(let rules): return "all(" + rules.map(\.description).joined(separator: ", ") + ")"
        case .any(let rules): return "any(" + rules.map(\.description).joined(separator: ", ") + ")"
        }
    }

    /// Every party the rule names explicitly.
    public var namedParties: Set<String> {
        switch self {
        case .consensus, .consensusSilence, .unanimity: return []
        case .threshold(_, let parties): return Set(parties)
        case .all(let rules), .any(let rules): return rules.reduce(into: Set()) { $0.formUnion($1.namedParties) }
        }
    }

    /// The largest `k` of a threshold over all parties (an empty or absent `of`), or 0: a
    /// charter must have at least that many parties, or nothing could ever be adopted.
    public var largestThresholdOverAllParties: Int {
        switch self {
        case .consensus, .consensusSilence, .unanimity: return 0
        case .threshold(let k, let parties): return parties.isEmpty ? k : 0
        case .all(let rules), .any(let rules): return rules.map(\.largestThresholdOverAllParties).max() ?? 0
        }
    }

    /// Whether the rule contains a silence procedure.
    public var hasSilenceProcedure: Bool {
        switch self {
        case .consensusSilence: return true
        case .consensus, .unanimity, .threshold: return false
        case .all(let rules), .any(let rules): return rules.contains { $0.hasSilenceProcedure }
        }
    }

    /// The outcome of a rule on a ballot at one instant.
    public enum Outcome: String, Sendable, Hashable {
        /// The rule is met: the proposal is adopted.
        case satisfied
        /// Not met yet, but it can still be met without anyone lifting an objection.
        case pending
        /// Objections stop the rule from being met until they are lifted.
        case blocked
    }

    /// Evaluates the rule.
    ///
    /// - Parameters:
    ///   - stances: each party's current stance on the revision (parties that have not spoken are absent).
    ///   - parties: the forum's parties, who alone count.
    ///   - now: the instant asked about (an entry's log time, or the "as of" time).
    ///   - deadline: the revision's deadline; a silence procedure is met when `now >= deadline`.
    public func evaluate(stances: [String: Stance], parties: [String], now: Timestamp, deadline: Timestamp) -> Outcome {
        evaluate(ballot: Ballot(stances: stances, parties: parties), now: now, deadline: deadline)
    }

    /// Evaluates the rule on a ballot whose counts are kept up to date incrementally.
    public func evaluate(ballot: Ballot, now: Timestamp, deadline: Timestamp) -> Outcome {
        switch self {
        case .consensus:
            if ballot.objecting > 0 { return .blocked }
            return ballot.settled == ballot.partyCount ? .satisfied : .pending
        case .consensusSilence:
            if ballot.objecting > 0 { return .blocked }
            return now >= deadline ? .satisfied : .pending
        case .unanimity:
            if ballot.objecting > 0 { return .blocked }
            return ballot.supporting == ballot.partyCount ? .satisfied : .pending
        case .threshold(let k, let named):
            let (size, supporting, objecting): (Int, Int, Int)
            if named.isEmpty {
                (size, supporting, objecting) = (ballot.partyCount, ballot.supporting, ballot.objecting)
            } else {
                size = named.count
                supporting = named.count(where: { ballot.stance($0) == .support })
                objecting = named.count(where: { ballot.stance($0) == .object })
            }
            if supporting >= k { return .satisfied }
            return size - objecting < k ? .blocked : .pending
        case .all(let rules):
            var allSatisfied = true
            for r in rules {
                switch r.evaluate(ballot: ballot, now: now, deadline: deadline) {
                case .blocked: return .blocked
                case .pending: allSatisfied = false
                case .satisfied: break
                }
            }
            return allSatisfied ? .satisfied : .pending
        case .any(let rules):
            var allBlocked = true
            for r in rules {
                switch r.evaluate(ballot: ballot, now: now, deadline: deadline) {
                case .satisfied: return .satisfied
                case .pending: allBlocked = false
                case .blocked: break
                }
            }
            return allBlocked ? .blocked : .pending
        }
    }
}

/// The positions on one revision, as rules see them: each party's stance, and running
/// counts over the forum's parties.
public struct Ballot {
    enum Source {
        case lookup((String) -> Stance?)
        case positions([String: Proposal.Position])
    }

    let source: Source
    /// How many parties the forum has.
    public let partyCount: Int
    /// Parties that object.
    public let objecting: Int
    /// Parties with a position that is not pending (anything but `reserve`).
    public let settled: Int
    /// Parties that support.
    public let supporting: Int

    public init(stance: @escaping (String) -> Stance?, partyCount: Int, objecting: Int, settled: Int, supporting: Int) {
        self.init(
            source: .lookup(stance), partyCount: partyCount, objecting: objecting, settled: settled,
            supporting: supporting)
    }

    init(source: Source, partyCount: Int, objecting: Int, settled: Int, supporting: Int) {
        self.source = source
        self.partyCount = partyCount
        self.objecting = objecting
        self.settled = settled
        self.supporting = supporting
    }

    /// The stance of a party, or nil if it has not spoken.
    public func stance(_ party: String) -> Stance? {
        switch source {
        case .lookup(let f): return f(party)
        case .positions(let p): return p[party]?.stance
        }
    }

    /// A ballot counted from a dictionary of stances (non-parties are ignored).
    public init(stances: [String: Stance], parties: [String]) {
        var t = Tally()
        for p in parties { if let s = stances[p] { t.add(s) } }
        self.init(
            stance: { stances[$0] }, partyCount: parties.count, objecting: t.objecting, settled: t.settled,
            supporting: t.supporting)
    }
}

/// Running counts of stances.
public struct Tally: Sendable, Hashable {
    public var objecting = 0
    public var settled = 0
    public var supporting = 0

    public init() {}

    mutating func add(_ s: Stance) {
        if s == .object { objecting += 1 }
        if !s.isPending { settled += 1 }
        if s == .support { supporting += 1 }
    }

    mutating func remove(_ s: Stance) {
        if s == .object { objecting -= 1 }
        if !s.isPending { settled -= 1 }
        if s == .support { supporting -= 1 }
    }
}
