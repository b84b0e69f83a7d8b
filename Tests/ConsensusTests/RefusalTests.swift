import Consensus
import LedgerCore
import LedgerCrypto
import Testing

/// Every refusal path of issue 3 §9: each is one line naming the entry or field, and nothing
/// is appended.
@Suite struct RefusalTests {
    let f: NegotiationFixture

    init() throws {
        var g7 = Forums.g7
        g7.observers = ["KR"]
        f = try NegotiationFixture(forums: [g7, Forums.quad])
        try f.propose("G7-1")
    }

    @Test func positionFromAnotherForumsDelegation() throws {
        try f.expectRefusal(.unauthorized, "is not a G7 delegation") {
            try f.position("G7-1", party: "IN", "object", reason: "x", by: f.key("Quad", "IN"))
        }
    }

    @Test func positionForAnotherParty() throws {
        try f.expectRefusal(.unauthorized, "position.party: signer G7-FR is the delegation of FR, not CN") {
            try f.position("G7-1", party: "CN", "object", reason: "x", by: f.key("G7", "FR"))
        }
    }

    @Test func delegationForANonMemberCannotBeRegistered() throws {
        let k = try NoteSignerKey.generate(name: "G7-CN")
        try f.expectRefusal(.refused, "delegation.register.party: CN does not take part in G7") {
            try f.append(
                "delegation.register", ["forum": "G7", "party": "CN", "vkey": .string(k.verifierKey.description)],
                by: f.secretariat["G7"]!)
        }
    }

    @Test func positionFromAnObserver() throws {
        try f.expectRefusal(.refused, "position.party: KR is an observer of G7") {
            try f.position("G7-1", party: "KR", "object", reason: "x")
        }
        try f.expectRefusal(.refused, "proposal.party: KR is an observer of G7") { try f.propose("G7-KR", party: "KR") }
    }

    @Test func unregisteredKey() throws {
        let stranger = try NoteSignerKey.generate(name: "G7-JP")
        try f.expectRefusal(.unauthorized, "is not registered") {
            try f.position("G7-1", party: "JP", "support", by: stranger)
        }
    }

    @Test func revokedKey() throws {
        let k = f.key("G7", "IT")
        try f.append(
            "delegation.revoke", ["forum": "G7", "party": "IT", "vkey": .string(k.verifierKey.description)],
            by: f.secretariat["G7"]!)
        try f.expectRefusal(.unauthorized, "was revoked at entry") { try f.position("G7-1", party: "IT", "support") }
    }

    /// The operator can revoke a delegation key through the core's `key.revoke`; the
    /// consensus engine's delegation index must see that too, on append and on replay.
    @Test func delegationKeyRevokedByTheOperator() throws {
        try f.position("G7-1", party: "IT", "support")
        let k = f.key("G7", "IT")
        try f.append("key.revoke", ["vkey": .string(k.verifierKey.description)], by: f.op)
        try f.expectRefusal(.unauthorized, "was revoked at entry") {
            try f.position("G7-1", party: "IT", "object", reason: "x")
        }
        let replayed = try f.ledger.parallelState()
        #expect(replayed.status(of: "G7-1")?.proposal.positions["IT"]?.stance == .support)
        let report = Auditor<NegotiationRules>(store: f.ledger.store, options: .init()).run()
        #expect(report.isValid, "\(report.failure?.message ?? "")")
    }

    @Test func onlyTheForumsSecretariatManagesDelegations() throws {
        let k = try NoteSignerKey.generate(name: "G7-FR-2")
        try f.expectRefusal(.unauthorized, "is not the G7 secretariat") {
            try f.append(
                "delegation.register", ["forum": "G7", "party": "FR", "vkey": .string(k.verifierKey.description)],
                by: f.secretariat["Quad"]!)
        }
        try f.expectRefusal(.refused, "delegation.revoke.vkey: G7-FR is not a G7 delegation key of DE") {
            try f.append(
                "delegation.revoke",
                ["forum": "G7", "party": "DE", "vkey": .string(f.key("G7", "FR").verifierKey.description)],
                by: f.secretariat["G7"]!)
        }
    }

