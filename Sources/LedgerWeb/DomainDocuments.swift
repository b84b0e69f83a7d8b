import Consensus
import ControlCodes
import LedgerCore
import LedgerCrypto
import LedgerReports

/// The documents of the JSON API that the CLI has no `--json` view for (specs/api.md): they
/// are built from the same models (``ProposalStatus``, ``ProposalEvent``, ``DomainJSON``).
enum DomainDocuments {
    /// Counts of proposals by life-cycle state (every state named, zeros included).
    static func countsByState(_ statuses: [ProposalStatus]) -> JSONValue {
        var o: [String: JSONValue] = [:]
        for s in ProposalLifecycle.State.allCases { o[s.rawValue] = .integer(0) }
        for st in statuses { o[st.state.rawValue] = .integer((o[st.state.rawValue]?.integerValue ?? 0) + 1) }
        return .object(o)
    }

    /// `GET /api/v1/status`.
    static func status(
        origin: String?, checkpointText: String, basis: ViewBasis?, state: NegotiationRules, now: Timestamp
    ) -> JSONValue {
        let statuses = state.statuses(at: now)
        var checkpoint: JSONValue = .null
        if let cp = basis?.checkpoint?.checkpoint {
            checkpoint = [
                "size": .integer(Int64(cp.size)), "root": .string(cp.root.base64),
                "cosignatures": .integer(Int64(basis?.cosigners.count ?? 0)),
                "cosigners": .array(
                    (basis?.cosigners ?? []).map {
                        ["name": .string($0.name), "time": .string(CosignaturePolicy.timeText($0.time))]
                    }),
                "note": .string(checkpointText),
            ]
        }
        return [
            "origin": origin.map { .string($0) } ?? .null,
            "checkpoint": checkpoint,
            "entries": .integer(Int64(state.entryCount)),
            "asOf": .string(now.rfc3339),
            "restsOn": .string(basis?.line ?? "rests on: no signed checkpoint yet"),
            "forums": .integer(Int64(state.forumOrder.count)),
            "proposals": .integer(Int64(statuses.count)),
            "proposalsByState": countsByState(statuses),
            "byForum": .array(
                state.forumOrder.map { id in
                    let mine = statuses.filter { $0.proposal.forum == id }
                    return [
                        "forum": .string(id), "proposals": .integer(Int64(mine.count)),
                        "proposalsByState": countsByState(mine),
                    ]
                }),
        ]
    }

    /// When a proposal entered the state it is in at `st.asOf`: the deadline for a state the
    /// clock settled (lapsed or adopted at the deadline), else the entry that set it.
    static func stateSince(_ st: ProposalStatus, entryTime: (UInt64) throws -> Timestamp) rethrows -> Timestamp {
        let p = st.proposal
        guard st.state == p.lifecycle.state else { return p.current.deadline }
        return try entryTime(p.stateEntryIndex)
    }

    /// A board row: `ledger board --json`'s fields, and the ballot (one cell per party, in
    /// charter order), when the state began and whole days since.
    static func boardRow(_ st: ProposalStatus, since: Timestamp) -> JSONValue {
        var o = DomainJSON.boardRow(st).objectValue!
        o["ballot"] = .array(
            st.ballot.map { row in
                ["party": .string(row.party), "stance": row.position.map { .string($0.stance.rawValue) } ?? .null]
            })
        o["stateSince"] = .string(since.rfc3339)
        o["daysInState"] = .integer(max(0, st.asOf.secondsSinceEpoch - since.secondsSinceEpoch) / 86_400)
        return .object(o)
    }

    /// An event of a proposal's history: `ledger history --json`'s fields, the summary, and
    /// where the entry and its inclusion proof are served.
    static func event(_ e: ProposalEvent) -> JSONValue {
        var o = e.json.objectValue!
        o["summary"] = .string(e.summary)
        o["entry"] = .string("/api/v1/entries/\(e.index)")
        o["proof"] = .string("/proof/\(e.index)")
        return .object(o)
    }

    /// `GET /api/v1/proposals/{id}`.
    static func proposal(_ st: ProposalStatus, events: [ProposalEvent]) -> JSONValue {
        let p = st.proposal
        let changes = PositionChange.changes(events)
        let revisionNumber = Dictionary(uniqueKeysWithValues: p.revisions.map { ($0.entryIndex, $0.number) })
        func change(_ c: PositionChange) -> JSONValue {
            var o: [String: JSONValue] = [
                "party": .string(c.party), "stance": .string(c.stance.rawValue), "entry": .integer(Int64(c.index)),
                "time": .string(c.time.rfc3339), "revisionEntry": .integer(Int64(c.revisionEntry)),
                "revision": revisionNumber[c.revisionEntry].map { .integer(Int64($0)) } ?? .null,
                "was": c.was.map { .string($0.rawValue) } ?? .null,
            ]
            if let r = c.reason { o["reason"] = .string(r) }
            return .object(o)
        }
        let current = st.ballot.compactMap(\.position?.entryIndex)
        let spoken = st.ballot.count - st.notSpoken.count
        var history: [String: JSONValue] = [:]
        for party in Set(changes.map(\.party)) {
            history[party] = .array(changes.filter { $0.party == party }.map(change))
        }
        return [
            "status": st.json,
            "revisions": .array(
                p.revisions.map {
                    [
                        "number": .integer(Int64($0.number)), "entry": .integer(Int64($0.entryIndex)),
                        "leafHash": .string($0.leafHash.base64), "time": .string($0.time.rfc3339),
                        "deadline": .string($0.deadline.rfc3339), "title": .string($0.measure.title),
                    ]
                }),
            "positions": .array(changes.filter { current.contains($0.index) }.map(change)),
            "positionHistory": .object(history),
            "participation": [
                "spoken": .integer(Int64(spoken)), "parties": .integer(Int64(st.ballot.count)),
                "text": .string("\(spoken) of \(st.ballot.count)"),
            ],
            "timeline": .array(events.map(event)),
        ]
    }

    /// `GET /api/v1/entries/{index}`: `ledger entry DIR I --json`, and the proof's path.
    static func entry(_ e: Entry, leafHash: Digest) -> JSONValue {
        [
            "entry": e.json, "leafHash": .string(leafHash.base64), "statementHash": .string(e.statement.hash.base64),
            "proof": .string("/proof/\(e.index)"),
        ]
    }
}
