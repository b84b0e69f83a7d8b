import Consensus
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Testing

/// `ConsensusStatement`: the bodies built for positions, proposals, amendments, withdrawals and
/// decisions are the canonical ones, the rules accept them on a real ledger, and the builders
/// refuse what the rules would refuse, with the same code and message.
@Suite struct ConsensusStatementTests {
    let f: NegotiationFixture

    init() throws { f = try NegotiationFixture() }

    func append(_ s: ConsensusStatement, by key: NoteSignerKey) throws -> Ledger<NegotiationRules>.Appended {
        try f.append(s.kind, s.body, by: key)
    }

    func position(
        _ id: String, party: String? = nil, by key: NoteSignerKey, _ stance: Stance, reason: String? = nil,
        revision: UInt64? = nil
    ) throws -> ConsensusStatement {
        let ledger = f.ledger
        return try ConsensusStatement.position(
            in: try f.state, proposal: id, party: party, signer: key.verifierKey, stance: stance, reason: reason,
            revision: revision,
            leafHash: { i in Int64(exactly: i).flatMap { $0 < ledger.size ? ledger.store.leafHash($0) : nil } })
    }

    @Test func positionOnTheCurrentRevisionIsTheCanonicalBodyAndCounts() throws {
        try f.propose("P-1")
        let s = try position("P-1", by: f.key("G7", "DE"), .support)
        #expect(s.kind == "position")
        // The party comes from the signer's delegation; the revision is the current one.
        let expected = NegotiationFixture.positionBody(
            "P-1", revision: try f.revision("P-1"), party: "DE", stance: "support")
        #expect(s.body.canonicalString == expected.canonicalString)
        try append(s, by: f.key("G7", "DE"))
        #expect(try f.status("P-1").proposal.positions["DE"]?.stance == .support)
        // A revision given by index names that entry's hash.
        let rev = try f.revision("P-1")
        let byIndex = try position("P-1", by: f.key("G7", "FR"), .object, reason: "scope", revision: rev.0)
        #expect(byIndex.body["revisionHash"]?.stringValue == rev.1.base64)
        #expect(byIndex.body["reason"]?.stringValue == "scope")
        try append(byIndex, by: f.key("G7", "FR"))
        #expect(try f.status("P-1").state == .blocked)
    }