    @Test func positionOnUnknownProposal() throws {
        let rev = try f.revision("G7-1")
        try f.expectRefusal(.refused, "position.proposal: unknown proposal \"G7-404\"") {
            try f.append(
                "position", NegotiationFixture.positionBody("G7-404", revision: rev, party: "US", stance: "support"),
                by: f.key("G7", "US"))
        }
    }

    @Test func positionWithAWrongLeafHash() throws {
        let rev = try f.revision("G7-1")
        let wrong = (rev.0, Digest(bytes: [UInt8](repeating: 1, count: 32))!)
        try f.expectRefusal(.refused, "position.revisionHash: does not match the leaf hash of entry \(rev.0)") {
            try f.append(
                "position", NegotiationFixture.positionBody("G7-1", revision: wrong, party: "US", stance: "support"),
                by: f.key("G7", "US"))
        }
        try f.expectRefusal(.refused, "position.revision: entry 3 is not a revision of G7-1") {
            try f.append(
                "position",
                NegotiationFixture.positionBody("G7-1", revision: (3, rev.1), party: "US", stance: "support"),
                by: f.key("G7", "US"))
        }
    }

    @Test func amendmentOrWithdrawalByANonProposer() throws {
        var body = NegotiationFixture.proposalBody(id: "x").objectValue!
        body["id"] = nil
        body["forum"] = nil
        body["party"] = nil
        body["proposal"] = "G7-1"
        try f.expectRefusal(.unauthorized, "proposal.amend G7-1: only the proposer (JP in G7) may do this") {
            try f.append("proposal.amend", .object(body), by: f.key("G7", "US"))
        }
        try f.expectRefusal(.unauthorized, "proposal.withdraw G7-1: only the proposer") {
            try f.append("proposal.withdraw", ["proposal": "G7-1"], by: f.key("G7", "US"))
        }
    }

    @Test(
        arguments: [
            (
                ["items": [["scheme": "wassenaar", "code": "3B01"]]],
                "proposal.items[0].code: \"3B01\" is not a valid wassenaar code"
            ),
            (
                ["items": [["scheme": "us-eccn", "code": "3X993"]]],
                "proposal.items[0].code: \"3X993\" is not a valid us-eccn code"
            ),
            (["items": [["scheme": "hs", "code": "84A6"]]], "proposal.items[0].code: \"84A6\" is not a valid hs code"),
            (
                ["items": [["scheme": "jp", "code": "17(1)"]]],
                "proposal.items[0].code: \"17(1)\" is not a valid jp code"
            ),
            (
                ["items": [["scheme": "jp", "code": "7(018)"]]],
                "proposal.items[0].code: \"7(018)\" is not a valid jp code"
            ),
            (
                ["items": [["scheme": "jp", "code": "07(18)"]]],
                "proposal.items[0].code: \"07(18)\" is not a valid jp code"
            ),
            (["items": [["scheme": "cn", "code": "3B001"]]], "proposal.items[0].scheme: \"cn\" is not one of"),
            (["destinations": ["UK"]], "proposal.destinations: \"UK\" is not an ISO 3166-1 alpha-2 code"),
            (["destinations": ["group:"]], "proposal.destinations: \"group:\" is not"),
            (["effectiveDate": "2027-02-30"], "proposal.effectiveDate: \"2027-02-30\" is not a date"),
            (["deadline": "2027-01-01"], "proposal.deadline: must be RFC 3339"),
            (["deadline": "2020-01-01T00:00:00Z"], "proposal.deadline: 2020-01-01T00:00:00Z is not after"),
            (["measureType": "embargo"], "proposal.measureType: \"embargo\" is not one of"),
            (
                ["parameters": [["term": "wavelength", "comparator": "≤", "value": "193", "unit": "nm"]]],
                "proposal.parameters[0].comparator"
            ),
            (
                ["parameters": [["term": "wavelength", "comparator": "<", "value": "about 193", "unit": "nm"]]],
                "proposal.parameters[0].value"
            ),
            (["id": "bad id"], "proposal.id: \"bad id\" must be"),
            (["procedure": "fast-track"], "proposal.procedure: must be standard or silence"),
            (["colour": "blue"], "proposal: unknown field \"colour\""),
            (["title": ""], "proposal.title: must be 1–300 bytes"),
            (
                ["charterAmendment": ["accede": ["CR"]]],
                "proposal.charterAmendment: is allowed only with measureType charter-amendment"
            ),
        ] as [([String: JSONValue], String)])
    func malformedProposal(_ change: [String: JSONValue], _ fragment: String) throws {
        try f.expectRefusal(.invalidBody, fragment) { try f.propose("G7-NEW", extra: change) }
    }

