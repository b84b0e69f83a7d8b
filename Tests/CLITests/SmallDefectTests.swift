import Foundation
import LedgerTestSupport
import Testing

/// Small defects from review (issue 10 §5), through the built binary.
@Suite(.serialized) struct SmallDefectTests {
    @Test func aProposalThatIsNotAnObjectIsRefusedNotIgnored() throws {
        let fx = try CLIFixture()
        try fx.registeredKey("d", file: "d.key")
        for (name, text) in [("list.json", "[1,2]\n"), ("scalar.yaml", "just a string\n")] {
            try text.write(toFile: fx.dir + "/" + name, atomically: true, encoding: .utf8)
            let r = try ledger(["propose", "led", "--key", "d.key", "--file", name], cwd: fx.dir)
            #expect(r.status == 2, "\(name): \(r.status) \(r.stdout)")
            #expect(r.stderr.contains(name) && r.stderr.contains("must be an object"), "\(r.stderr)")
        }
    }
}

extension SmallDefectTests {
    /// The sample ledger, copied to a temporary directory.
    static func sampleLedger() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let dir = try makeTempDir("sample")
        try FileManager.default.copyItem(atPath: root.appendingPathComponent("ledger").path, toPath: dir + "/led")
        return dir
    }

    @Test func conflictsJudgeStatesByTheLogClock() throws {
        let dir = try Self.sampleLedger()
        // As generated, three findings; once every open proposal has lapsed by the clock, none,
        // although no entry was appended since.
        let then = try ledger(["conflicts", "led", "--json"], cwd: dir, env: ["LEDGER_NOW": "2026-11-27T18:00:00Z"])
        #expect(then.status == 0)
        #expect(then.stdout.components(separatedBy: "\"rule\":").count - 1 == 3, "\(then.stdout)")
        let later = try ledger(["conflicts", "led", "--json"], cwd: dir, env: ["LEDGER_NOW": "2030-01-01T00:00:00Z"])
        #expect(later.status == 0)
        #expect(later.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(later.stdout)")
    }
}

extension SmallDefectTests {
    @Test func proofInclusionJsonIsReadNotIgnored() throws {
        let dir = try Self.sampleLedger()
        let both = try ledger(
            ["proof", "inclusion", "led", "--index", "1", "--json", "--format", "tlog-proof"], cwd: dir)
        #expect(both.status == 2 && both.stderr.contains("--json means --format json"), "\(both.stderr)")
        let json = try ledger(["proof", "inclusion", "led", "--index", "1", "--json"], cwd: dir)
        #expect(json.status == 0 && json.stdout.hasPrefix("{\"hashes\":"), "\(json.stdout)")
    }
}
