import Consensus
import LedgerCore

extension Measure {
    /// The measures of every proposal in `state` (optionally one forum), as of `now`: the
    /// current revision of each, with its ledger entry, life-cycle state and items.
    ///
    /// Charter amendments carry no items and are left out. Items whose code this module
    /// cannot read are left out of the measure's scope (the consensus rules validate codes
    /// on append, so this does not happen for logged proposals).
    public static func fromNegotiation(_ state: NegotiationRules, forum: String? = nil, at now: Timestamp? = nil)
        -> [Measure]
    {
        var out: [Measure] = []
        for s in state.statuses(forum: forum, at: now) {
            if let m = Measure(status: s) { out.append(m) }
        }
        return out
    }

    /// The measure of one proposal's status, or nil for a charter amendment.
    public init?(status s: ProposalStatus) {
        let p = s.proposal
        let cm = p.measure
        let kind = cm.measureType
        guard kind != .charterAmendment else { return nil }
        var items: [ItemCode] = []
        for it in cm.items {
            guard let scheme = try? CodeScheme(parsing: it.scheme), let code = try? ItemCode(it.code, scheme: scheme)
            else { continue }
            items.append(code)
        }
        let params = cm.parameters.compactMap { q -> Parameter? in
            guard let c = Parameter.Comparator(symbol: q.comparator) else { return nil }
            return Parameter(term: q.term, comparator: c, value: q.value, unit: q.unit)
        }
        let state: State
        switch s.state {
        case .open, .blocked: state = .proposed
        case .adopted: state = .adopted
        case .withdrawn: state = .withdrawn
        case .superseded, .lapsed: state = .expired
        }
        self.init(
            forum: p.forum, proposalID: p.id, revision: p.current.number, ledgerIndex: Int64(p.current.entryIndex),
            kind: kind,
            title: cm.title, items: items, destinations: Set(cm.destinations), parameters: params, state: state)
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
