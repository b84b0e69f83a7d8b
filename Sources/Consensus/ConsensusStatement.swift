import LedgerCore
import LedgerCrypto

/// A consensus statement, its kind and body, built from what a delegation or a secretariat
/// asks for, before it is signed (specs/consensus.md §Statements).
///
/// The builders make the checks that need the negotiation state (the proposal exists, the
/// revision and the party are known, a stance carries the reason the rules require) and
/// fill in what the state determines (the current revision and its hash, the forum and party
/// of the signer's delegation). The rules still judge the signed statement on append.
public struct ConsensusStatement: Sendable {
    /// The statement kind, for example `position`.
    public let kind: String
    /// The body, as signed.
    public let body: JSONValue

    public init(kind: String, body: JSONValue) {
        self.kind = kind
        self.body = body
    }
}

/// The forum and party a key is registered for as a delegation.
public struct DelegationRecord: Sendable, Hashable {
    public let forum: String
    public let party: String
}

extension NegotiationRules {
    /// The delegation `key` is registered as, or nil when it is not a delegation's key.
    public func delegation(of key: NoteVerifierKey) -> DelegationRecord? {
        guard let r = authority.record(for: key), r.role == "delegation",
            let forum = r.attributes["forum"], let party = r.attributes["party"]
        else { return nil }
        return DelegationRecord(forum: forum, party: party)
    }
}

extension ConsensusStatement {
    /// A `position` on a revision of a proposal.
    ///
    /// - Parameters:
    ///   - state: the negotiation state the position is taken in.
    ///   - id: the proposal.
    ///   - party: the party; nil for the party of the signer's delegation.
    ///   - signer: the key that will sign the statement.
    ///   - stance: the stance; ``Stance/object`` and ``Stance/reserve`` need a reason.
    ///   - reason: why.
    ///   - revision: the entry index of the revision; nil for the current revision.
    ///   - leafHash: the leaf hash of an entry of the ledger, nil when there is no such entry
    ///     (used only for a revision given by index).
    /// - Throws: `.refused` for an unknown proposal (as the rules refuse it), `.notFound` for a
    ///   revision entry that does not exist, `.malformed` when no party is given and the signer
    ///   is no delegation, `.invalidBody` for a missing reason; ``LedgerError/input`` names
    ///   the input at fault.
    public static func position(
        in state: NegotiationRules, proposal id: String, party: String?, signer: NoteVerifierKey, stance: Stance,
        reason: String?, revision: UInt64?, leafHash: (UInt64) -> Digest?
    ) throws(LedgerError) -> ConsensusStatement {
        guard let p = state.proposal(id) else { throw .refused("position.proposal: unknown proposal \"\(id)\"") }
        let index = revision ?? p.current.entryIndex
        guard let i = Int64(exactly: index), let hash = revision == nil ? p.current.leafHash : leafHash(index) else {
            throw LedgerError.notFound("entry \(index) does not exist").concerning(.revision)
        }
        guard let party = party ?? state.delegation(of: signer)?.party else {
            throw LedgerError.malformed("the key is not a registered delegation; name the party").concerning(.party)
        }
        if stance.requiresReason && (reason ?? "").isEmpty {
            throw .invalidBody("position.reason: is required with stance \(stance.rawValue)")
        }
        var body: JSONObject = [
            "proposal": .string(id), "revision": .integer(i), "revisionHash": .string(hash.base64),
            "party": .string(party), "stance": .string(stance.rawValue),
        ]
        if let reason { body["reason"] = .string(reason) }
        return ConsensusStatement(kind: "position", body: .object(body))
    }

    /// A `proposal` from a proposal document (specs/consensus.md §Proposal file): `forum` and
    /// `party`, when absent, are those of the signer's delegation.
    ///
    /// - Throws: `.malformed` when the document is not an object.
    public static func proposal(
        _ document: JSONValue, in state: NegotiationRules, signer: NoteVerifierKey
    ) throws(LedgerError) -> ConsensusStatement {
        guard case .object(var body) = document else {
            throw .malformed("a proposal must be an object (a JSON object or a YAML mapping)")
        }
        if let d = state.delegation(of: signer) {
            if body["forum"] == nil { body["forum"] = .string(d.forum) }
            if body["party"] == nil { body["party"] = .string(d.party) }
        }
        return ConsensusStatement(kind: "proposal", body: .object(body))
    }

    /// A `proposal.amend`: a new revision of proposal `id` from a document with the measure
    /// fields of a proposal file. Its `id`, `forum` and `party`, if present, must be the
    /// proposal's; `supersedes` and `procedure` are not the amendment's to change.
    ///
    /// - Parameter deadline: the new deadline, RFC 3339; nil for the forum's default period.
    /// - Throws: `.refused` for an unknown proposal (as the rules refuse it), `.malformed` for
    ///   a document that is not an object or names another proposal, forum or party.
    public static func amendment(
        _ document: JSONValue, in state: NegotiationRules, proposal id: String, deadline: String?
    ) throws(LedgerError) -> ConsensusStatement {
        guard case .object(var body) = document else {
            throw .malformed("an amendment must be an object (a JSON object or a YAML mapping)")
        }
        guard let p = state.proposal(id) else {
            throw .refused("proposal.amend.proposal: unknown proposal \"\(id)\"")
        }
        for (field, expected) in [("id", p.id), ("forum", p.forum), ("party", p.party)] {
            if let v = body[field] {
                guard v.stringValue == expected else { throw .malformed("\(field) must be \(expected) (or absent)") }
                body[field] = nil
            }
        }
        body["supersedes"] = nil
        body["procedure"] = nil
        body["proposal"] = .string(id)
        if let deadline { body["deadline"] = .string(deadline) }
        return ConsensusStatement(kind: "proposal.amend", body: .object(body))
    }

    /// A `proposal.withdraw` of proposal `id`, with an optional reason.
    public static func withdrawal(proposal id: String, reason: String?) -> ConsensusStatement {
        var body: JSONObject = ["proposal": .string(id)]
        if let reason { body["reason"] = .string(reason) }
        return ConsensusStatement(kind: "proposal.withdraw", body: .object(body))
    }

    /// A secretariat's `decision` on the current revision of proposal `id`.
    ///
    /// - Parameters:
    ///   - outcome: `adopted`, `blocked` or `lapsed`; nil for the state computed at `now`.
    ///   - note: a note for the record.
    ///   - now: the instant the state is computed at.
    /// - Throws: `.refused` for an unknown proposal (as the rules refuse it).
    public static func decision(
        in state: NegotiationRules, proposal id: String, outcome: String?, note: String?, at now: Timestamp
    ) throws(LedgerError) -> ConsensusStatement {
        guard let st = state.status(of: id, at: now) else {
            throw .refused("decision.proposal: unknown proposal \"\(id)\"")
        }
        let rev = st.proposal.current
        var body: JSONObject = [
            "proposal": .string(id), "revision": .integer(Int64(rev.entryIndex)),
            "revisionHash": .string(rev.leafHash.base64), "outcome": .string(outcome ?? st.state.rawValue),
        ]
        if let note { body["note"] = .string(note) }
        return ConsensusStatement(kind: "decision", body: .object(body))
    }
}
