import ControlCodes
import LedgerCore
import LedgerCrypto

// Proposals and decisions: `proposal`, `proposal.amend`, `proposal.withdraw` and `decision`.

extension NegotiationRules {
    static let proposalFields = FieldSet(
        Measure.fields.union(["id", "forum", "party", "procedure", "deadline", "supersedes"]))
    static let amendFields = FieldSet(Measure.fields.union(["proposal", "deadline"]))

    /// Reads the optional `deadline` field: an RFC 3339 instant after the entry's log time.
    func deadline(_ r: BodyReader, entry: Entry, charter: ForumCharter) throws(LedgerError) -> Timestamp {
        guard r.has("deadline") else {
            return entry.time.adding(seconds: Int64(charter.defaultDeadlineDays) * 86_400)
        }
        let d = try r.timestamp("deadline")
        guard d > entry.time else { throw r.fail("deadline", "\(d) is not after the entry's log time \(entry.time)") }
        guard d.secondsSinceEpoch - entry.time.secondsSinceEpoch <= Int64(ForumCharter.maxDeadlineDays) * 86_400 else {
            throw r.fail("deadline", "is more than \(ForumCharter.maxDeadlineDays) days away")
        }
        return d
    }

    func checkAmendment(_ m: Measure, charter c: ForumCharter, kind: String) throws(LedgerError) {
        guard let a = m.charterAmendment else { return }
        for p in a.accede where c.parties.contains(p) {
            throw .refused("\(kind).charterAmendment.accede: \(p) is already a party of \(c.id)")
        }
        for p in a.withdraw where !c.parties.contains(p) {
            throw .refused("\(kind).charterAmendment.withdraw: \(p) is not a party of \(c.id)")
        }
        for p in a.withdraw where c.rule.namedParties.contains(p) {
            throw .refused("\(kind).charterAmendment.withdraw: \(p) is named in \(c.id)'s decision rule \(c.rule)")
        }
        guard c.parties.count - a.withdraw.count >= 1 else {
            throw .refused("\(kind).charterAmendment.withdraw: a forum needs a party")
        }
    }

    mutating func applyProposal(_ entry: Entry, leafHash: Digest) throws(LedgerError) {
        let kind = "proposal"
        let r = BodyReader(entry.statement.canonicalBody, kind: kind)
        try r.only(NegotiationRules.proposalFields)
        let id = try r.string("id")
        guard Codes.isIdentifier(id) else {
            throw r.fail("id", "\"\(id)\" must be 1–64 characters of A–Z, a–z, 0–9, '.', '_', '-'")
        }
        let forum = try r.string("forum")
        let c = try charter(forum, kind: kind)
        let party = try r.string("party")
        try requireDelegation(entry, forum: forum, party: party)
        try NegotiationRules.requireParty(party, of: c, kind: kind)
        guard proposalIndex[id] == nil else { throw .refused("proposal.id: proposal \(id) already exists") }
        let procText = try r.optionalString("procedure") ?? "standard"
        guard let procedure = Proposal.Procedure(rawValue: procText) else {
            throw r.fail("procedure", "must be standard or silence")
        }
        let measure = try Measure(reading: r)
        try checkAmendment(measure, charter: c, kind: kind)
        let deadline = try deadline(r, entry: entry, charter: c)
        let supersedes = try r.optionalString("supersedes")
        var oldIndex: Int?
        if let s = supersedes, !(trustsSigners && Codes.isIdentifier(s) && proposalIndex[s] == nil) {
            let i = try proposalPosition(s, kind: "proposal.supersedes")
            let old = proposals[i]
            guard old.forum == forum, old.party == party else {
                throw .refused("proposal.supersedes: \(s) is not a \(forum) proposal of \(party)")
            }
            try old.requireLive(
                rule: rule(for: old), parties: forums[old.forum]!.parties, at: entry.time, kind: "proposal.supersedes")
            oldIndex = i
        }
        let revision = Proposal.Revision(
            number: 1, entryIndex: entry.index, leafHash: leafHash, time: entry.time, deadline: deadline,
            measure: measure)
        // Validated; now change the state.
        if let i = oldIndex {
            try proposals[i].end(.supersede, at: entry.index)
            proposals[i].supersededBy = id
        }
        proposalIndex[id] = proposals.count
        proposalCharterSlots.append(charterSlots[forum]!)
        proposals.append(
            Proposal(
                id: id, forum: forum, party: party, procedure: procedure, supersedes: supersedes, revision: revision))
    }

    /// The rule `p` is decided under.
    func rule(for p: Proposal) -> DecisionRule { p.effectiveRule(charterRule: forums[p.forum]!.rule) }

    mutating func applyAmend(_ entry: Entry, leafHash: Digest) throws(LedgerError) {
        let kind = "proposal.amend"
        let r = BodyReader(entry.statement.canonicalBody, kind: kind)
        try r.only(NegotiationRules.amendFields)
        let i = try proposalPosition(try r.string("proposal"), kind: kind)
        let p = proposals[i]
        let c = forums[p.forum]!
        try requireProposer(entry, p, kind: kind)
        try p.requireLive(rule: rule(for: p), parties: c.parties, at: entry.time, kind: kind)
        let measure = try Measure(reading: r)
        try checkAmendment(measure, charter: c, kind: kind)
        let revision = Proposal.Revision(
            number: p.revisions.count + 1, entryIndex: entry.index, leafHash: leafHash, time: entry.time,
            deadline: try deadline(r, entry: entry, charter: c), measure: measure)
        try proposals[i].table(revision)
    }

