import ControlCodes
import LedgerCore
import LedgerCrypto

// Positions: a party's stance on the current revision of a proposal.

extension NegotiationRules {
    static let positionFields = FieldSet(["proposal", "revision", "revisionHash", "party", "stance", "reason"])

    /// The fields of a `position` body, read and checked without the state: the part of a
    /// position's checks that a parallel replay does on every core (see ``prepare(_:)``).
    struct PositionBody: Sendable, Hashable {
        let proposal: String
        let party: String
        let revision: Int64
        let revisionHash: RevisionHash
        let stance: Stance
        let reason: String?
    }

    /// `delegation`: the signer's delegation record, already looked up (nil when it has none).
    mutating func applyPosition(_ entry: Entry, prepared: Prepared, delegation: Delegation?) throws(LedgerError) {
        let body: PositionBody
        if let p = prepared.position {
            body = try p.get()
        } else {
            body = try PositionBody(BodyReader(entry.statement.canonicalBody, kind: "position"))
        }
        try applyPosition(
            body, index: entry.index, time: entry.time, signer: entry.statement.signer, delegation: delegation)
    }

    /// Checks and records position `body` of the entry at `index`, logged at `time` and
    /// signed by `signer` (whose delegation record is `delegation`).
    mutating func applyPosition(
        _ body: PositionBody, index: UInt64, time: Timestamp, signer: NoteVerifierKey, delegation: Delegation?
    ) throws(LedgerError) {
        let kind = "position"
        let i = try proposalPosition(body.proposal, kind: kind)
        let ref = charterList[proposalCharterSlots[i]]
        if !trustsSigners {
            try NegotiationRules.requireDelegation(
                kind: kind, signer: signer, forum: ref.id, party: body.party, record: delegation)
        }
        try NegotiationRules.requireParty(body.party, role: ref.roles[body.party], forum: ref.id, kind: kind)
        // The rest works on the proposal in place, so that it is never copied.
        try NegotiationRules.position(
            body, on: &proposals[i], rule: ref.rule, parties: ref.parties, index: index, time: time)
    }

    /// Checks and records a position on `p`, whose forum has charter rule `rule` and
    /// `parties`.
    static func position(
        _ b: PositionBody, on p: inout Proposal, rule: DecisionRule, parties: [String], index: UInt64, time: Timestamp
    ) throws(LedgerError) {
        let kind = "position"
        let effective = p.effectiveRule(charterRule: rule)
        try p.requireLive(rule: effective, parties: parties, at: time, kind: kind)
        try requireCurrentRevision(kind, revision: b.revision, hash: b.revisionHash, id: p.id, revisions: p.revisions)
        if p.positions.isEmpty { p.positions.reserveCapacity(parties.count) }
        try p.record(
            Proposal.Position(party: b.party, stance: b.stance, reason: b.reason, entryIndex: index, time: time),
            rule: effective, parties: parties)
    }
}

extension NegotiationRules.PositionBody {
    /// Reads and checks a `position` body: in one pass when it is well formed and canonical
    /// (``fast(_:)``), else field by field, giving the error.
    init(_ r: BodyReader) throws(LedgerError) {
        if let body = Self.fast(r) {
            self = body
        } else {
            try self.init(fieldByField: r)
        }
    }

    /// Reads and checks a `position` body field by field, whatever its form.
    init(fieldByField r: BodyReader) throws(LedgerError) {
        try r.only(NegotiationRules.positionFields)
        proposal = try r.string("proposal")
        party = try r.string("party")
        revision = try r.integer("revision")
        if let d = try r.base64Digest("revisionHash") {
            revisionHash = .digest(d)
        } else {
            revisionHash = .text(try r.string("revisionHash"))
        }
        let stanceText = try r.string("stance")
        guard let stance = Stance(rawValue: stanceText) else {
            throw r.fail(
                "stance",
                "\"\(stanceText)\" is not one of \(Stance.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.stance = stance
        reason = try r.optionalString("reason")
        if stance.requiresReason && (reason ?? "").isEmpty {
            throw r.fail("reason", "is required with stance \(stance.rawValue)")
        }
    }
}
