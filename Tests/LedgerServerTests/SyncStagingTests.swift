import Foundation
import LedgerCore
import LedgerServer
import LedgerTestSupport
import Testing

/// `ledger sync` stages the checked entries in an unlinked file in the mirror's own directory
/// (specs/cli.md, `sync`): not in `TMPDIR`, and nothing left in the mirror on any exit.
@Suite struct SyncStagingTests {
    /// Runs the built `ledger` with `env` on a thread of its own (the in-process server needs
    /// the pool); killed after 60 s.
    func run(_ args: [String], env: [String: String]) async throws -> RunResult {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Result {
                        try runProcess("/usr/bin/timeout", ["-s", "KILL", "60", ledgerBinary] + args, env: env)
                    })
            }.start()
        }
    }

    /// The names in `dir` that are no part of a ledger directory (a staging file left behind).
    func strayNames(_ dir: String) throws -> [String] {
        let ledgerNames: Set = ["checkpoints", "commit", "entries.idx", "entries.jsonl", "lock", "tree.hashes"]
        return try FileManager.default.contentsOfDirectory(atPath: dir).filter { !ledgerNames.contains($0) }
    }

    @Test func syncStagesInTheMirrorNotInTMPDIRAndLeavesNothingBehind() async throws {
        let copy = try SampleCopy(tag: "staging")
        defer { copy.remove() }
        let mirror = tempPath("staging-mirror")
        defer { try? FileManager.default.removeItem(atPath: mirror) }
        // A TMPDIR where nothing can be created: `watch` (which stages there) fails, `sync` does not.
        let env = ["TMPDIR": tempPath("no-such-tmpdir")]
        let log = try copy.published()
        try await withServer(log) { server in
            let url = "http://127.0.0.1:\(server.port)"
            let watch = try await run(["watch", url, "--once"], env: env)
            #expect(watch.status != 0 && watch.stderr.contains("no-such-tmpdir"), "\(watch.stderr)")

            let first = try await run(["sync", url, mirror], env: env)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("synced: 100 entries (100 new)"), "\(first.stdout)")
            #expect(try strayNames(mirror) == [])

            // A refused sync (a served entry changed): the mirror is byte for byte as it was.
            try copy.appendNotes(3)
            try log.refresh()
            let before = try directoryContents(mirror)
            try await withProxy(upstream: server.port, tamper: .flipEntry(101)) { proxy in
                let refused = try await run(["sync", "http://127.0.0.1:\(proxy.port)", mirror], env: env)
                #expect(refused.status == 1, "\(refused.stderr)")
                #expect(refused.stderr.contains(": served entry 10"), "\(refused.stderr)")
            }
            #expect(try directoryContents(mirror) == before)
            #expect(try strayNames(mirror) == [])

            let second = try await run(["sync", url, mirror], env: env)
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.stdout.contains("synced: 103 entries (3 new)"), "\(second.stdout)")
            #expect(try strayNames(mirror) == [])
            #expect(try copy.file("entries.jsonl") == Data(contentsOf: URL(fileURLWithPath: mirror + "/entries.jsonl")))
        }
        // A first sync that is refused leaves no directory at all.
        let fresh = tempPath("staging-fresh")
        try await withServer(try copy.published()) { server in
            try await withProxy(upstream: server.port, tamper: .flipEntry(50)) { proxy in
                let r = try await run(["sync", "http://127.0.0.1:\(proxy.port)", fresh], env: env)
                #expect(r.status == 1, "\(r.stderr)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: fresh))
    }
}
