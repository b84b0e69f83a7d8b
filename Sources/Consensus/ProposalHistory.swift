import LedgerCore
import LedgerCrypto

/// One entry that touched a proposal, described for people (the `history` view).
public struct ProposalEvent: Sendable {
    /// The entry's index in the log.
    public let index: UInt64
    public let time: Timestamp
    /// The statement kind (`proposal`, `proposal.amend`, `position`, …).
    public let kind: String
    /// The signer's party, or its role when it has none (a secretariat), or `?`.
    public let party: String
    /// The signer's key name.
    public let signer: String
    public let leafHash: Digest
    public let body: JSONValue
    /// The stance, for a position.
    public let stance: Stance?
    /// One line: what happened.
    public let summary: String

    public var json: JSONValue {
        [
            "index": .integer(Int64(index)), "time": .string(time.rfc3339), "kind": .string(kind),
            "by": .string(party), "signer": .string(signer), "leafHash": .string(leafHash.base64), "body": body,
        ]
    }
}

extension NegotiationRules {
    /// The event entry `entry` is in proposal `p`'s history.
    public func historyEvent(of p: Proposal, entry e: Entry) -> ProposalEvent {
        let st = e.statement
        let who = authority.record(for: st.signer)
        let party = who?.attributes["party"] ?? who?.role ?? "?"
        let text = { (field: String) in st.body[field]?.stringValue }
        let summary: String
        switch st.kind {
        case "proposal" where text("id") != p.id:
            summary = "superseded by \(text("id") ?? "?")"
        case "proposal":
            summary = "tabled revision 1: \(text("title") ?? "")"
        case "proposal.amend":
            let n = (p.revisions.first { $0.entryIndex == e.index }?.number).map(String.init) ?? "?"
            summary = "tabled revision \(n): \(text("title") ?? "")"
        case "proposal.withdraw":
            summary = "withdrew" + (text("reason").map { ": \($0)" } ?? "")
        case "position":
            summary =
                "\(text("stance") ?? "?") on revision entry \(st.body["revision"]?.integerValue ?? -1)"
                + (text("reason").map { ": \($0)" } ?? "")
        case "decision":
            summary = "decision: \(text("outcome") ?? "?")" + (text("note").map { " (\($0))" } ?? "")
        default:
            summary = st.kind
        }
        return ProposalEvent(
            index: e.index, time: e.time, kind: st.kind, party: party, signer: st.signer.name,
            leafHash: e.leafHash, body: st.body,
            stance: st.kind == "position" ? text("stance").flatMap(Stance.init(rawValue:)) : nil,
            summary: summary)
    }
}
