import Consensus
import ControlCodes
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Testing

@Suite struct NegotiationLedgerTests {
    @Test func chartersSecretariatsAndDelegationsAreRecorded() throws {
        let f = try NegotiationFixture(forums: Forums.all)
        let s = try f.state
        #expect(s.forumOrder == ["G7", "Quad", "CPTPP", "RCEP"])
        #expect(s.forum("G7")?.parties.count == 8)
        #expect(s.forum("CPTPP")?.candidates == ["CR", "UY"])
        #expect(s.delegations(forum: "RCEP").map(\.party).sorted() == Forums.rcep.parties.sorted())
        #expect(s.secretariats(forum: "Quad") == [f.secretariat["Quad"]!.verifierKey])
        let rec = try #require(s.authority.record(for: f.key("Quad", "IN").verifierKey))
        #expect(rec.role == "delegation")
        #expect(rec.attributes == ["forum": "Quad", "party": "IN"])
    }

    @Test func consensusAdoptsWhenTheLastPartySpeaks() throws {
        let f = try NegotiationFixture()
        try f.propose("G7-EUV-1")
        #expect(try f.status("G7-EUV-1").state == .open)
        try f.everyone("G7-EUV-1", "support", except: ["EU"])
        let before = try f.status("G7-EUV-1")
        #expect(before.state == .open)
        #expect(before.notSpoken == ["EU"])
        try f.position("G7-EUV-1", party: "EU", "no-objection")
        let after = try f.status("G7-EUV-1")
        #expect(after.state == .adopted)
        #expect(after.notSpoken.isEmpty)
        #expect(after.parties(in: .noObjection) == ["EU"])
        // A decision that agrees is accepted; a second one is refused.
        try f.decide("G7-EUV-1", "adopted")
        #expect(try f.status("G7-EUV-1").proposal.decisions.map(\.outcome) == [.adopted])
        try f.expectRefusal(.refused, "already recorded") { try f.decide("G7-EUV-1", "adopted") }
        // Adopted is final: later positions are refused.
        try f.expectRefusal(.refused, "the proposal is adopted") {
            try f.position("G7-EUV-1", party: "FR", "object", reason: "too late")
        }
    }

    @Test func blockedByANamedPartyThenObjectionLifted() throws {
        let f = try NegotiationFixture()
        try f.propose("G7-ETCH")
        try f.position("G7-ETCH", party: "DE", "object", reason: "Scope of 3B993 too broad for domestic fabs")
        let blocked = try f.status("G7-ETCH")
        #expect(blocked.state == .blocked)
        #expect(blocked.objectingParties == ["DE"])
        try f.decide("G7-ETCH", "blocked")
        // DE lifts its objection: open again.
        try f.position("G7-ETCH", party: "DE", "abstain")
        #expect(try f.status("G7-ETCH").state == .open)
        #expect(try f.status("G7-ETCH").parties(in: .abstain) == ["DE"])
    }

    @Test func newRevisionReopensTheBallot() throws {
        let f = try NegotiationFixture()
        try f.propose("G7-AMEND")
        let rev1 = try f.revision("G7-AMEND")
        try f.position("G7-AMEND", party: "US", "support")
        try f.position("G7-AMEND", party: "IT", "object", reason: "Effective date too early")
        #expect(try f.status("G7-AMEND").state == .blocked)
        var body = NegotiationFixture.proposalBody(id: "x").objectValue!
        body["id"] = nil
        body["forum"] = nil
        body["party"] = nil
        body["proposal"] = "G7-AMEND"
        body["effectiveDate"] = "2027-07-01"
        try f.append("proposal.amend", .object(body), by: f.key("G7", "JP"))
        let st = try f.status("G7-AMEND")
        #expect(st.state == .open)
        #expect(st.proposal.current.number == 2)
        #expect(st.proposal.revisions.count == 2)
        #expect(st.notSpoken.count == 8, "positions belong to a revision")
        #expect(st.proposal.measure.effectiveDate == "2027-07-01")
        // A position on revision 1 is now stale.
        try f.expectRefusal(.refused, "stale revision 1") {
            try f.append(
                "position", NegotiationFixture.positionBody("G7-AMEND", revision: rev1, party: "US", stance: "support"),
                by: f.key("G7", "US"))
        }
        try f.everyone("G7-AMEND", "support")
        #expect(try f.status("G7-AMEND").state == .adopted)
    }

