import Consensus
import ControlCodes
import ControlLists
import Foundation
import LedgerCore
import Testing

/// The adapter from the consensus module's negotiation state to measures, run over a copy of
/// the sample ledger in `ledger/` (part of the repository: its absence is a failure, not a skip).
@Suite struct NegotiationAdapterTests {
    static let sampleLedger: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/ledger"
    }()

    func copySample() throws -> String? {
        guard FileManager.default.fileExists(atPath: Self.sampleLedger + "/entries.jsonl") else { return nil }
        let dir = NSTemporaryDirectory() + "cl-sample-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for f in try FileManager.default.contentsOfDirectory(atPath: Self.sampleLedger) where f != "lock" {
            try FileManager.default.copyItem(atPath: Self.sampleLedger + "/" + f, toPath: dir + "/" + f)
        }
        return dir
    }

    @Test func sampleLedgerRCEPFacilitationAgainstG7ControlIsFound() throws {
        let dir = try #require(try copySample(), "the sample ledger in ledger/ is part of the repository")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = try Ledger<NegotiationRules>(directory: dir).currentState()
        let measures = TabledMeasure.fromNegotiation(state)
        #expect(!measures.isEmpty)
        #expect(measures.allSatisfy { $0.ledgerIndex != nil })
        let findings = ConflictDetector(correlations: try CuratedData.correlations()).findings(in: measures)
        let hit = findings.first {
            $0.rule == .incompatibleMeasures && Set([$0.a.forum, $0.b.forum]) == ["G7", "RCEP"]
        }
        #expect(hit != nil, "\(findings.map(\.line))")
        #expect(hit?.severity == .high)
        // Withdrawn and superseded proposals raise nothing.
        #expect(
            !findings.contains {
                $0.a.state == .withdrawn || $0.b.state == .withdrawn || $0.a.state == .expired || $0.b.state == .expired
            })
    }
}
