import ControlCodes
import LedgerCore
import LedgerCrypto

// Who may sign what: the signer rules of the table in ``NegotiationRules``, and the rights
// a signer's party has in a forum. Signers are checked by the core first (registered, not
// revoked as of the entry); these rules add the roles.

extension NegotiationRules {
    /// Throws unless the signer is the operator.
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

    /// Whether `record` is a delegation key of `party` in `forum`.
    static func isDelegation(_ record: Authority.KeyRecord?, forum: String, party: String) -> Bool {
        record?.role == "delegation" && record?.attributes["forum"] == forum && record?.attributes["party"] == party
    }

    /// Throws unless the signer is a delegation of the party that tabled `p`.
    func requireProposer(_ entry: Entry, _ p: Proposal, kind: String) throws(LedgerError) {
        if trustsSigners { return }
        let rec = authority.record(for: entry.statement.signer)
        guard NegotiationRules.isDelegation(rec, forum: p.forum, party: p.party) else {
            throw .unauthorized(
                "\(kind) \(p.id): only the proposer (\(p.party) in \(p.forum)) may do this"
                    + "; signer \(entry.statement.signer.name) is not its delegation"
            )
        }
    }
}
