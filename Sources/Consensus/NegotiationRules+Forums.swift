import ControlCodes
import LedgerCore
import LedgerCrypto

// Forums, secretariats and delegations: `forum.charter`, `secretariat.register`,
// `delegation.register` and `delegation.revoke`.

extension NegotiationRules {
    mutating func applyCharter(_ entry: Entry) throws(LedgerError) {
        try requireOperator(entry)
        let c = try ForumCharter(json: entry.statement.body)
        guard forums[c.id] == nil else {
            throw .refused(
                "forum.charter.id: forum \(c.id) already has a charter (entry \(charterEntries[c.id]!))"
                    + "; amend it by proposal"
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
        guard NegotiationRules.isDelegation(authority.record(for: key), forum: forum, party: party) else {
            throw .refused("delegation.revoke.vkey: \(key.name) is not a \(forum) delegation key of \(party)")
        }
        try core.withAuthority { (a: inout Authority) throws(LedgerError) in try a.revoke(key, at: entry.index) }
    }
}
