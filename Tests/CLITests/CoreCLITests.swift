import Foundation
import LedgerTestSupport
import Testing

@Suite(.serialized) struct CoreCLITests {
    @Test func keyGenerateWritesA0600KeyAndPrintsTheVkeyLast() throws {
        let dir = try makeTempDir("key")
        let r = try ledger(["key", "generate", "--name", "jp.delegation", "--out", "jp.key"], cwd: dir)
        #expect(r.status == 0)
        #expect(r.lines.last!.hasPrefix("jp.delegation+"))
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/jp.key")[.posixPermissions] as! NSNumber
        #expect(mode.intValue == 0o600)
        let secret = try read(dir + "/jp.key")
        #expect(secret.hasPrefix("PRIVATE+KEY+jp.delegation+"))
        #expect(!r.stdout.contains(secret.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try ledger(["key", "show", "jp.key"], cwd: dir).lines == [r.lines.last!])
        let cos = try ledger(["key", "show", "jp.key", "--cosigner"], cwd: dir).lines[0]
        #expect(cos.hasPrefix("jp.delegation+") && cos != r.lines.last!)
        // Never overwrites.
        let again = try ledger(["key", "generate", "--name", "x", "--out", "jp.key"], cwd: dir)
        #expect(again.status == 1)
        #expect(try read(dir + "/jp.key") == secret)
    }

    @Test func initRefusesAKeyWhoseNameIsNotTheOrigin() throws {
        let dir = try makeTempDir("init")
        try ledger(["key", "generate", "--name", "a.example", "--out", "op.key"], cwd: dir)
        let r = try ledger(["init", "led", "--origin", "b.example", "--operator-key", "op.key"], cwd: dir)
        #expect(r.status == 2)
        #expect(r.stderr.contains("must equal the origin"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/led/entries.jsonl"))
    }

