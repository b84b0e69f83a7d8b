import ControlCodes
import LedgerCore
import LedgerCrypto

/// The consensus engine: ledger rules for forums, delegations, proposals, positions and
/// decisions, on top of ``CoreRules``.
///
/// Every entry's signer is checked by the core first; core kinds are handled by the core;
/// the kinds below are handled here. Each handler validates everything before it changes
/// anything, so a refused entry leaves the state unchanged.
///
/// | kind | signer |
/// |---|---|
/// | `forum.charter` | the operator |
/// | `secretariat.register` | the operator |
/// | `delegation.register`, `delegation.revoke` | the forum's secretariat |
/// | `proposal`, `proposal.amend`, `proposal.withdraw`, `position` | a delegation of the party named |
/// | `decision` | the forum's secretariat |
/// | `list.publish`, `finding.review` | any registered signer |
public struct NegotiationRules: LedgerRules {
    public private(set) var core = CoreRules()
    public var authority: Authority { core.authority }

    /// Charters by forum id (as amended by adopted charter amendments).
    public private(set) var forums: [String: ForumCharter] = [:]
    /// The same charters as immutable references, in the order of ``forumOrder``, so that
    /// applying a position reads its charter without copying it.
    var charterList: [CharterRef] = []
    /// The position of each forum's charter in ``charterList``.
    var charterSlots: [String: Int] = [:]
    /// The position in ``charterList`` of each proposal's forum, in the order of ``proposals``.
    var proposalCharterSlots: [Int] = []
    /// What applying a position reads of a charter, in fields of their own (reading a whole
    /// charter out of a reference would copy it).
    final class CharterRef: Sendable {
        let id: String
        let parties: [String]
        let rule: DecisionRule
        /// ``ForumCharter/role(of:)`` of every party, candidate and observer.
        let roles: [String: ForumCharter.Participation]

        init(_ c: ForumCharter) {
            id = c.id
            parties = c.parties
            rule = c.rule
            var roles = [String: ForumCharter.Participation]()
            for name in c.parties + c.candidates + c.observers { roles[name] = c.role(of: name) }
            self.roles = roles
        }
    }
    /// Forum ids in the order their charters were logged.
    public private(set) var forumOrder: [String] = []
    /// The entry index of each forum's charter.
    public private(set) var charterEntries: [String: UInt64] = [:]
    /// Proposals in the order they were tabled.
    public private(set) var proposals: [Proposal] = []
    var proposalIndex: [String: Int] = [:]
    public private(set) var publishedLists: [PublishedList] = []
    public private(set) var findingReviews: [FindingReview] = []
    /// The forum and party of every delegation key registered (revocation is the core's
    /// signer check), so that checking a position's signer copies no key record.
    var delegationIndex: [NoteVerifierKey: Delegation] = [:]
    struct Delegation: Sendable {
        let forum: String
        let party: String
        let registeredAt: UInt64
        var revokedAt = UInt64.max

        /// As ``Authority/KeyRecord/isActive(at:)``.
        func isActive(at index: UInt64) -> Bool { registeredAt < index && index < revokedAt }
    }
    /// ``Authority/revocations`` when ``delegationIndex`` last copied the revocations.
    var delegationRevocations = 0

    /// Copies revocations made through the core (`key.revoke`) or `delegation.revoke` into
    /// ``delegationIndex``.
    mutating func syncDelegationRevocations() {
        for (key, d) in delegationIndex where d.revokedAt == UInt64.max {
            if let at = authority.record(for: key)?.revokedAt { delegationIndex[key]?.revokedAt = at }
        }
        delegationRevocations = core.authority.revocations
    }

    /// Entries applied so far.
    public private(set) var entryCount: UInt64 = 0
    /// The log time of the last entry applied.
    public private(set) var lastTime = Timestamp(secondsSinceEpoch: 0)
    /// When true, signers are not checked: only for replaying part of a ledger that was
    /// verified in full (see ``ProposalIndex``).
    var trustsSigners = false

    public init() {}

