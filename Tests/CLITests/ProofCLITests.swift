import Foundation
import LedgerTestSupport
import Testing

/// `proof` commands through the built binary: the flags the CLI reads, and the flag it names
/// when the library reports a missing input (issue 10 §3, §5).
@Suite(.serialized) struct ProofCLITests {
    /// A ledger of `notes` + 1 entries with signed checkpoints of sizes 2 and of the full size
    /// (files `cp2`, `cpN`), and leaf 1's bytes in `leaf1`.
    func ledgerWithCheckpoints() throws -> CLIFixture {
        let fx = try CLIFixture()
        let sign = { try ledger(["checkpoint", "led", "--sign", "--key", "op.key"], cwd: fx.dir) }
        try fx.registeredKey("author.example", file: "a.key")
        try sign().stdout.write(toFile: fx.dir + "/cp2", atomically: true, encoding: .utf8)
        for t in ["one", "two"] {
            let a = try ledger(
                ["append", "led", "--key", "a.key", "--kind", "note", "--body", "{\"text\":\"\(t)\"}"], cwd: fx.dir)
            #expect(a.status == 0, "\(a.stderr)")
        }
        try sign().stdout.write(toFile: fx.dir + "/cpN", atomically: true, encoding: .utf8)
        let leaf = try ledger(["entry", "led", "1", "--raw"], cwd: fx.dir)
        try leaf.stdout.write(toFile: fx.dir + "/leaf1", atomically: true, encoding: .utf8)
        return fx
    }

    @Test func proofConsistencyJsonIsReadAsFormatJson() throws {
        let fx = try ledgerWithCheckpoints()
        let base = ["proof", "consistency", "led", "--from", "2"]
        let plain = try ledger(base, cwd: fx.dir)
        let json = try ledger(base + ["--json"], cwd: fx.dir)
        let format = try ledger(base + ["--format", "json"], cwd: fx.dir)
        #expect(plain.status == 0 && json.status == 0 && format.status == 0, "\(json.stderr)")
        #expect(
            json.stdout.hasPrefix("{\"hashes\":[") && json.stdout.contains("\"size1\":2,\"size2\":4"), "\(json.stdout)")
        #expect(plain.stdout == json.stdout && format.stdout == json.stdout)
        let other = try ledger(base + ["--format", "tlog-proof"], cwd: fx.dir)
        #expect(other.status == 2 && other.stderr.contains("--format must be json"), "\(other.stderr)")
        // --json with --format json is the same thing said twice, not a conflict.
        #expect(try ledger(base + ["--json", "--format", "json"], cwd: fx.dir).stdout == json.stdout)
        // The proof it prints verifies between the two signed checkpoints.
        try json.stdout.write(toFile: fx.dir + "/p.json", atomically: true, encoding: .utf8)
        let v = try ledger(
            [
                "proof", "verify", "--vkey", fx.opVkey, "--checkpoint", "cpN", "--old-checkpoint", "cp2", "--proof",
                "p.json",
                "--json",
            ], cwd: fx.dir)
        #expect(v.status == 0, "\(v.stderr)")
        #expect(v.stdout == "{\"size1\":2,\"size2\":4,\"type\":\"consistency\",\"valid\":true}\n", "\(v.stdout)")
    }

    @Test func proofVerifyNamesTheFlagOfAMissingInput() throws {
        let fx = try ledgerWithCheckpoints()
        let verify = ["proof", "verify", "--vkey", fx.opVkey]
        let cons = try ledger(["proof", "consistency", "led", "--from", "2", "--json"], cwd: fx.dir)
        try cons.stdout.write(toFile: fx.dir + "/c.json", atomically: true, encoding: .utf8)
        let inc = try ledger(["proof", "inclusion", "led", "--index", "1", "--json"], cwd: fx.dir)
        try inc.stdout.write(toFile: fx.dir + "/i.json", atomically: true, encoding: .utf8)
        let tp = try ledger(["proof", "inclusion", "led", "--index", "1", "--format", "tlog-proof"], cwd: fx.dir)
        try tp.stdout.write(toFile: fx.dir + "/t.proof", atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (
                ["--proof", "c.json", "--checkpoint", "cpN"],
                "a consistency proof needs the older checkpoint; pass --old-checkpoint"
            ),
            (["--proof", "i.json"], "the proof needs a checkpoint; pass --checkpoint"),
            (["--proof", "t.proof"], "a tlog-proof needs the leaf it proves; pass --leaf"),
        ]
        for (args, message) in cases {
            let r = try ledger(verify + args, cwd: fx.dir)
            #expect(r.status == 2, "\(args): \(r.status)")
            #expect(r.stderr == "ledger: error: \(message)\n", "\(args): \(r.stderr)")
        }
        // With the input given, each verifies.
        #expect(
            try ledger(verify + ["--proof", "c.json", "--checkpoint", "cpN", "--old-checkpoint", "cp2"], cwd: fx.dir)
                .stdout == "proof OK\n")
        #expect(
            try ledger(verify + ["--proof", "i.json", "--checkpoint", "cpN", "--leaf", "leaf1"], cwd: fx.dir).status
                == 0)
        #expect(try ledger(verify + ["--proof", "t.proof", "--leaf", "leaf1"], cwd: fx.dir).status == 0)
        // A proof file that is neither form names the file.
        try "not a proof\n".write(toFile: fx.dir + "/junk", atomically: true, encoding: .utf8)
        let junk = try ledger(verify + ["--proof", "junk", "--checkpoint", "cpN"], cwd: fx.dir)
        #expect(junk.status == 2 && junk.stderr.hasPrefix("ledger: error: junk: invalid JSON"), "\(junk.stderr)")
    }

    @Test func cosignWithoutAConsistencyProofNamesTheProofFlag() throws {
        let fx = try ledgerWithCheckpoints()
        let w = try ledger(["key", "generate", "--name", "w.example", "--out", "w.key"], cwd: fx.dir)
        #expect(w.status == 0)
        let first = try ledger(["cosign", "cp2", "--key", "w.key", "--vkey", fx.opVkey, "--state", "ws"], cwd: fx.dir)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try ledger(["cosign", "cpN", "--key", "w.key", "--vkey", fx.opVkey, "--state", "ws"], cwd: fx.dir)
        #expect(second.status == 1)
        #expect(
            second.stderr == "ledger: error: a consistency proof from size 2 to 4 is required; pass --proof\n",
            "\(second.stderr)")
    }
}
