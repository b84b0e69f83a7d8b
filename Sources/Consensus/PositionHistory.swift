import LedgerCore

/// One `position` entry on a proposal, with the stance the same party held before it: the
/// "(was X)" of the dashboard and the `position` event of the JSON API.
package struct PositionChange: Sendable, Hashable {
    package let index: UInt64
    package let time: Timestamp
    package let party: String
    package let stance: Stance
    /// The party's stance in its previous position on the proposal (on any revision), or nil.
    package let was: Stance?
    /// The entry of the revision the position is on.
    package let revisionEntry: UInt64
    package let reason: String?

    /// The position entries among `events` (one proposal's history, in log order), each with
    /// the stance its party held before.
    package static func changes(_ events: [ProposalEvent]) -> [PositionChange] {
        var last: [String: Stance] = [:]
        var out: [PositionChange] = []
        for e in events where e.kind == "position" {
            guard let stance = e.stance, let party = e.body["party"]?.stringValue,
                let revision = e.body["revision"]?.integerValue, let revisionEntry = UInt64(exactly: revision)
            else { continue }
            out.append(
                PositionChange(
                    index: e.index, time: e.time, party: party, stance: stance, was: last[party],
                    revisionEntry: revisionEntry, reason: e.body["reason"]?.stringValue))
            last[party] = stance
        }
        return out
    }
}