    /// Rules for replaying a subset of a verified ledger's entries against known charters,
    /// without checking signers (see ``ProposalIndex``).
    init(trustedReplayWith charters: [ForumCharter]) {
        trustsSigners = true
        for c in charters { addCharter(c) }
    }

    /// The kinds these rules handle besides ``CoreRules/kinds``.
    public static let kinds: Set<String> = [
        "forum.charter", "secretariat.register", "delegation.register", "delegation.revoke", "proposal",
        "proposal.amend",
        "proposal.withdraw", "position", "decision", "list.publish", "finding.review",
    ]

    public mutating func apply(_ entry: Entry, leafHash: Digest) throws(LedgerError) {
        try apply(entry, prepared: .none, leafHash: leafHash)
    }

    /// Applies `entry`, given what ``prepare(_:)`` read from it.
    public mutating func apply(_ entry: Entry, prepared: Prepared, leafHash: Digest) throws(LedgerError) {
        if entry.statement.kind == "position" {
            // Positions are nearly every entry of a negotiation: dispatch them first, and when
            // the signer is an active delegation key, look it up once for both signer checks.
            if core.authority.revocations != delegationRevocations { syncDelegationRevocations() }
            let d = trustsSigners ? nil : delegationIndex[entry.statement.signer]
            if !trustsSigners && !(d?.isActive(at: entry.index) ?? false) { try core.checkSigner(entry) }
            try applyPosition(entry, prepared: prepared, delegation: d)
        } else {
            if !trustsSigners { try core.checkSigner(entry) }
            if try !core.applyCoreKind(entry) {
                switch entry.statement.kind {
                case "forum.charter": try applyCharter(entry)
                case "secretariat.register": try applySecretariat(entry)
                case "delegation.register": try applyDelegationRegister(entry)
                case "delegation.revoke": try applyDelegationRevoke(entry)
                case "proposal": try applyProposal(entry, leafHash: leafHash)
                case "proposal.amend": try applyAmend(entry, leafHash: leafHash)
                case "proposal.withdraw": try applyWithdraw(entry)
                case "decision": try applyDecision(entry)
                case "list.publish": publishedLists.append(try PublishedList(entry: entry))
                case "finding.review": findingReviews.append(try FindingReview(entry: entry))
                default: throw .unknownKind("unknown kind \"\(entry.statement.kind)\"")
                }
            }
        }
        entryCount = entry.index + 1
        lastTime = entry.time
    }

    // MARK: Lookups

    /// The proposal with `id`, as last stored (see ``status(of:at:)`` for its state at an instant).
    /// The proposal with id `id`, compared as bytes (an id outside the grammar names nothing).
    public func proposal(_ id: String) -> Proposal? {
        guard Codes.isIdentifier(id) else { return nil }
        return proposalIndex[id].map { proposals[$0] }
    }

    /// The charter of `forum`.
    public func forum(_ id: String) -> ForumCharter? { Codes.isForumID(id) ? forums[id] : nil }

    // MARK: Signers

    func requireOperator(_ entry: Entry) throws(LedgerError) {
        guard entry.statement.signer == authority.operatorKey else {
            throw .unauthorized("\(entry.statement.kind) must be signed by the operator key")
        }
    }

    /// Throws unless the signer is the secretariat of `forum`.
    func requireSecretariat(_ entry: Entry, forum: String) throws(LedgerError) {
        if trustsSigners { return }
        let r = authority.record(for: entry.statement.signer)
        guard r?.role == "secretariat", r?.attributes["forum"] == forum else {
            throw .unauthorized(
                "\(entry.statement.kind): signer \(entry.statement.signer.name) is not the \(forum) secretariat")
        }
    }

    /// Throws unless the signer is a delegation of `party` in `forum`.
    func requireDelegation(_ entry: Entry, forum: String, party: String) throws(LedgerError) {
        if trustsSigners { return }
        try NegotiationRules.requireDelegation(
            kind: entry.statement.kind, signer: entry.statement.signer, forum: forum, party: party,
            record: delegationIndex[entry.statement.signer])
    }

