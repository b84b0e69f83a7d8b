import LedgerCore

/// Where each proposal's entries are in the log, and a snapshot of the charters: enough to
/// compute one proposal's status by reading only its own entries.
///
/// Build it once from a full replay (which checks every signer); then
/// ``Ledger/proposalStatus(_:index:at:)`` replays a single proposal's entries, without
/// re-checking signers, in time proportional to that proposal's entries.
public struct ProposalIndex: Sendable {
    /// Entry indices of each proposal, in log order.
    public let entries: [String: [UInt64]]
    /// The charters (as amended) when the index was built.
    public let charters: [ForumCharter]
    /// The number of entries the index covers.
    public let size: UInt64

    public init(_ rules: NegotiationRules) {
        var e = [String: [UInt64]](minimumCapacity: rules.proposals.count)
        for p in rules.proposals { e[p.id] = p.entryIndices }
        entries = e
        charters = rules.forumOrder.map { rules.forums[$0]! }
        size = rules.entryCount
    }
}

extension Ledger where Rules == NegotiationRules {
    /// One proposal's status, from its own entries only.
    ///
    /// - Parameters:
    ///   - id: the proposal.
    ///   - index: an index built from a full replay of this ledger.
    ///   - now: the instant asked about (default: the log time of the proposal's last entry).
    public func proposalStatus(_ id: String, index: ProposalIndex, at now: Timestamp? = nil) throws(LedgerError)
        -> ProposalStatus
    {
        guard let positions = index.entries[id] else { throw .notFound("proposal \"\(id)\" is not in the index") }
        var replay = Replay(checks: [], rules: NegotiationRules(trustedReplayWith: index.charters))
        for i in positions { try replay.apply(try store.leaf(Int64(i))[...], at: Int64(i)) }
        guard let s = replay.rules.status(of: id, at: now) else { throw .notFound("proposal \"\(id)\" has no entries") }
        return s
    }
}