    @Test func duplicateProposalID() throws {
        try f.expectRefusal(.refused, "proposal.id: proposal G7-1 already exists") { try f.propose("G7-1") }
    }

    @Test func supersedingSomeoneElsesProposal() throws {
        try f.expectRefusal(.refused, "proposal.supersedes: G7-1 is not a G7 proposal of US") {
            try f.propose("G7-2", party: "US", extra: ["supersedes": "G7-1"])
        }
    }

    @Test func malformedPositions() throws {
        try f.expectRefusal(.invalidBody, "position.reason: is required with stance object") {
            try f.position("G7-1", party: "DE", "object")
        }
        try f.expectRefusal(.invalidBody, "position.reason: is required with stance reserve") {
            try f.position("G7-1", party: "DE", "reserve")
        }
        try f.expectRefusal(.invalidBody, "position.stance: \"veto\" is not one of") {
            try f.position("G7-1", party: "DE", "veto")
        }
    }

    @Test func decisionThatDisagreesWithTheComputedState() throws {
        try f.expectRefusal(.refused, "decision G7-1: records adopted but the computed state at") {
            try f.decide("G7-1", "adopted")
        }
        try f.expectRefusal(.refused, "records blocked but the computed state") { try f.decide("G7-1", "blocked") }
        try f.expectRefusal(.invalidBody, "decision.outcome: \"withdrawn\" is not adopted, blocked or lapsed") {
            try f.decide("G7-1", "withdrawn")
        }
        // Only the forum's secretariat decides.
        let rev = try f.revision("G7-1")
        try f.expectRefusal(.unauthorized, "is not the G7 secretariat") {
            try f.append(
                "decision",
                [
                    "proposal": "G7-1", "revision": .integer(Int64(rev.0)), "revisionHash": .string(rev.1.base64),
                    "outcome": "adopted",
                ],
                by: f.secretariat["Quad"]!)
        }
    }

    @Test func chartersAreOperatorOnlyAndWrittenOnce() throws {
        try f.expectRefusal(.unauthorized, "forum.charter must be signed by the operator key") {
            try f.append("forum.charter", Forums.cptpp.json, by: f.secretariat["G7"]!)
        }
        try f.expectRefusal(.refused, "forum.charter.id: forum G7 already has a charter") {
            try f.append("forum.charter", Forums.g7.json, by: f.op)
        }
        var bad = Forums.cptpp
        bad.parties.append("ZZ")
        try f.expectRefusal(.invalidBody, "forum.charter.parties: \"ZZ\" is not an ISO 3166-1 alpha-2 code") {
            try f.append("forum.charter", bad.json, by: f.op)
        }
        var overlap = Forums.cptpp
        overlap.candidates = ["JP"]
        try f.expectRefusal(.invalidBody, "forum.charter.candidates: JP is already a party") {
            try f.append("forum.charter", overlap.json, by: f.op)
        }
    }

    @Test func unknownKind() throws {
        try f.expectRefusal(.unknownKind, "unknown kind \"vote\"") {
            try f.append("vote", ["x": 1], by: f.key("G7", "JP"))
        }
    }

    /// A batch with one bad line appends nothing, and the state stays as it was.
    @Test func batchWithOneBadPositionAppendsNothing() throws {
        let rev = try f.revision("G7-1")
        let good = try f.sign(
            "position", NegotiationFixture.positionBody("G7-1", revision: rev, party: "US", stance: "support"),
            f.key("G7", "US"))
        let bad = try f.sign(
            "position", NegotiationFixture.positionBody("G7-1", revision: rev, party: "DE", stance: "object"),
            f.key("G7", "DE"))
        try f.expectRefusal(.invalidBody, "line 2: position.reason") { _ = try f.ledger.append([good, bad]) }
        #expect(try f.status("G7-1").notSpoken.count == 8)
    }
}
