import Consensus
import LedgerCore

extension ConflictDetector {
    /// Every finding among the proposals of a negotiation state, with the reviews recorded in
    /// the ledger (`finding.review` entries) applied: what `ledger conflicts` reports.
    ///
    /// - Parameters:
    ///   - state: the negotiation state.
    ///   - now: the instant the proposals' life-cycle states are judged at (specs/consensus.md:
    ///     max(log clock, last entry's time)); nil for the last entry's time.
    ///   - forum: when given, only the findings that involve a proposal of this forum.
    /// - Returns: the findings, in the detector's order.
    public func findings(in state: NegotiationRules, at now: Timestamp? = nil, forum: String? = nil) -> [Finding] {
        let measures = TabledMeasure.fromNegotiation(state, at: now)
        var found = Self.applyReviews(findings(in: measures), reviews: Finding.Review.fromNegotiation(state))
        if let forum { found = found.filter { $0.a.forum == forum || $0.b.forum == forum } }
        return found
    }

    /// The findings between proposal `id` (its current revision) and every other proposal of
    /// the state, with recorded reviews applied: the warnings for a proposal just tabled or
    /// amended. Empty when the state has no such proposal, or it carries no items (a charter
    /// amendment).
    ///
    /// - Parameters:
    ///   - id: the proposal.
    ///   - state: the negotiation state.
    ///   - now: the instant the life-cycle states are judged at; nil for the last entry's time.
    public func findings(forProposal id: String, in state: NegotiationRules, at now: Timestamp? = nil) -> [Finding] {
        let measures = TabledMeasure.fromNegotiation(state, at: now)
        guard let new = measures.first(where: { $0.proposalID == id }) else { return [] }
        return Self.applyReviews(
            findings(for: new, against: measures), reviews: Finding.Review.fromNegotiation(state))
    }
}