    /// As ``requireDelegation(_:forum:party:)`` for an entry of `kind` signed by `signer`,
    /// given the signer's delegation record (nil when it has none) already looked up.
    static func requireDelegation(
        kind: String, signer: NoteVerifierKey, forum: String, party: String, record d: Delegation?
    ) throws(LedgerError) {
        guard let d, d.forum == forum else {
            throw .unauthorized("\(kind): signer \(signer.name) is not a \(forum) delegation")
        }
        guard d.party == party else {
            throw .unauthorized("\(kind).party: signer \(signer.name) is the delegation of \(d.party), not \(party)")
        }
    }

    /// Throws unless `party` is a full party of `charter` (observers and candidates may not act).
    static func requireParty(_ party: String, of charter: ForumCharter, kind: String) throws(LedgerError) {
        try requireParty(party, role: charter.role(of: party), forum: charter.id, kind: kind)
    }

    /// As ``requireParty(_:of:kind:)``, given the party's role in `forum`.
    static func requireParty(_ party: String, role: ForumCharter.Participation?, forum: String, kind: String)
        throws(LedgerError)
    {
        // Checked as bytes before the role counts: the role was looked up by `String`
        // equality, under which `\u{212A}R` (KELVIN SIGN) finds `KR`.
        guard Codes.isPartyGrammar(party) else {
            throw .invalidBody("\(kind).party: \"\(party)\" is not an ISO 3166-1 alpha-2 code or EU")
        }
        switch role {
        case .party: return
        case .observer:
            throw .refused("\(kind).party: \(party) is an observer of \(forum) and may not take positions or propose")
        case .candidate:
            throw .refused("\(kind).party: \(party) is a candidate of \(forum) and may not take positions or propose")
        case nil: throw .refused("\(kind).party: \(party) is not a member of \(forum)")
        }
    }

    func charter(_ id: String, kind: String) throws(LedgerError) -> ForumCharter {
        // Ids are compared as bytes: only ASCII in the grammar reaches the dictionary, whose
        // `String` keys compare by canonical equivalence (U+212A KELVIN SIGN equals `K`).
        guard Codes.isForumID(id) else {
            throw .invalidBody("\(kind).forum: \"\(id)\" is not a forum id (1–32 of A–Z a–z 0–9 . _ -)")
        }
        guard let c = forums[id] else { throw .refused("\(kind).forum: no charter for forum \"\(id)\"") }
        return c
    }

    func proposalPosition(_ id: String, kind: String) throws(LedgerError) -> Int {
        guard Codes.isIdentifier(id) else {
            throw .invalidBody("\(kind).proposal: \"\(id)\" is not a proposal id (1–64 of A–Z a–z 0–9 . _ -)")
        }
        guard let i = proposalIndex[id] else { throw .refused("\(kind).proposal: unknown proposal \"\(id)\"") }
        return i
    }

    // MARK: Forums and delegations

    mutating func applyCharter(_ entry: Entry) throws(LedgerError) {
        try requireOperator(entry)
        let c = try ForumCharter(json: entry.statement.body)
        guard forums[c.id] == nil else {
            throw .refused(
                "forum.charter.id: forum \(c.id) already has a charter (entry \(charterEntries[c.id]!)); amend it by proposal"
            )
        }
        addCharter(c)
        charterEntries[c.id] = entry.index
    }

    /// Records the charter of a new forum.
    mutating func addCharter(_ c: ForumCharter) {
        forums[c.id] = c
        forumOrder.append(c.id)
        charterSlots[c.id] = charterList.count
        charterList.append(CharterRef(c))
    }

    mutating func applySecretariat(_ entry: Entry) throws(LedgerError) {
        try requireOperator(entry)
        let r = BodyReader(entry.statement.canonicalBody, kind: "secretariat.register")
        try r.only(["forum", "vkey"])
        let forum = try r.string("forum")
        _ = try charter(forum, kind: r.kind)
        let key = try r.verifierKey("vkey")
        try core.withAuthority { (a: inout Authority) throws(LedgerError) in
            try a.register(
                key, role: "secretariat", attributes: ["forum": forum], at: entry.index, by: entry.statement.signer)
        }
    }

