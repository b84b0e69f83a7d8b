import Consensus
import LedgerCore
import LedgerReports

/// The events that entries and deadlines give rise to (specs/api.md, "Events").
enum DomainEvents {
    /// The events of entries `range`, in entry order (each entry's `entry` event first), read
    /// with `entry` and described with `state`, which must cover them.
    static func events(
        _ range: Range<Int64>, state: NegotiationRules, entry: (Int64) throws(LedgerError) -> Entry
    ) throws(LedgerError) -> [ServerEvent] {
        var out: [ServerEvent] = []
        /// Position changes by proposal, read once for all the positions on it in `range`.
        var changes: [String: [UInt64: PositionChange]] = [:]
        for i in range {
            let e = try entry(i)
            let st = e.statement
            let body = st.body
            let target = st.kind == "proposal" ? body["id"]?.stringValue : body["proposal"]?.stringValue
            let proposal = target.flatMap { state.proposal($0) }
            let summary =
                proposal.map { state.historyEvent(of: $0, entry: e).summary } ?? "\(st.kind) \(entrySummary(body))"
            out.append(
                ServerEvent(
                    id: i, name: "entry",
                    data: [
                        "index": .integer(i), "time": .string(e.time.rfc3339), "kind": .string(st.kind),
                        "signer": .string(st.signer.name), "summary": .string(summary),
                    ]))
            guard let p = proposal else { continue }
            if st.kind == "position" {
                if changes[p.id] == nil {
                    let history = try p.entryIndices.filter { $0 < UInt64(range.upperBound) }.map {
                        i throws(LedgerError) in state.historyEvent(of: p, entry: try entry(Int64(i)))
                    }
                    changes[p.id] = Dictionary(
                        uniqueKeysWithValues: PositionChange.changes(history).map { ($0.index, $0) })
                }
                guard let c = changes[p.id]?[e.index] else { continue }
                var data: [String: JSONValue] = [
                    "index": .integer(i), "proposal": .string(p.id), "forum": .string(p.forum),
                    "party": .string(c.party), "stance": .string(c.stance.rawValue),
                    "was": c.was.map { .string($0.rawValue) } ?? .null,
                    "revisionEntry": .integer(Int64(c.revisionEntry)),
                ]
                if let r = c.reason { data["reason"] = .string(r) }
                out.append(ServerEvent(id: i, name: "position", data: .object(data)))
            } else if st.kind == "decision", let outcome = body["outcome"]?.stringValue {
                out.append(
                    ServerEvent(
                        id: i, name: "decision",
                        data: [
                            "index": .integer(i), "proposal": .string(p.id), "forum": .string(p.forum),
                            "outcome": .string(outcome),
                        ]))
            }
        }
        return out
    }

    /// `deadline` events for the proposals still open or blocked at `now` whose deadline is
    /// within `horizon` seconds, each with its key (proposal and deadline: sent once).
    static func deadlines(
        state: NegotiationRules, now: Timestamp, horizon: Int64, id: Int64
    ) -> [(key: String, event: ServerEvent)] {
        state.statuses(at: now).compactMap { st in
            let d = st.proposal.current.deadline
            guard !st.state.isFinal, now < d, d.secondsSinceEpoch - now.secondsSinceEpoch <= horizon else {
                return nil
            }
            let event = ServerEvent(
                id: id, name: "deadline",
                data: [
                    "proposal": .string(st.proposal.id), "forum": .string(st.proposal.forum),
                    "state": .string(st.state.rawValue), "deadline": .string(d.rfc3339),
                    "revision": .integer(Int64(st.proposal.current.number)),
                    "secondsLeft": .integer(d.secondsSinceEpoch - now.secondsSinceEpoch),
                ])
            return ("\(st.proposal.id)@\(d.rfc3339)", event)
        }
    }
}