    @Test func positionRefusesWhatTheRulesRefuse() throws {
        try f.propose("P-1")
        let unknown = #expect(throws: LedgerError.self) { _ = try position("P-9", by: f.key("G7", "DE"), .support) }
        #expect(unknown?.code == .refused && unknown?.message == "position.proposal: unknown proposal \"P-9\"")
        let noEntry = #expect(throws: LedgerError.self) {
            _ = try position("P-1", by: f.key("G7", "DE"), .support, revision: 10_000)
        }
        #expect(noEntry?.code == .notFound && noEntry?.input == .revision)
        #expect(noEntry?.message == "entry 10000 does not exist")
        let noParty = #expect(throws: LedgerError.self) { _ = try position("P-1", by: f.op, .support) }
        #expect(noParty?.code == .malformed && noParty?.input == .party)
        // A blocking stance without a reason: the builder's refusal is the rules' own.
        let noReason = try #require(
            #expect(throws: LedgerError.self) { _ = try position("P-1", by: f.key("G7", "DE"), .object) })
        let rules = #expect(throws: LedgerError.self) {
            try f.append(
                "position",
                NegotiationFixture.positionBody("P-1", revision: try f.revision("P-1"), party: "DE", stance: "object"),
                by: f.key("G7", "DE"))
        }
        #expect(noReason.code == .invalidBody && rules?.code == .invalidBody)
        #expect(rules?.message.hasSuffix(noReason.message) == true, "\(String(describing: rules)) / \(noReason)")
        for e in [unknown, noEntry, noParty, noReason] { #expect(e?.message.contains("--") == false) }
    }

    @Test func proposalTakesForumAndPartyFromTheDelegation() throws {
        guard case .object(var doc) = NegotiationFixture.proposalBody(id: "P-2") else { return }
        doc["forum"] = nil
        doc["party"] = nil
        let s = try ConsensusStatement.proposal(.object(doc), in: try f.state, signer: f.key("G7", "JP").verifierKey)
        #expect(s.kind == "proposal")
        #expect(s.body.canonicalString == NegotiationFixture.proposalBody(id: "P-2").canonicalString)
        try append(s, by: f.key("G7", "JP"))
        #expect(try f.status("P-2").proposal.party == "JP")
        let notObject = #expect(throws: LedgerError.self) {
            _ = try ConsensusStatement.proposal(["a", "b"], in: try f.state, signer: f.key("G7", "JP").verifierKey)
        }
        #expect(notObject?.code == .malformed)
    }

    @Test func amendmentKeepsTheMeasureFieldsAndNamesTheProposal() throws {
        try f.propose("P-3")
        guard case .object(var doc) = NegotiationFixture.proposalBody(id: "P-3", title: "Narrower scope") else {
            return
        }
        doc["supersedes"] = "P-0"
        doc["procedure"] = "silence"
        let s = try ConsensusStatement.amendment(.object(doc), in: try f.state, proposal: "P-3", deadline: nil)
        #expect(s.kind == "proposal.amend")
        for field in ["id", "forum", "party", "supersedes", "procedure", "deadline"] { #expect(s.body[field] == nil) }
        #expect(s.body["proposal"]?.stringValue == "P-3" && s.body["title"]?.stringValue == "Narrower scope")
        try append(s, by: f.key("G7", "JP"))
        #expect(try f.status("P-3").proposal.revisions.count == 2)

        doc["forum"] = "RCEP"
        let other = #expect(throws: LedgerError.self) {
            _ = try ConsensusStatement.amendment(.object(doc), in: try f.state, proposal: "P-3", deadline: nil)
        }
        #expect(other?.code == .malformed && other?.message == "forum must be G7 (or absent)")
        let unknown = #expect(throws: LedgerError.self) {
            _ = try ConsensusStatement.amendment([:], in: try f.state, proposal: "P-9", deadline: nil)
        }
        #expect(unknown?.code == .refused && unknown?.message == "proposal.amend.proposal: unknown proposal \"P-9\"")
        let dated = try ConsensusStatement.amendment(
            [:], in: try f.state, proposal: "P-3", deadline: "2027-01-01T00:00:00Z")
        #expect(dated.body.canonicalString == #"{"deadline":"2027-01-01T00:00:00Z","proposal":"P-3"}"#)
    }

    @Test func withdrawalAndDecisionAreAccepted() throws {
        try f.propose("P-4")
        try f.propose("P-5")
        let w = ConsensusStatement.withdrawal(proposal: "P-4", reason: "overtaken")
        #expect(w.kind == "proposal.withdraw")
        #expect(w.body.canonicalString == #"{"proposal":"P-4","reason":"overtaken"}"#)
        try append(w, by: f.key("G7", "JP"))
        #expect(try f.status("P-4").state == .withdrawn)

        try f.everyone("P-5", "support")
        let state = try f.state
        let d = try ConsensusStatement.decision(
            in: state, proposal: "P-5", outcome: nil, note: "by consensus", at: f.clock.now)
        #expect(d.kind == "decision" && d.body["outcome"]?.stringValue == "adopted")
        #expect(d.body["revisionHash"]?.stringValue == (try f.revision("P-5")).1.base64)
        try append(d, by: f.secretariat["G7"]!)
        #expect(try f.status("P-5").proposal.decisions.count == 1)
        let unknown = #expect(throws: LedgerError.self) {
            _ = try ConsensusStatement.decision(in: state, proposal: "P-9", outcome: nil, note: nil, at: f.clock.now)
        }
        #expect(unknown?.code == .refused && unknown?.message == "decision.proposal: unknown proposal \"P-9\"")
    }
}