    mutating func applyDelegationRegister(_ entry: Entry) throws(LedgerError) {
        let r = BodyReader(entry.statement.canonicalBody, kind: "delegation.register")
        try r.only(["forum", "party", "vkey"])
        let forum = try r.string("forum")
        let c = try charter(forum, kind: r.kind)
        try requireSecretariat(entry, forum: forum)
        let party = try r.string("party")
        guard Codes.isParty(party) else {
            throw r.fail("party", "\"\(party)\" is not an ISO 3166-1 alpha-2 code or EU")
        }
        guard c.role(of: party) != nil else {
            throw .refused("delegation.register.party: \(party) does not take part in \(forum)")
        }
        let key = try r.verifierKey("vkey")
        try core.withAuthority { (a: inout Authority) throws(LedgerError) in
            try a.register(
                key, role: "delegation", attributes: ["forum": forum, "party": party], at: entry.index,
                by: entry.statement.signer)
        }
        delegationIndex[key] = Delegation(forum: forum, party: party, registeredAt: entry.index)
    }

    mutating func applyDelegationRevoke(_ entry: Entry) throws(LedgerError) {
        let r = BodyReader(entry.statement.canonicalBody, kind: "delegation.revoke")
        try r.only(["forum", "party", "vkey"])
        let forum = try r.string("forum")
        _ = try charter(forum, kind: r.kind)
        try requireSecretariat(entry, forum: forum)
        let party = try r.string("party")
        guard Codes.isParty(party) else {
            throw r.fail("party", "\"\(party)\" is not an ISO 3166-1 alpha-2 code or EU")
        }
        let key = try r.verifierKey("vkey")
        let rec = authority.record(for: key)
        guard rec?.role == "delegation", rec?.attributes["forum"] == forum, rec?.attributes["party"] == party else {
            throw .refused("delegation.revoke.vkey: \(key.name) is not a \(forum) delegation key of \(party)")
        }
        try core.withAuthority { (a: inout Authority) throws(LedgerError) in try a.revoke(key, at: entry.index) }
    }

    // MARK: Proposals

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

