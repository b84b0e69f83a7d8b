import ControlCodes
import LedgerCore
import LedgerCrypto

/// A proposal in a forum: its revisions, the ballot on the current revision, its life
/// cycle, and every entry that touched it.
public struct Proposal: Sendable {
    /// How the proposal is decided.
    public enum Procedure: String, Sendable, Hashable {
        /// Under the forum's charter rule.
        case standard
        /// Under `any(charter rule, consensus-silence)`: also adopted when the deadline passes
        /// without an objection standing.
        case silence
    }

    /// One tabled text of the proposal.
    public struct Revision: Sendable, Hashable {
        /// 1 for the original proposal, 2 for the first amendment, and so on.
        public let number: Int
        /// The entry that tabled it, and that positions name.
        public let entryIndex: UInt64
        public let leafHash: Digest
        /// The log's integration time of that entry.
        public let time: Timestamp
        /// Positions must be logged strictly before this instant.
        public let deadline: Timestamp
        public let measure: Measure
        /// ``leafHash`` in base64, as positions name it.
        public let leafHashBase64: String

        init(number: Int, entryIndex: UInt64, leafHash: Digest, time: Timestamp, deadline: Timestamp, measure: Measure)
        {
            self.number = number
            self.entryIndex = entryIndex
            self.leafHash = leafHash
            self.time = time
            self.deadline = deadline
            self.measure = measure
            self.leafHashBase64 = leafHash.base64
        }
    }

    /// A party's position on the current revision.
    public struct Position: Sendable, Hashable {
        public let party: String
        public let stance: Stance
        public let reason: String?
        public let entryIndex: UInt64
        public let time: Timestamp
    }

    /// A secretariat's decision record.
    public struct Decision: Sendable, Hashable {
        public let outcome: ProposalLifecycle.State
        public let revisionNumber: Int
        public let entryIndex: UInt64
        public let time: Timestamp
        public let note: String?
    }

    public let id: String
    public let forum: String
    /// The proposing party.
    public let party: String
    public let procedure: Procedure
    /// The proposal this one replaces, if any.
    public let supersedes: String?
    public internal(set) var supersededBy: String?
    public internal(set) var revisions: [Revision]
    /// Positions on the current revision, by party. A later position replaces an earlier one;
    /// a new revision clears them.
    public internal(set) var positions: [String: Position] = [:]
    /// Counts of the stances in ``positions`` of the forum's current parties.
    public internal(set) var tally = Tally()
    public internal(set) var lifecycle = ProposalLifecycle()
    /// The entry at which the stored life-cycle state was last set.
    public internal(set) var stateEntryIndex: UInt64
    public internal(set) var decisions: [Decision] = []
    /// Every entry that touched the proposal, in log order: the per-proposal index.
    public internal(set) var entryIndices: [UInt64]

    public var current: Revision { revisions[revisions.count - 1] }
    public var measure: Measure { current.measure }

    init(
        id: String, forum: String, party: String, procedure: Procedure, supersedes: String?, revision: Revision
    ) {
        self.id = id
        self.forum = forum
        self.party = party
        self.procedure = procedure
        self.supersedes = supersedes
        self.revisions = [revision]
        self.stateEntryIndex = revision.entryIndex
        self.entryIndices = [revision.entryIndex]
    }

    /// The rule the proposal is decided under, given its forum's charter rule.
    public func effectiveRule(charterRule: DecisionRule) -> DecisionRule {
        procedure == .silence ? .any([charterRule, .consensusSilence]) : charterRule
    }

    /// The rule's outcome on the current ballot at `now`.
    public func outcome(rule: DecisionRule, parties: [String], at now: Timestamp) -> DecisionRule.Outcome {
        let ballot = Ballot(
            source: .positions(positions), partyCount: parties.count, objecting: tally.objecting,
            settled: tally.settled,
            supporting: tally.supporting)
        return rule.evaluate(ballot: ballot, now: now, deadline: current.deadline)
    }

    /// Drops the positions of parties that left and recounts ``tally`` over `parties` (after
    /// the forum's membership changed).
    mutating func recount(parties: [String]) {
        let members = Set(parties)
        positions = positions.filter { members.contains($0.key) }
        var t = Tally()
        for p in parties { if let s = positions[p]?.stance { t.add(s) } }
        tally = t
    }

    /// The life cycle at `now`: the stored state, moved on if the deadline has passed.
    public func settledLifecycle(rule: DecisionRule, parties: [String], at now: Timestamp) -> ProposalLifecycle {
        var l = lifecycle
        if !l.state.isFinal && now >= current.deadline {
            _ = try? l.handle(.deadlinePassed(outcome(rule: rule, parties: parties, at: current.deadline)))
        }
        return l
    }

    // MARK: Transitions (the caller has checked who signed)

    /// Settles the life cycle at `time` and throws unless the proposal is still open or blocked.
    func requireLive(rule: DecisionRule, parties: [String], at time: Timestamp, kind: String) throws(LedgerError) {
        let s = settledLifecycle(rule: rule, parties: parties, at: time).state
        guard !s.isFinal else {
            let when =
                s == .lapsed || (s == .adopted && lifecycle.state != .adopted)
                ? " (deadline \(current.deadline) passed)" : ""
            throw .refused("\(kind) \(id): the proposal is \(s.rawValue)\(when)")
        }
    }

    mutating func table(_ revision: Revision) throws(LedgerError) {
        var l = lifecycle
        try l.handle(.newRevision)
        revisions.append(revision)
        positions.removeAll(keepingCapacity: true)
        tally = Tally()
        lifecycle = l
        stateEntryIndex = revision.entryIndex
        entryIndices.append(revision.entryIndex)
    }

    /// Records a position of a party of the forum (the caller has checked membership).
    mutating func record(_ position: Position, rule: DecisionRule, parties: [String]) throws(LedgerError) {
        let previous = positions.updateValue(position, forKey: position.party)
        let savedTally = tally
        if let previous { tally.remove(previous.stance) }
        tally.add(position.stance)
        var l = lifecycle
        do throws(LedgerError) {
            try l.handle(.ballot(outcome(rule: rule, parties: parties, at: position.time)))
        } catch {
            positions[position.party] = previous
            tally = savedTally
            throw error
        }
        if l != lifecycle { stateEntryIndex = position.entryIndex }
        lifecycle = l
        entryIndices.append(position.entryIndex)
    }

    mutating func end(_ event: ProposalLifecycle.Event, at index: UInt64) throws(LedgerError) {
        try lifecycle.handle(event)
        stateEntryIndex = index
        entryIndices.append(index)
    }

    /// Re-evaluates the ballot of a live proposal (after a membership change) at entry `index`.
    mutating func rebalance(rule: DecisionRule, parties: [String], at time: Timestamp, index: UInt64) {
        guard !lifecycle.state.isFinal else { return }
        let before = lifecycle
        _ = try? lifecycle.handle(.ballot(outcome(rule: rule, parties: parties, at: time)))
        if lifecycle != before { stateEntryIndex = index }
    }

    mutating func settle(rule: DecisionRule, parties: [String], at time: Timestamp) {
        let l = settledLifecycle(rule: rule, parties: parties, at: time)
        if l != lifecycle { lifecycle = l }
    }
}