    mutating func applyWithdraw(_ entry: Entry) throws(LedgerError) {
        let kind = "proposal.withdraw"
        let r = BodyReader(entry.statement.canonicalBody, kind: kind)
        try r.only(["proposal", "reason"])
        let i = try proposalPosition(try r.string("proposal"), kind: kind)
        _ = try r.optionalString("reason")
        let p = proposals[i]
        try requireProposer(entry, p, kind: kind)
        try p.requireLive(rule: rule(for: p), parties: forums[p.forum]!.parties, at: entry.time, kind: kind)
        try proposals[i].end(.withdraw, at: entry.index)
    }

    /// Reads `revision` and `revisionHash` and throws unless they name the current revision
    /// of proposal `id`.
    static func requireCurrentRevision(_ r: BodyReader, id: String, revisions: [Proposal.Revision]) throws(LedgerError)
    {
        let index = try r.integer("revision")
        let text = try r.string("revisionHash")
        let hash = Digest(base64: text).map(RevisionHash.digest) ?? .text(text)
        try requireCurrentRevision(r.kind, revision: index, hash: hash, id: id, revisions: revisions)
    }

    /// Throws unless entry `index` with leaf hash `hash` is the current revision of `id`.
    static func requireCurrentRevision(
        _ kind: String, revision index: Int64, hash: RevisionHash, id: String, revisions: [Proposal.Revision]
    ) throws(LedgerError) {
        guard let rev = revisions.last(where: { $0.entryIndex == UInt64(max(0, index)) }) else {
            throw .refused("\(kind).revision: entry \(index) is not a revision of \(id)")
        }
        guard case .digest(let d) = hash else {
            throw .invalidBody("\(kind).revisionHash: must be base64 of 32 bytes")
        }
        if d != rev.leafHash {
            throw .refused(
                "\(kind).revisionHash: does not match the leaf hash of entry \(index) (\(rev.leafHashBase64))")
        }
        let current = revisions[revisions.count - 1]
        guard rev.entryIndex == current.entryIndex else {
            throw .refused(
                "\(kind).revision: stale revision \(rev.number) (entry \(index))"
                    + "; the current revision of \(id) is \(current.number) (entry \(current.entryIndex))"
            )
        }
    }

    /// A revision's leaf hash as a position or decision names it: a digest, or the text when
    /// it is not base64 of 32 bytes (refused once the revision is known to exist).
    enum RevisionHash: Sendable, Hashable {
        case digest(Digest)
        case text(String)
    }

    /// The outcomes a decision entry may record.
    public static let decisionOutcomes: [ProposalLifecycle.State] = [.adopted, .blocked, .lapsed]

    mutating func applyDecision(_ entry: Entry) throws(LedgerError) {
        let kind = "decision"
        let r = BodyReader(entry.statement.canonicalBody, kind: kind)
        try r.only(["proposal", "revision", "revisionHash", "outcome", "note"])
        let i = try proposalPosition(try r.string("proposal"), kind: kind)
        let p = proposals[i]
        try requireSecretariat(entry, forum: p.forum)
        try NegotiationRules.requireCurrentRevision(r, id: p.id, revisions: p.revisions)
        let outcomeText = try r.string("outcome")
        guard let outcome = ProposalLifecycle.State(rawValue: outcomeText),
            NegotiationRules.decisionOutcomes.contains(outcome)
        else {
            throw r.fail("outcome", "\"\(outcomeText)\" is not adopted, blocked or lapsed")
        }
        let note = try r.optionalString("note")
        let c = forums[p.forum]!
        let settled = p.settledLifecycle(rule: rule(for: p), parties: c.parties, at: entry.time).state
        guard settled == outcome else {
            throw .refused(
                "decision \(p.id): records \(outcome.rawValue)"
                    + " but the computed state at \(entry.time) is \(settled.rawValue)"
            )
        }
        if outcome.isFinal, let d = p.decisions.first(where: { $0.outcome == outcome }) {
            throw .refused("decision \(p.id): \(outcome.rawValue) was already recorded at entry \(d.entryIndex)")
        }
        // Validated; now change the state.
        proposals[i].settle(rule: rule(for: p), parties: c.parties, at: entry.time)
        proposals[i].decisions.append(
            Proposal.Decision(
                outcome: outcome, revisionNumber: p.current.number, entryIndex: entry.index, time: entry.time,
                note: note))
        proposals[i].entryIndices.append(entry.index)
        if outcome == .adopted, let a = p.measure.charterAmendment {
            forums[p.forum]!.apply(a)
            charterList[charterSlots[p.forum]!] = CharterRef(forums[p.forum]!)
            let parties = forums[p.forum]!.parties
            // The membership changed: every live ballot of the forum is counted again.
            for k in proposals.indices where proposals[k].forum == p.forum && !proposals[k].lifecycle.state.isFinal {
                proposals[k].recount(parties: parties)
                let rule = rule(for: proposals[k])
                proposals[k].settle(rule: rule, parties: parties, at: entry.time)
                proposals[k].rebalance(rule: rule, parties: parties, at: entry.time, index: entry.index)
            }
        }
    }
}