    func requireProposer(_ entry: Entry, _ p: Proposal, kind: String) throws(LedgerError) {
        if trustsSigners { return }
        let rec = authority.record(for: entry.statement.signer)
        guard rec?.role == "delegation", rec?.attributes["forum"] == p.forum, rec?.attributes["party"] == p.party else {
            throw .unauthorized(
                "\(kind) \(p.id): only the proposer (\(p.party) in \(p.forum)) may do this; signer \(entry.statement.signer.name) is not its delegation"
            )
        }
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
                "\(kind).revision: stale revision \(rev.number) (entry \(index)); the current revision of \(id) is \(current.number) (entry \(current.entryIndex))"
            )
        }
    }

    static let positionFields = FieldSet(["proposal", "revision", "revisionHash", "party", "stance", "reason"])
    static let proposalFields = FieldSet(
        Measure.fields.union(["id", "forum", "party", "procedure", "deadline", "supersedes"]))
    static let amendFields = FieldSet(Measure.fields.union(["proposal", "deadline"]))

    /// The fields of a `position` body, read and checked without the state: the part of a
    /// position's checks that a parallel replay does on every core (see ``prepare(_:)``).
    struct PositionBody: Sendable, Hashable {
        let proposal: String
        let party: String
        let revision: Int64
        let revisionHash: RevisionHash
        let stance: Stance
        let reason: String?

        /// Reads a well-formed body in one pass over its members in canonical key order
        /// (`party`, `proposal`, `reason`, `revision`, `revisionHash`, `stance`); nil whenever
        /// anything differs from that, and ``init(_:)`` then reads the body or gives the error.
        /// Whenever it gives a body, it is the one ``init(_:)`` gives.
        static func fast(_ r: BodyReader) -> PositionBody? {
            let read = r.withMembers { m -> PositionBody? in
                guard m.count == 5 || m.count == 6 else { return nil }
                guard m.key(0, is: "party"), let party = m.plainString(0), m.key(1, is: "proposal"),
                    let proposal = m.plainString(1)
                else { return nil }
                var i = 2
                var reason: String?
                if m.count == 6 {
                    guard m.key(2, is: "reason"), let text = m.plainString(2) else { return nil }
                    reason = String(decoding: text, as: UTF8.self)
                    i = 3
                }
                guard m.key(i, is: "revision"), let revision = m.integer(i), m.key(i + 1, is: "revisionHash"),
                    let hashText = m.plainString(i + 1), let hash = Digest(base64UTF8: hashText),
                    m.key(i + 2, is: "stance"), let stanceText = m.plainString(i + 2),
                    let stance = Stance(utf8: stanceText)
                else { return nil }
                if stance.requiresReason && (reason ?? "").isEmpty { return nil }
                return PositionBody(
                    proposal: String(decoding: proposal, as: UTF8.self), party: String(decoding: party, as: UTF8.self),
                    revision: revision, revisionHash: .digest(hash), stance: stance, reason: reason)
            }
            return read ?? nil
        }

        init(
            proposal: String, party: String, revision: Int64, revisionHash: RevisionHash, stance: Stance,
            reason: String?
        ) {
            self.proposal = proposal
            self.party = party
            self.revision = revision
            self.revisionHash = revisionHash
            self.stance = stance
            self.reason = reason
        }

        init(_ r: BodyReader) throws(LedgerError) {
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

    /// A revision's leaf hash as a position or decision names it: a digest, or the text when
    /// it is not base64 of 32 bytes (refused once the revision is known to exist).
    enum RevisionHash: Sendable, Hashable {
        case digest(Digest)
        case text(String)
    }

    /// What can be read from an entry before the state is known.
    public struct Prepared: Sendable {
        var position: Result<PositionBody, LedgerError>?
        public static let none = Prepared(position: nil)
    }

    /// Reads the parts of `entry` that do not depend on the state. Pure, so a replay runs it
    /// on every core and then applies the entries in order with ``apply(_:prepared:leafHash:)``.
    public static func prepare(_ entry: Entry) -> Prepared {
        guard entry.statement.kind == "position" else { return .none }
        let r = BodyReader(entry.statement.canonicalBody, kind: "position")
        return Prepared(position: Result { () throws(LedgerError) in try PositionBody(r) })
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

    // MARK: Positions read without an entry

    /// A position read straight from its leaf by ``LeafScanner``, with its body checked: what
    /// a replay needs to apply it, without building an ``Entry``.
    public struct PositionRecord: Sendable {
        let header: LeafScanner.Header
        let body: PositionBody
    }

    /// Reads a position leaf on the scanner's fast path; nil for any other leaf, and for a
    /// position whose body has a problem (`Entry(leaf:)` and ``apply(_:prepared:leafHash:)``
    /// then give the error).
    public static func readPosition(_ raw: UnsafeRawBufferPointer, scanner: inout LeafScanner) -> PositionRecord? {
        let r = scanner.read(raw, kind: "position") { header, reader in
            (PositionBody.fast(reader) ?? (try? PositionBody(reader))).map { PositionRecord(header: header, body: $0) }
        }
        return r ?? nil
    }

    /// Applies a position read by ``readPosition(_:scanner:)``, with the same result as
    /// applying its entry. `entry` gives that entry, for the rare case that needs it: a signer
    /// that is not an active delegation key, which the core checks.
    public mutating func apply(_ r: PositionRecord, entry: () throws(LedgerError) -> Entry) throws(LedgerError) {
        if core.authority.revocations != delegationRevocations { syncDelegationRevocations() }
        let d = trustsSigners ? nil : delegationIndex[r.header.signer]
        guard trustsSigners || (d?.isActive(at: r.header.index) ?? false) else {
            // A position's leaf hash is not used.
            try apply(try entry(), prepared: Prepared(position: .success(r.body)), leafHash: .zero)
            return
        }
        try applyPosition(r.body, index: r.header.index, time: r.header.time, signer: r.header.signer, delegation: d)
        entryCount = r.header.index + 1
        lastTime = r.header.time
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
                "decision \(p.id): records \(outcome.rawValue) but the computed state at \(entry.time) is \(settled.rawValue)"
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