    @Test func appendLogEntryProofsCheckpointsCosignAndVerify() throws {
        let fx = try CLIFixture()
        try fx.registeredKey("jp", file: "jp.key")
        let a = try ledger(
            [
                "append", "led", "--key", "jp.key", "--kind", "note", "--body", "{ \"text\" : \"3B001.f review\" }",
                "--json",
            ], cwd: fx.dir)
        #expect(a.status == 0, "\(a.stderr)")
        #expect(a.stdout.hasPrefix("{\"index\":2,\"leafHash\":\""))
        try "{\"kind\":\"note\",\"body\":{\"text\":\"b1\"}}\n{\"kind\":\"note\",\"body\":{\"text\":\"b2\"}}\n".write(
            toFile: fx.dir + "/batch.jsonl", atomically: true, encoding: .utf8)
        #expect(
            try ledger(["append", "led", "--key", "jp.key", "--batch", "batch.jsonl"], cwd: fx.dir).lines == ["3", "4"])
        // Offline signing, then a pre-signed batch.
        let s1 = try ledger(
            ["statement", "sign", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"offline 1\"}"],
            cwd: fx.dir)
        let s2 = try ledger(
            ["statement", "sign", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"offline 2\"}"],
            cwd: fx.dir)
        try (s1.stdout + s2.stdout).write(toFile: fx.dir + "/signed.jsonl", atomically: true, encoding: .utf8)
        #expect(try ledger(["append", "led", "--signed", "signed.jsonl"], cwd: fx.dir).lines == ["5", "6"])
        // Replaying the same signed statements is refused.
        let before = try fx.snapshot()
        let replay = try ledger(["append", "led", "--signed", "signed.jsonl"], cwd: fx.dir)
        #expect(replay.status == 1)
        #expect(
            replay.stderr.contains("line 1") && replay.stderr.contains("line 2") && replay.stderr.contains("replay"))
        #expect(try fx.snapshot() == before)

        let log = try ledger(["log", "led", "--json"], cwd: fx.dir)
        #expect(log.lines.count == 7)
        #expect(log.lines[6].contains("offline 2"))
        // --raw prints exactly the hashed bytes.
        let raw = try ledger(["entry", "led", "4", "--raw"], cwd: fx.dir)
        #expect(!raw.stdout.hasSuffix("\n"))
        let line = try read(fx.dir + "/led/entries.jsonl").split(separator: "\n")[4]
        #expect(raw.stdout == String(line))
        try raw.stdout.write(toFile: fx.dir + "/leaf4", atomically: true, encoding: .utf8)

        // Checkpoint, witness cosignatures (with state and a consistency proof), attach, verify.
        let cp7 = try ledger(["checkpoint", "led", "--sign", "--key", "op.key"], cwd: fx.dir)
        #expect(cp7.status == 0)
        #expect(cp7.lines[0] == "cli.example/log" && cp7.lines[1] == "7")
        try cp7.stdout.write(toFile: fx.dir + "/cp7", atomically: true, encoding: .utf8)
        let w1 = try ledger(["key", "generate", "--name", "witness-jp", "--out", "w1.key"], cwd: fx.dir)
        let w2 = try ledger(["key", "generate", "--name", "witness-us", "--out", "w2.key"], cwd: fx.dir)
        #expect(w1.status == 0 && w2.status == 0)
        let c1 = try ledger(
            ["cosign", "cp7", "--key", "w1.key", "--vkey", fx.opVkey, "--state", "w1state"], cwd: fx.dir)
        #expect(c1.status == 0, "\(c1.stderr)")
        try c1.stdout.write(toFile: fx.dir + "/cp7.w1", atomically: true, encoding: .utf8)
        let w1cos = try ledger(["key", "show", "w1.key", "--cosigner"], cwd: fx.dir).lines[0]
        #expect(try ledger(["checkpoint", "led", "--attach", "cp7.w1", "--witness", w1cos], cwd: fx.dir).status == 0)
        let w2cos = try ledger(["key", "show", "w2.key", "--cosigner"], cwd: fx.dir).lines[0]
        var v = try ledger(
            [
                "verify", "led", "--vkey", fx.opVkey, "--witness", w1cos, "--witness", w2cos, "--min-cosignatures", "1",
                "--json",
            ], cwd: fx.dir)
        #expect(v.status == 0, "\(v.stdout) \(v.stderr)")
        #expect(v.stdout.contains("\"valid\":true"))
        v = try ledger(
            ["verify", "led", "--vkey", fx.opVkey, "--witness", w1cos, "--witness", w2cos, "--min-cosignatures", "2"],
            cwd: fx.dir)
        #expect(v.status == 1)
        #expect(v.stderr.contains("1 valid cosignatures"))

        // The witness refuses a bigger checkpoint without a proof, and accepts it with one.
        try ledger(
            ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"later\"}"], cwd: fx.dir)
        let cp8 = try ledger(["checkpoint", "led", "--sign", "--key", "op.key"], cwd: fx.dir)
        try cp8.stdout.write(toFile: fx.dir + "/cp8", atomically: true, encoding: .utf8)
        let noProof = try ledger(
            ["cosign", "cp8", "--key", "w1.key", "--vkey", fx.opVkey, "--state", "w1state"], cwd: fx.dir)
        #expect(noProof.status == 1)
        #expect(noProof.stderr.contains("--proof"))
        let proof = try ledger(["proof", "consistency", "led", "--from", "7", "--to", "8", "--json"], cwd: fx.dir)
        try proof.stdout.write(toFile: fx.dir + "/p78.json", atomically: true, encoding: .utf8)
        let withProof = try ledger(
            ["cosign", "cp8", "--key", "w1.key", "--vkey", fx.opVkey, "--state", "w1state", "--proof", "p78.json"],
            cwd: fx.dir)
        #expect(withProof.status == 0, "\(withProof.stderr)")

        // Offline proof checks against signed checkpoints.
        let pv = try ledger(
            [
                "proof", "verify", "--vkey", fx.opVkey, "--checkpoint", "cp8", "--old-checkpoint", "cp7", "--proof",
                "p78.json",
            ], cwd: fx.dir)
        #expect(pv.status == 0, "\(pv.stderr)")
        let inc = try ledger(["proof", "inclusion", "led", "--index", "4", "--size", "7", "--json"], cwd: fx.dir)
        try inc.stdout.write(toFile: fx.dir + "/inc.json", atomically: true, encoding: .utf8)
        #expect(
            try ledger(
                [
                    "proof", "verify", "--vkey", fx.opVkey, "--checkpoint", "cp7", "--proof", "inc.json", "--leaf",
                    "leaf4",
                ], cwd: fx.dir
            ).status == 0)
        // Wrong leaf, wrong checkpoint, tampered proof: all fail with exit 1.
        try "{\"x\":1}".write(toFile: fx.dir + "/otherleaf", atomically: true, encoding: .utf8)
        #expect(
            try ledger(
                [
                    "proof", "verify", "--vkey", fx.opVkey, "--checkpoint", "cp7", "--proof", "inc.json", "--leaf",
                    "otherleaf",
                ], cwd: fx.dir
            ).status == 1)
        #expect(
            try ledger(
                ["proof", "verify", "--vkey", fx.opVkey, "--checkpoint", "cp8", "--proof", "inc.json"], cwd: fx.dir
            ).status == 1)
        var tampered = inc.stdout
        let h = tampered.range(of: "\"hashes\":[\"")!.upperBound
        tampered.replaceSubrange(h..<tampered.index(after: h), with: tampered[h] == "A" ? "B" : "A")
        try tampered.write(toFile: fx.dir + "/bad.json", atomically: true, encoding: .utf8)
        #expect(
            try ledger(
                ["proof", "verify", "--vkey", fx.opVkey, "--checkpoint", "cp7", "--proof", "bad.json"], cwd: fx.dir
            ).status == 1)
        // A tlog-proof bundle carries its cosigned checkpoint.
        let tp = try ledger(
            ["proof", "inclusion", "led", "--index", "4", "--size", "7", "--format", "tlog-proof"], cwd: fx.dir)
        #expect(tp.stdout.hasPrefix("c2sp.org/tlog-proof@v1\nindex 4\n"))
        #expect(tp.stdout.contains("\u{2014} witness-jp "))
        try tp.stdout.write(toFile: fx.dir + "/tp", atomically: true, encoding: .utf8)
        #expect(
            try ledger(["proof", "verify", "--vkey", fx.opVkey, "--proof", "tp", "--leaf", "leaf4"], cwd: fx.dir).status
                == 0)
        #expect(
            try ledger(["proof", "verify", "--vkey", fx.opVkey, "--proof", "tp", "--leaf", "otherleaf"], cwd: fx.dir)
                .status == 1)

        // Incremental audit from the trusted checkpoint.
        let inc2 = try ledger(["verify", "led", "--vkey", fx.opVkey, "--since", "cp7", "--json"], cwd: fx.dir)
        #expect(inc2.status == 0, "\(inc2.stdout)")
        #expect(inc2.stdout.contains("\"incrementalFrom\":7"))
    }

    @Test func badInputIsRefusedWithOneLineAndNothingAppended() throws {
        let fx = try CLIFixture()
        try fx.registeredKey("jp", file: "jp.key")
        let stranger = try ledger(["key", "generate", "--name", "stranger", "--out", "s.key"], cwd: fx.dir)
        #expect(stranger.status == 0)
        let before = try fx.snapshot()
        let cases: [([String], Int32, String)] = [
            (["--kind", "note", "--body", "{\"text\":"], 2, "invalid JSON"),
            (["--kind", "note", "--body", "{\"text\":1.5}"], 2, "only integers"),
            (["--kind", "note", "--body", "{\"text\":\"a\",\"text\":\"b\"}"], 2, "duplicate key"),
            (["--kind", "note", "--body", "[1]"], 2, "body must be a JSON object"),
            (["--kind", "note", "--body", "{\"text\":5}"], 2, "note.text"),
            (["--kind", "no.such.kind", "--body", "{}"], 1, "unknown kind"),
            (["--kind", "Bad Kind", "--body", "{}"], 2, "kind"),
            (["--kind", "note", "--body", "{\"text\":\"" + String(repeating: "x", count: 20_000) + "\"}"], 2, "limit"),
        ]
        for (args, status, needle) in cases {
            let r = try ledger(["append", "led", "--key", "jp.key"] + args, cwd: fx.dir)
            #expect(r.status == status, "\(args): \(r.stderr)")
            #expect(r.stderr.contains(needle), "\(args): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        }
        let s = try ledger(
            ["append", "led", "--key", "s.key", "--kind", "note", "--body", "{\"text\":\"x\"}"], cwd: fx.dir)
        #expect(s.status == 1)
        #expect(s.stderr.contains("not registered"))
        // Invalid UTF-8 in a signed-statement file.
        try Data([0x7b, 0x22, 0xff, 0x22, 0x7d, 0x0a]).write(to: URL(fileURLWithPath: fx.dir + "/bad.jsonl"))
        let u = try ledger(["append", "led", "--signed", "bad.jsonl"], cwd: fx.dir)
        #expect(u.status == 2)
        #expect(u.stderr.contains("bad.jsonl:1"))
        // A claimed time outside the tolerance.
        let old = try ledger(
            [
                "statement", "sign", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"old\"}", "--time",
                "2020-01-01T00:00:00Z",
            ], cwd: fx.dir)
        try old.stdout.write(toFile: fx.dir + "/old.jsonl", atomically: true, encoding: .utf8)
        let t = try ledger(["append", "led", "--signed", "old.jsonl"], cwd: fx.dir)
        #expect(t.status == 1)
        #expect(t.stderr.contains("tolerance"))
        #expect(try fx.snapshot() == before)
        // Usage errors exit 2.
        #expect(try ledger(["append", "led", "--kind", "note"], cwd: fx.dir).status == 2)
        #expect(try ledger(["entry", "led", "99"], cwd: fx.dir).status == 2)
    }

    @Test func verifyNamesTheFirstBadEntry() throws {
        let fx = try CLIFixture()
        try fx.registeredKey("jp", file: "jp.key")
        for i in 0..<4 {
            try ledger(
                ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"n\(i)\"}"], cwd: fx.dir)
        }
        let path = fx.dir + "/led/entries.jsonl"
        var text = try read(path)
        text = text.replacingOccurrences(of: "\"text\":\"n2\"", with: "\"text\":\"N2\"")
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let v = try ledger(["verify", "led", "--json"], cwd: fx.dir)
        #expect(v.status == 1)
        #expect(v.stdout.contains("\"failedEntry\":4"))
        let plain = try ledger(["verify", "led"], cwd: fx.dir)
        #expect(plain.stderr.contains("entry 4: signature does not verify"))
    }

    @Test func twoProcessesAppendingAtOnceAreSerialized() throws {
        let fx = try CLIFixture()
        try fx.registeredKey("a", file: "a.key")
        try fx.registeredKey("b", file: "b.key")
        let n = 25
        // Two independent processes, each appending n entries one at a time.
        var procs = [ChildProcess]()
        for p in ["a", "b"] {
            let proc = ChildProcess()
            proc.executableURL = URL(fileURLWithPath: "/bin/sh")
            proc.arguments = [
                "-c",
                "for i in $(seq 1 \(n)); do \"\(ledgerBinary)\" append led --key \(p).key --kind note --body "
                    + "\"{\\\"text\\\":\\\"\(p)$i\\\"}\" >/dev/null || exit 1; done",
            ]
            proc.currentDirectoryURL = URL(fileURLWithPath: fx.dir)
            try proc.run()
            procs.append(proc)
        }
        for proc in procs {
            proc.waitUntilExit()
            #expect(proc.terminationStatus == 0)
        }
        let v = try ledger(["verify", "led", "--json"], cwd: fx.dir)
        #expect(v.status == 0, "\(v.stdout)")
        let log = try ledger(["log", "led", "--json"], cwd: fx.dir).stdout
        #expect(log.split(separator: "\n").count == 3 + 2 * n)
        for p in ["a", "b"] {
            for i in 1...n {
                #expect(log.components(separatedBy: "{\"text\":\"\(p)\(i)\"}").count == 2, "\(p)\(i) not exactly once")
            }
        }
    }

    @Test func aTornLastLineIsRepairedOnTheNextAppend() throws {
        let fx = try CLIFixture()
        try fx.registeredKey("jp", file: "jp.key")
        let committed = try bytes(fx.dir + "/led/entries.jsonl")
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: fx.dir + "/led/entries.jsonl"))
        h.seekToEndOfFile()
        h.write(Data("{\"index\":2,\"pr".utf8))
        try h.close()
        #expect(try ledger(["verify", "led"], cwd: fx.dir).status == 0)
        let a = try ledger(
            ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"after crash\"}"], cwd: fx.dir)
        #expect(a.lines == ["2"])
        let after = try bytes(fx.dir + "/led/entries.jsonl")
        #expect(after.prefix(committed.count) == committed)
        #expect(try ledger(["verify", "led"], cwd: fx.dir).status == 0)
    }
}
