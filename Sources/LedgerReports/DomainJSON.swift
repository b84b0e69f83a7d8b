import Consensus
import ControlCodes
import LedgerCore

/// The JSON that the CLI's `--json` views and the server's JSON API (`/api/v1/…`) share, so
/// that a question asked of either gets the same answer (specs/cli.md, specs/api.md).
package enum DomainJSON {
    /// A row of `ledger forum list [DIR]`: a forum's charter, with (for a ledger's forum) the
    /// entry of its charter and how many delegations and proposals it has.
    package struct ForumRow: Sendable {
        package let charter: ForumCharter
        package let charterEntry: UInt64?
        package let delegations: Int
        package let proposals: Int

        /// A built-in charter, in no ledger.
        package init(builtIn charter: ForumCharter) {
            self.charter = charter
            charterEntry = nil
            delegations = 0
            proposals = 0
        }

        /// Forum `id` as chartered in `s`.
        package init(_ id: String, in s: NegotiationRules) {
            charter = s.forum(id)!
            charterEntry = s.charterEntries[id]
            delegations = s.delegations(forum: id).count
            proposals = s.proposals.count(where: { $0.forum == id })
        }

        /// The row as `ledger forum list --json` prints it.
        package var json: JSONValue {
            let c = charter
            var o: [String: JSONValue] = [
                "id": .string(c.id), "name": .string(c.name), "parties": .array(c.parties.map { .string($0) }),
                "rule": .string(c.rule.description), "defaultDeadlineDays": .integer(Int64(c.defaultDeadlineDays)),
            ]
            if let charterEntry {
                o["charterEntry"] = .integer(Int64(charterEntry))
                o["delegations"] = .integer(Int64(delegations))
                o["proposals"] = .integer(Int64(proposals))
            }
            return .object(o)
        }
    }

    /// The rows of every forum chartered in `s`, in charter order.
    package static func forumRows(_ s: NegotiationRules) -> [ForumRow] { s.forumOrder.map { ForumRow($0, in: s) } }

    /// `ledger forum show --json`: the charter, the secretariat keys and the delegations.
    package static func forumDetail(_ charter: ForumCharter, state: NegotiationRules?) -> JSONValue {
        let dels = state?.delegations(forum: charter.id) ?? []
        let secs = state?.secretariats(forum: charter.id) ?? []
        return [
            "charter": charter.json,
            "secretariat": .array(secs.map { .string($0.description) }),
            "delegations": .array(
                dels.map {
                    [
                        "party": .string($0.party), "vkey": .string($0.key.description),
                        "registeredAt": .integer(Int64($0.registeredAt)),
                    ]
                }),
        ]
    }

    /// A row of `ledger board --json`: a proposal's state and ballot counts.
    package static func boardRow(_ st: ProposalStatus) -> JSONValue {
        let c = st.counts
        var counts: [String: JSONValue] = [:]
        for s in Stance.allCases { counts[s.rawValue] = .integer(Int64(c[s])) }
        counts["not-spoken"] = .integer(Int64(c.notSpoken))
        return [
            "forum": .string(st.proposal.forum), "id": .string(st.proposal.id),
            "party": .string(st.proposal.party),
            "revision": .integer(Int64(st.proposal.current.number)),
            "state": .string(st.state.rawValue),
            "blockedBy": .array(st.objectingParties.map { .string($0) }),
            "deadline": .string(st.proposal.current.deadline.rfc3339),
            "counts": .object(counts),
            "title": .string(st.proposal.measure.title),
        ]
    }
}

/// A statement body in one line for a list of entries (`ledger log`, the `entry` event): its
/// canonical JSON, cut to 80 characters.
package func entrySummary(_ body: JSONValue) -> String {
    let s = body.canonicalString
    return s.count > 80 ? String(s.prefix(77)) + "..." : s
}
