import LedgerCore
import LedgerCrypto

/// A proposal's standing at one instant: its life-cycle state, the revision on the table,
/// and every party's position on it, including who has not spoken.
public struct ProposalStatus: Sendable {
    public let proposal: Proposal
    public let forum: ForumCharter
    /// The instant asked about.
    public let asOf: Timestamp
    public let state: ProposalLifecycle.State
    /// The decision rule's outcome on the current ballot at ``asOf``.
    public let outcome: DecisionRule.Outcome
    /// The rule the proposal is decided under.
    public let rule: DecisionRule
    /// Every party of the forum, in charter order, with its position on the current revision.
    public let ballot: [(party: String, position: Proposal.Position?)]

    /// Parties that have not taken a position on the current revision.
    public var notSpoken: [String] { ballot.filter { $0.position == nil }.map(\.party) }

    /// Parties whose current stance is `stance`.
    public func parties(in stance: Stance) -> [String] { ballot.filter { $0.position?.stance == stance }.map(\.party) }

    /// How many parties hold each stance, and how many have not spoken, counted in one pass
    /// over the ballot.
    public var counts: StanceCounts {
        var c = StanceCounts()
        for row in ballot {
            if let s = row.position?.stance { c.byStance[s, default: 0] += 1 } else { c.notSpoken += 1 }
        }
        return c
    }

    /// The number of parties in each stance, and of parties that have not spoken.
    public struct StanceCounts: Sendable, Hashable {
        var byStance: [Stance: Int] = [:]
        public internal(set) var notSpoken = 0

        /// The number of parties whose current stance is `stance`.
        public subscript(stance: Stance) -> Int { byStance[stance] ?? 0 }
    }

    /// Parties that object (block).
    public var objectingParties: [String] { parties(in: .object) }

    /// Whether the proposal is adopted.
    public var isAdopted: Bool { state == .adopted }

    /// The status as JSON (the `--json` output of `ledger status`).
    public var json: JSONValue {
        let p = proposal
        let rev = p.current
        var byStance: [String: JSONValue] = [:]
        for s in Stance.allCases { byStance[s.rawValue] = .array(parties(in: s).map { .string($0) }) }
        var o: [String: JSONValue] = [
            "id": .string(p.id), "forum": .string(p.forum), "party": .string(p.party), "state": .string(state.rawValue),
            "outcome": .string(outcome.rawValue), "rule": .string(rule.description),
            "procedure": .string(p.procedure.rawValue),
            "asOf": .string(asOf.rfc3339),
            "revision": [
                "number": .integer(Int64(rev.number)), "entry": .integer(Int64(rev.entryIndex)),
                "leafHash": .string(rev.leafHash.base64),
                "time": .string(rev.time.rfc3339), "deadline": .string(rev.deadline.rfc3339),
            ],
            "measure": .object(rev.measure.jsonFields),
            "positions": .array(
                ballot.compactMap { row in
                    row.position.map { pos in
                        var po: [String: JSONValue] = [
                            "party": .string(pos.party), "stance": .string(pos.stance.rawValue),
                            "entry": .integer(Int64(pos.entryIndex)),
                            "time": .string(pos.time.rfc3339),
                        ]
                        if let r = pos.reason { po["reason"] = .string(r) }
                        return .object(po)
                    }
                }),
            "byStance": .object(byStance), "notSpoken": .array(notSpoken.map { .string($0) }),
            "decisions": .array(
                p.decisions.map {
                    var d: [String: JSONValue] = [
                        "outcome": .string($0.outcome.rawValue), "revision": .integer(Int64($0.revisionNumber)),
                        "entry": .integer(Int64($0.entryIndex)), "time": .string($0.time.rfc3339),
                    ]
                    if let n = $0.note { d["note"] = .string(n) }
                    return .object(d)
                }),
            "entries": .array(p.entryIndices.map { .integer(Int64($0)) }),
        ]
        if let s = p.supersedes { o["supersedes"] = .string(s) }
        if let s = p.supersededBy { o["supersededBy"] = .string(s) }
        return .object(o)
    }
}

extension NegotiationRules {
    /// The status of proposal `id` at `now` (default: the log time of the last entry applied).
    public func status(of id: String, at now: Timestamp? = nil) -> ProposalStatus? {
        guard let p = proposal(id) else { return nil }
        return status(p, at: now ?? lastTime)
    }

    /// The status of every proposal, optionally in one forum, in the order they were tabled.
    ///
    /// Thousands of statuses are computed on every core.
    public func statuses(forum: String? = nil, at now: Timestamp? = nil) -> [ProposalStatus] {
        statuses(forum: forum, at: now, perThread: 1000)
    }

    /// As ``statuses(forum:at:)``, on as many cores as there are `perThread` proposals.
    func statuses(forum: String?, at now: Timestamp?, perThread: Int) -> [ProposalStatus] {
        let chosen = forum == nil ? proposals : proposals.filter { $0.forum == forum }
        let now = now ?? lastTime
        let parts = min(Parallel.processorCount, chosen.count / perThread)
        guard parts > 1 else { return chosen.map { status($0, at: now) } }
        return Parallel.mapChunked(chosen.count, parts: parts) { status(chosen[$0], at: now) }
    }

    func status(_ p: Proposal, at now: Timestamp) -> ProposalStatus {
        let c = forums[p.forum]!
        let rule = rule(for: p)
        let life = p.settledLifecycle(rule: rule, parties: c.parties, at: now)
        return ProposalStatus(
            proposal: p, forum: c, asOf: now, state: life.state,
            outcome: p.outcome(rule: rule, parties: c.parties, at: min(now, p.current.deadline)), rule: rule,
            ballot: c.parties.map { ($0, p.positions[$0]) })
    }

    /// The active delegation keys of `forum`, as (party, key) pairs, as of the last entry.
    public func delegations(forum: String) -> [(party: String, key: NoteVerifierKey, registeredAt: UInt64)] {
        authority.keys.values
            .filter { $0.role == "delegation" && $0.attributes["forum"] == forum && $0.revokedAt == nil }
            .map { ($0.attributes["party"] ?? "?", $0.key, $0.registeredAt) }
            .sorted { ($0.party, $0.registeredAt) < ($1.party, $1.registeredAt) }
    }

    /// The active secretariat keys of `forum`.
    public func secretariats(forum: String) -> [NoteVerifierKey] {
        authority.keys.values
            .filter { $0.role == "secretariat" && $0.attributes["forum"] == forum && $0.revokedAt == nil }
            .sorted { $0.registeredAt < $1.registeredAt }.map(\.key)
    }
}
