import Consensus
import ControlCodes
import LedgerCore

extension TabledMeasure {
    /// The measures of every proposal in `state` (optionally one forum), as of `now`: the
    /// current revision of each, with its ledger entry and life-cycle state.
    ///
    /// Charter amendments carry no items and are left out. Every item of a logged proposal is
    /// an ``ItemCode`` already (the consensus rules parse it on append), so none drops out.
    public static func fromNegotiation(_ state: NegotiationRules, forum: String? = nil, at now: Timestamp? = nil)
        -> [TabledMeasure]
    {
        var out: [TabledMeasure] = []
        for s in state.statuses(forum: forum, at: now) {
            if let m = TabledMeasure(status: s) { out.append(m) }
        }
        return out
    }

    /// The measure of one proposal's status, or nil for a charter amendment.
    public init?(status s: ProposalStatus) {
        let p = s.proposal
        guard p.measure.kind != .charterAmendment else { return nil }
        let state: State
        switch s.state {
        case .open, .blocked: state = .proposed
        case .adopted: state = .adopted
        case .withdrawn: state = .withdrawn
        case .superseded, .lapsed: state = .expired
        }
        self.init(
            forum: p.forum, proposalID: p.id, revision: p.current.number, ledgerIndex: Int64(p.current.entryIndex),
            measure: p.measure, state: state)
    }
}

extension Finding.Review {
    /// The latest review of each finding recorded in `state` (`finding.review` entries).
    public static func fromNegotiation(_ state: NegotiationRules) -> [String: Finding.Review] {
        var out: [String: Finding.Review] = [:]
        for r in state.findingReviews {
            guard let st = Status(rawValue: r.status.rawValue) else { continue }
            out[r.finding] = Finding.Review(status: st, note: r.note, ledgerIndex: Int64(r.entryIndex))
        }
        return out
    }
}
