import Foundation
import LedgerTestSupport
import Testing

/// `--log-vkey` with a ledger directory (specs/cli.md): checked against the directory's genesis
/// operator key like a served log's, never silently ignored.
@Suite struct LogKeyDirectoryCLITests {
    @Test func aDirectoryOfAnotherLogKeyIsRefusedAndTheRightKeyPasses() throws {
        let fx = try CLIFixture()
        let other = try ledger(["key", "generate", "--name", "other.example", "--out", "other.key"], cwd: fx.dir)
        let wrong = try #require(other.lines.last)
        let before = try fx.snapshot()
        for args in [
            ["append", "led", "--key", "op.key", "--kind", "note", "--body", "{}"],
            ["key", "register", "led", "--key", "op.key", "--vkey", wrong],
            ["status", "led"], ["board", "led"], ["conflicts", "led"], ["forum", "list", "led"],
        ] {
            let r = try ledger(args + ["--log-vkey", wrong], cwd: fx.dir)
            #expect(r.status == 1, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.hasPrefix("ledger: error: --log-vkey: led is the ledger of "), "\(r.stderr)")
            #expect(r.stdout.isEmpty, "\(args): \(r.stdout)")
        }
        #expect(try fx.snapshot() == before, "nothing written")
        // Where no ledger is read, a key would check nothing: refused, as a bad or private key is.
        for args in [
            ["forum", "list"], ["forum", "show", "--forum", "G7"], ["list", "compare", "a.json", "b.json"],
            ["list", "diff", "a.json", "b.json"],
        ] {
            let r = try ledger(args + ["--log-vkey", fx.opVkey], cwd: fx.dir)
            #expect(r.status == 2 && r.stderr.contains("--log-vkey checks a ledger's key"), "\(args): \(r.stderr)")
        }
        let secret = try read(fx.dir + "/op.key").trimmingCharacters(in: .whitespacesAndNewlines)
        for value in ["garbage", secret] {
            let r = try ledger(["forum", "list", "--log-vkey", value], cwd: fx.dir)
            #expect(r.status == 2 && r.stdout.isEmpty, "\(r.stderr)")
            #expect(!r.stderr.contains(String(secret.dropFirst(12))))
        }
        let bad = try ledger(["status", "led", "--log-vkey", "no-such-key"], cwd: fx.dir)
        #expect(bad.status == 2 && bad.stderr.contains("--log-vkey: no-such-key is neither"), "\(bad.stderr)")
        try fx.opVkey.write(toFile: fx.dir + "/op.vkey", atomically: true, encoding: .utf8)
        for pin in [fx.opVkey, "op.vkey"] {
            #expect(try ledger(["status", "led", "--log-vkey", pin], cwd: fx.dir).status == 0)
            let a = try ledger(
                [
                    "append", "led", "--key", "op.key", "--kind", "note", "--body", #"{"text":"pinned"}"#, "--log-vkey",
                    pin,
                ], cwd: fx.dir)
            #expect(a.status == 0, "\(a.stderr)")
        }
    }
}
