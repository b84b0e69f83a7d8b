import Consensus
import ControlLists
import Foundation
import LedgerCore
import LedgerCrypto
import Testing

/// The findings pipeline over a negotiation state (`ConflictDetector.findings(in:at:forum:)`
/// and `findings(forProposal:in:at:)`), run over a copy of the sample ledger in `ledger/`.
@Suite struct NegotiationFindingsTests {
    static let root: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()

    func copySample() throws -> String {
        let sample = Self.root + "/ledger"
        let dir = NSTemporaryDirectory() + "cl-findings-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for f in try FileManager.default.contentsOfDirectory(atPath: sample) where f != "lock" {
            try FileManager.default.copyItem(atPath: sample + "/" + f, toPath: dir + "/" + f)
        }
        return dir
    }

    let detector: ConflictDetector

    init() throws { detector = ConflictDetector(correlations: try CuratedData.correlations()) }

    /// The high-severity finding between the G7 control and the RCEP facilitation.
    func g7RCEP(_ findings: [Finding]) -> Finding? {
        findings.first { $0.rule == .incompatibleMeasures && Set([$0.a.forum, $0.b.forum]) == ["G7", "RCEP"] }
    }

    @Test func findingsOfTheStateFilterByForumAndJudgeStatesAtTheInstantGiven() throws {
        let dir = try copySample()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = try Ledger<NegotiationRules>(directory: dir).currentState()
        let all = detector.findings(in: state)
        let hit = try #require(g7RCEP(all), "\(all.map(\.line))")
        #expect(hit.severity == .high)
        // The same as running the detector over the state's measures by hand.
        #expect(all.map(\.id) == detector.findings(in: TabledMeasure.fromNegotiation(state)).map(\.id))
        let rcep = detector.findings(in: state, forum: "RCEP")
        #expect(!rcep.isEmpty && rcep.allSatisfy { $0.a.forum == "RCEP" || $0.b.forum == "RCEP" })
        #expect(rcep.count < all.count, "the forum filter keeps only some findings")
        #expect(detector.findings(in: state, forum: "no such forum").isEmpty)
        // Judged long after every deadline, every open proposal has lapsed: nothing remains.
        #expect(!all.isEmpty)
        #expect(detector.findings(in: state, at: Timestamp(rfc3339: "2030-01-01T00:00:00Z")!).isEmpty)
    }

    @Test func findingsForOneProposalInvolveItAndCarryRecordedReviews() throws {
        let dir = try copySample()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ledger = try Ledger<NegotiationRules>(directory: dir)
        let before = try ledger.currentState()
        let hit = try #require(g7RCEP(detector.findings(in: before)))
        let g7 = hit.a.forum == "G7" ? hit.a.proposalID : hit.b.proposalID
        let mine = detector.findings(forProposal: g7, in: before)
        #expect(mine.contains { $0.id == hit.id })
        #expect(mine.allSatisfy { $0.a.proposalID == g7 || $0.b.proposalID == g7 })
        #expect(mine.allSatisfy { $0.review == nil })
        #expect(detector.findings(forProposal: "no-such-proposal", in: before).isEmpty)

        // A review recorded in the ledger is applied to the finding, in both pipelines.
        let key = try NoteSignerKey(
            parsing: try String(
                contentsOfFile: Self.root + "/ledger-demo-keys/DEMO-NOT-SECRET-G7-secretariat.demo.key", encoding: .utf8
            ).trimmingCharacters(in: .whitespacesAndNewlines))
        let body: JSONValue = ["finding": .string(hit.id), "status": "dismissed", "note": "reviewed in the test"]
        let time = max(before.lastTime, Timestamp(rfc3339: "2026-11-27T18:00:00Z")!)
        let at = try Ledger<NegotiationRules>(directory: dir, clock: { time })
        _ = try at.append([try Statement.make(kind: "finding.review", body: body, key: key, time: time)])
        let after = try at.currentState()
        let reviewed = try #require(detector.findings(forProposal: g7, in: after).first { $0.id == hit.id })
        #expect(reviewed.review?.status == .dismissed && reviewed.review?.note == "reviewed in the test")
        #expect(detector.findings(in: after).first { $0.id == hit.id }?.review?.status == .dismissed)
    }
}