    @Test func laterPositionReplacesEarlier() throws {
        let f = try NegotiationFixture()
        try f.propose("P")
        try f.position("P", party: "CA", "reserve", reason: "Parliamentary scrutiny")
        try f.position("P", party: "CA", "support")
        let st = try f.status("P")
        #expect(st.parties(in: .reserve).isEmpty)
        #expect(st.parties(in: .support) == ["CA"])
        #expect(st.proposal.positions.count == 1)
    }

    @Test func withdrawByProposer() throws {
        let f = try NegotiationFixture()
        try f.propose("W")
        try f.append(
            "proposal.withdraw", ["proposal": "W", "reason": "Superseded by bilateral talks"], by: f.key("G7", "JP"))
        #expect(try f.status("W").state == .withdrawn)
        try f.expectRefusal(.refused, "the proposal is withdrawn") { try f.position("W", party: "US", "support") }
    }

    @Test func supersededByALaterProposal() throws {
        let f = try NegotiationFixture()
        try f.propose("OLD")
        try f.propose("NEW", extra: ["supersedes": "OLD"])
        #expect(try f.status("OLD").state == .superseded)
        #expect(try f.status("OLD").proposal.supersededBy == "NEW")
        #expect(try f.status("NEW").state == .open)
        try f.expectRefusal(.refused, "the proposal is superseded") { try f.position("OLD", party: "US", "support") }
    }

    @Test func lapsesWhenTheDeadlinePassesWithoutConsensus() throws {
        let f = try NegotiationFixture()
        try f.propose("L", extra: ["deadline": "2026-11-10T00:00:00Z"])
        try f.position("L", party: "US", "support")
        #expect(try f.status("L", at: ts("2026-11-09T23:59:59Z")).state == .open)
        #expect(try f.status("L", at: ts("2026-11-10T00:00:00Z")).state == .lapsed)
        f.clock.set(ts("2026-11-10T00:00:00Z"))
        try f.expectRefusal(.refused, "the proposal is lapsed") { try f.position("L", party: "FR", "support") }
        try f.expectRefusal(.refused, "computed state at 2026-11-10T00:00:00Z is lapsed") {
            try f.decide("L", "adopted")
        }
        try f.decide("L", "lapsed")
    }

    /// Silence procedure: an objection one second before the deadline breaks silence; one
    /// logged exactly at the deadline is too late, because the deadline has passed.
    @Test func silenceDeadlineBoundary() throws {
        let deadline = "2026-11-20T12:00:00Z"
        // Objection one second before the deadline: accepted, proposal blocked, then lapses.
        do {
            let f = try NegotiationFixture()
            try f.propose("S", extra: ["procedure": "silence", "deadline": .string(deadline)])
            f.clock.set(ts(deadline).adding(seconds: -1))
            try f.position("S", party: "FR", "object", reason: "Breaking silence: needs a carve-out for 3B993 spares")
            #expect(try f.status("S").state == .blocked)
            #expect(try f.status("S", at: ts(deadline)).state == .lapsed)
        }
        // Objection exactly at the deadline: refused, proposal adopted by silence.
        do {
            let f = try NegotiationFixture()
            try f.propose("S", extra: ["procedure": "silence", "deadline": .string(deadline)])
            #expect(try f.status("S", at: ts(deadline).adding(seconds: -1)).state == .open)
            #expect(try f.status("S", at: ts(deadline)).state == .adopted)
            f.clock.set(ts(deadline))
            try f.expectRefusal(.refused, "the proposal is adopted (deadline \(deadline) passed)") {
                try f.position("S", party: "FR", "object", reason: "too late")
            }
            try f.decide("S", "adopted")
            #expect(try f.status("S").state == .adopted)
        }
    }

