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
    public internal(set) var core = CoreRules()
    public var authority: Authority { core.authority }

    /// Charters by forum id (as amended by adopted charter amendments).
    public internal(set) var forums: [String: ForumCharter] = [:]
    /// The same charters as immutable references, in the order of ``forumOrder``, so that
    /// applying a position reads its charter without copying it.
    var charterList: [CharterRef] = []
    /// The position of each forum's charter in ``charterList``.
    var charterSlots: [String: Int] = [:]
    /// The position in ``charterList`` of each proposal's forum, in the order of ``proposals``.
    var proposalCharterSlots: [Int] = []
    /// Forum ids in the order their charters were logged.
    public internal(set) var forumOrder: [String] = []
    /// The entry index of each forum's charter.
    public internal(set) var charterEntries: [String: UInt64] = [:]
    /// Proposals in the order they were tabled.
    public internal(set) var proposals: [Proposal] = []
    var proposalIndex: [String: Int] = [:]
    public internal(set) var publishedLists: [PublishedList] = []
    public internal(set) var findingReviews: [FindingReview] = []
    /// The forum and party of every delegation key registered (revocation is the core's
    /// signer check), so that checking a position's signer copies no key record.
    var delegationIndex: [NoteVerifierKey: Delegation] = [:]
    /// ``Authority/revocations`` when ``delegationIndex`` last copied the revocations.
    var delegationRevocations = 0

    /// Entries applied so far.
    public internal(set) var entryCount: UInt64 = 0
    /// The log time of the last entry applied.
    public internal(set) var lastTime = Timestamp(secondsSinceEpoch: 0)
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
        "proposal.amend", "proposal.withdraw", "position", "decision", "list.publish", "finding.review",
    ]

    public mutating func apply(_ entry: Entry, leafHash: Digest) throws(LedgerError) {
        try apply(entry, prepared: .none, leafHash: leafHash)
    }

    /// Applies `entry`, given what ``prepare(_:)`` read from it.
    public mutating func apply(_ entry: Entry, prepared: Prepared, leafHash: Digest) throws(LedgerError) {
        if entry.statement.kind == "position" {
            // Positions are nearly every entry of a negotiation: dispatch them first, and when
            // the signer is an active delegation key, look it up once for both signer checks.
            let d = trustsSigners ? nil : activeDelegation(entry.statement.signer, at: entry.index)
            if !trustsSigners && d == nil { try core.checkSigner(entry) }
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

    /// The proposal with id `id`, as last stored (see ``status(of:at:)`` for its state at an
    /// instant), compared as bytes (an id outside the grammar names nothing).
    public func proposal(_ id: String) -> Proposal? {
        guard Codes.isIdentifier(id) else { return nil }
        return proposalIndex[id].map { proposals[$0] }
    }

    /// The charter of `forum`.
    public func forum(_ id: String) -> ForumCharter? { Codes.isForumID(id) ? forums[id] : nil }

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
}