    /// The author's claimed time never counts: only the log's integration time.
    @Test func lateObjectionCannotBeBackdated() throws {
        let f = try NegotiationFixture()
        let deadline = "2026-11-20T12:00:00Z"
        try f.propose("S", extra: ["procedure": "silence", "deadline": .string(deadline)])
        f.clock.set(ts(deadline).adding(seconds: 30))
        let rev = try f.revision("S")
        // Claimed time 5 minutes before the deadline (within the core's tolerance), logged after it.
        let st = try Statement.make(
            kind: "position",
            body: NegotiationFixture.positionBody(
                "S", revision: rev, party: "US", stance: "object", reason: "backdated"),
            key: f.key("G7", "US"), time: ts(deadline).adding(seconds: -300))
        try f.expectRefusal(.refused, "the proposal is adopted") { _ = try f.ledger.append([st]) }
    }

    @Test func charterAmendmentAdmitsACandidate() throws {
        let f = try NegotiationFixture(forums: [Forums.cptpp])
        // Before accession, CR is a candidate and may not take positions.
        let amendment = NegotiationFixture.proposalBody(
            id: "CPTPP-ACC-CR", forum: "CPTPP", party: "NZ",
            extra: [
                "title": "Accession of Costa Rica", "measureType": "charter-amendment", "items": [], "parameters": [],
                "destinations": ["CR"], "charterAmendment": ["accede": ["CR"]],
            ])
        try f.append("proposal", amendment, by: f.key("CPTPP", "NZ"))
        try f.expectRefusal(.refused, "CR is a candidate of CPTPP") {
            try f.position("CPTPP-ACC-CR", forum: "CPTPP", party: "CR", "support")
        }
        try f.everyone("CPTPP-ACC-CR", forum: "CPTPP", "support")
        #expect(try f.status("CPTPP-ACC-CR").state == .adopted)
        #expect(
            try f.state.forum("CPTPP")?.parties.contains("CR") == false,
            "membership changes only when the decision is recorded")
        try f.decide("CPTPP-ACC-CR", "adopted", forum: "CPTPP")
        let c = try #require(try f.state.forum("CPTPP"))
        #expect(c.parties.contains("CR"))
        #expect(c.candidates == ["UY"])
        // Now CR is a party: it can propose, and consensus needs it.
        try f.propose("CPTPP-MIN", forum: "CPTPP", party: "CR")
        try f.everyone("CPTPP-MIN", forum: "CPTPP", "support", except: ["CR"])
        #expect(try f.status("CPTPP-MIN").state == .open)
        #expect(try f.status("CPTPP-MIN").notSpoken == ["CR"])
    }

    @Test func keyRotationKeepsTheDelegationsRights() throws {
        let f = try NegotiationFixture()
        try f.propose("R")
        let old = f.key("G7", "GB")
        let new = try NoteSignerKey.generate(name: "G7-GB-2")
        let sec = f.secretariat["G7"]!
        try f.append(
            "delegation.register", ["forum": "G7", "party": "GB", "vkey": .string(new.verifierKey.description)], by: sec
        )
        try f.append(
            "delegation.revoke", ["forum": "G7", "party": "GB", "vkey": .string(old.verifierKey.description)], by: sec)
        try f.expectRefusal(.unauthorized, "was revoked at entry") {
            try f.position("R", party: "GB", "support", by: old)
        }
        try f.position("R", party: "GB", "support", by: new)
        #expect(try f.status("R").parties(in: .support) == ["GB"])
    }

    @Test func controlListRecordsAreKept() throws {
        let f = try NegotiationFixture()
        let sha = Digest(bytes: [UInt8](repeating: 7, count: 32))!.base64
        try f.append(
            "list.publish",
            [
                "jurisdiction": "EU", "instrument": "Regulation (EU) 2021/821 Annex I",
                "citation": "Delegated Regulation (EU) 2025/2003",
                "versionDate": "2025-11-15", "sha256": .string(sha), "entries": 1_934,
            ], by: f.key("G7", "EU"))
        try f.append(
            "finding.review", ["finding": "F-0001", "status": "accepted", "note": "Real overlap"], by: f.key("G7", "JP")
        )
        let s = try f.state
        #expect(s.publishedLists.count == 1)
        #expect(s.publishedLists[0].entries == 1_934)
        #expect(s.findingReviews.map(\.status) == [.accepted])
        try f.expectRefusal(.invalidBody, "list.publish.versionDate") {
            try f.append(
                "list.publish",
                [
                    "jurisdiction": "EU", "instrument": "x", "citation": "y", "versionDate": "2025-13-01",
                    "sha256": .string(sha), "entries": 1,
                ],
                by: f.key("G7", "EU"))
        }
        try f.expectRefusal(.invalidBody, "unknown field \"extra\"") {
            try f.append("finding.review", ["finding": "F-1", "status": "reviewed", "extra": 1], by: f.key("G7", "JP"))
        }
        try f.expectRefusal(.invalidBody, "finding.review.status") {
            try f.append("finding.review", ["finding": "F-1", "status": "maybe"], by: f.key("G7", "JP"))
        }
    }

    @Test func asOfIndexAndTime() throws {
        let f = try NegotiationFixture()
        try f.propose("A")
        f.clock.advance(3600)
        let obj = try f.position("A", party: "DE", "object", reason: "Needs impact assessment")
        f.clock.advance(3600)
        try f.position("A", party: "DE", "support")
        let before = try f.ledger.negotiationState(asOf: .index(obj.index - 1))
        #expect(before.0.status(of: "A", at: before.1)?.state == .open)
        let at = try f.ledger.negotiationState(asOf: .index(obj.index))
        #expect(at.0.status(of: "A", at: at.1)?.state == .blocked)
        let t = try f.ledger.negotiationState(asOf: .time(obj.entry.time.adding(seconds: 1)))
        #expect(t.0.status(of: "A", at: t.1)?.state == .blocked)
        let latest = try f.ledger.negotiationState(asOf: .latest)
        #expect(latest.0.status(of: "A", at: latest.1)?.state == .open)
        #expect(AsOf(argument: "12") == .index(12))
        #expect(AsOf(argument: "2026-11-02T10:00:00Z") == .time(ts("2026-11-02T10:00:00Z")))
        #expect(AsOf(argument: "yesterday") == nil)
    }

    /// A withdrawal (charter amendment) recounts every live ballot of the forum: the leaving
    /// party's objection no longer blocks.
    @Test func withdrawalOfAPartyRecountsLiveBallots() throws {
        let f = try NegotiationFixture(forums: [Forums.quad])
        try f.propose("Q-X", forum: "Quad", party: "US")
        try f.position("Q-X", forum: "Quad", party: "IN", "object", reason: "Not yet")
        for p in ["AU", "JP", "US"] { try f.position("Q-X", forum: "Quad", party: p, "support") }
        #expect(try f.status("Q-X").state == .blocked)
        let amendment = NegotiationFixture.proposalBody(
            id: "Q-WD-IN", forum: "Quad", party: "IN",
            extra: ["measureType": "charter-amendment", "items": [], "charterAmendment": ["withdraw": ["IN"]]])
        try f.append("proposal", amendment, by: f.key("Quad", "IN"))
        try f.everyone("Q-WD-IN", forum: "Quad", "support")
        try f.decide("Q-WD-IN", "adopted", forum: "Quad")
        #expect(try f.state.forum("Quad")?.parties == ["AU", "JP", "US"])
        let st = try f.status("Q-X")
        #expect(st.state == .adopted)
        #expect(st.objectingParties.isEmpty)
        #expect(st.proposal.positions["IN"] == nil, "the leaving party's position is dropped")
        try f.propose("Q-Y", forum: "Quad", party: "US")
        try f.expectRefusal(.refused, "position.party: IN is not a member of Quad") {
            try f.position("Q-Y", forum: "Quad", party: "IN", "support")
        }
    }
}
