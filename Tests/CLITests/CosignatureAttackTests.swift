import Foundation
import LedgerCore
import LedgerTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Attacks on checkpoint cosignatures, through the built binary (specs/ledger-format.md §8).
@Suite(.serialized) struct CosignatureAttackTests {
    /// A ledger of size 1 with a log-signed checkpoint in `cp`, and helpers for witnesses.
    struct Setup {
        let fx: CLIFixture
        var dir: String { fx.dir }
        var cpPath: String { dir + "/led/checkpoints/00000000000000000001.note" }

        init() throws {
            fx = try CLIFixture()
            let cp = try ledger(["checkpoint", "led", "--sign", "--key", "op.key"], cwd: fx.dir)
            #expect(cp.status == 0, "\(cp.stderr)")
            try cp.stdout.write(toFile: fx.dir + "/cp", atomically: true, encoding: .utf8)
        }

        /// Generates a witness key file; returns its (0x01 vkey, 0x04 cosigner vkey).
        func witness(_ name: String) throws -> (vkey: String, cosigner: String) {
            let g = try ledger(["key", "generate", "--name", name, "--out", name + ".key"], cwd: dir)
            #expect(g.status == 0, "\(g.stderr)")
            let c = try ledger(["key", "show", name + ".key", "--cosigner"], cwd: dir)
            return (g.lines.last!, c.lines[0])
        }

        /// The checkpoint `cp` cosigned by the witness key file `name.key`, written to `out`.
        @discardableResult
        func cosign(_ name: String, out: String, env: [String: String] = [:], input: String = "cp") throws -> String {
            let r = try ledger(["cosign", input, "--key", name + ".key", "--vkey", fx.opVkey], cwd: dir, env: env)
            #expect(r.status == 0, "\(r.stderr)")
            try r.stdout.write(toFile: dir + "/" + out, atomically: true, encoding: .utf8)
            return r.stdout
        }

        func attach(_ file: String, _ extra: [String] = [], env: [String: String] = [:]) throws -> RunResult {
            try ledger(["checkpoint", "led", "--attach", file] + extra, cwd: dir, env: env)
        }

        func write(_ text: String, _ file: String) throws {
            try text.write(toFile: dir + "/" + file, atomically: true, encoding: .utf8)
        }

        func signerKey(_ name: String) throws -> NoteSignerKey {
            try NoteSignerKey(parsing: try read(dir + "/" + name + ".key"))
        }
    }

    /// The note with the last bit of its last signature line flipped.
    static func corruptLastLine(_ note: String) -> String {
        var lines = note.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast()  // the empty string after the final newline
        let last = lines.removeLast()
        let fields = last.split(separator: " ")
        var raw = [UInt8](Data(base64Encoded: String(fields[2]))!)
        raw[raw.count - 1] ^= 1
        return (lines + ["\(fields[0]) \(fields[1]) \(Data(raw).base64EncodedString())"]).joined(separator: "\n") + "\n"
    }

    /// A well-formed signature line under a random name and key ID.
    static func junkLine(_ i: Int) -> String {
        let raw = (0..<76).map { _ in UInt8.random(in: 0...255) }
        return "\u{2014} junk\(i).example \(Data(raw).base64EncodedString())\n"
    }

    static func oneLine(_ r: RunResult) -> Bool {
        r.stderr.hasPrefix("ledger: error: ") && r.stderr.split(separator: "\n").count == 1
    }

    @Test func aGarbageCosignatureUnderAKnownWitnessIsRefusedAndDoesNotReplaceTheValidOne() throws {
        let s = try Setup()
        let w = try s.witness("witness-a")
        let reg = try ledger(
            ["key", "register", "led", "--key", "op.key", "--vkey", w.vkey, "--role", "witness"], cwd: s.dir)
        #expect(reg.status == 0, "\(reg.stderr)")
        let good = try s.cosign("witness-a", out: "good")
        // Registered with role witness: accepted without --witness.
        let a = try s.attach("good")
        #expect(a.status == 0, "\(a.stderr)")
        let stored = try read(s.cpPath)
        try s.write(Self.corruptLastLine(good), "bad")
        let b = try s.attach("bad")
        #expect(b.status == 1, "\(b.stderr)")
        #expect(Self.oneLine(b), "\(b.stderr)")
        #expect(b.stderr.contains("signature line 2") && b.stderr.contains("witness-a"), "\(b.stderr)")
        #expect(try read(s.cpPath) == stored)
        let v = try ledger(
            ["verify", "led", "--vkey", s.fx.opVkey, "--witness", w.cosigner, "--min-cosignatures", "1"], cwd: s.dir)
        #expect(v.status == 0, "\(v.stderr)")
    }

    @Test func ninetyNineJunkLinesAreRefusedAndTheLedgerStillWorks() throws {
        let s = try Setup()
        let w = try s.witness("witness-a")
        let good = try s.cosign("witness-a", out: "good")
        #expect(try s.attach("good", ["--witness", w.cosigner]).status == 0)
        let stored = try read(s.cpPath)
        // 99 junk lines after the log signature (100 lines parse; more is malformed).
        try s.write(try read(s.dir + "/cp") + (0..<99).map(Self.junkLine).joined(), "junk")
        let j = try s.attach("junk", ["--witness", w.cosigner])
        #expect(j.status == 1, "\(j.stderr)")
        #expect(Self.oneLine(j), "\(j.stderr)")
        #expect(j.stderr.contains("at most 33"), "\(j.stderr)")
        #expect(try read(s.cpPath) == stored)
        // A single unknown line is refused too (not stored as is).
        try s.write(good + Self.junkLine(0), "junk1")
        let j1 = try s.attach("junk1", ["--witness", w.cosigner])
        #expect(j1.status == 1 && j1.stderr.contains("signature line 3"), "\(j1.stderr)")
        #expect(try read(s.cpPath) == stored)
        // Every later command still works.
        #expect(try ledger(["checkpoint", "led"], cwd: s.dir).stdout == stored)
        let v = try ledger(["verify", "led", "--witness", w.cosigner, "--min-cosignatures", "1"], cwd: s.dir)
        #expect(v.status == 0, "\(v.stderr)")
        try s.fx.registeredKey("jp", file: "jp.key")
        #expect(try ledger(["checkpoint", "led", "--sign", "--key", "op.key"], cwd: s.dir).status == 0)
        #expect(
            try ledger(
                ["proof", "inclusion", "led", "--index", "0", "--size", "1", "--format", "tlog-proof"], cwd: s.dir
            ).status == 0)
        #expect(try ledger(["verify", "led"], cwd: s.dir).status == 0)
    }

    @Test func anUnknownWitnessIsRefusedUnlessGivenOrRegisteredWithTheWitnessRole() throws {
        let s = try Setup()
        let u = try s.witness("unknown")
        try s.cosign("unknown", out: "u")
        let stored = try read(s.cpPath)
        let r = try s.attach("u")
        #expect(r.status == 1, "\(r.stderr)")
        #expect(Self.oneLine(r) && r.stderr.contains("signature line 2 (unknown+"), "\(r.stderr)")
        #expect(r.stderr.contains("not a cosignature by a known witness"), "\(r.stderr)")
        #expect(try read(s.cpPath) == stored)
        // Another --witness does not help.
        let other = try s.witness("other")
        #expect(try s.attach("u", ["--witness", other.cosigner]).status == 1)
        // A malformed --witness is an input error.
        #expect(try s.attach("u", ["--witness", "nonsense"]).status == 2)
        #expect(try s.attach("u", ["--witness", u.cosigner]).status == 0)
        #expect(try read(s.cpPath).contains("\u{2014} unknown "))

        // Registered, but with another role: refused; with role witness: accepted.
        let d = try s.witness("delegate")
        #expect(
            try ledger(
                ["key", "register", "led", "--key", "op.key", "--vkey", d.vkey, "--role", "delegation"], cwd: s.dir
            ).status == 0)
        try s.cosign("delegate", out: "d")
        let dr = try s.attach("d")
        #expect(dr.status == 1 && dr.stderr.contains("delegate"), "\(dr.stderr)")
        let rw = try s.witness("registered")
        #expect(
            try ledger(
                ["key", "register", "led", "--key", "op.key", "--vkey", rw.vkey, "--role", "witness"], cwd: s.dir
            ).status == 0)
        try s.cosign("registered", out: "rw")
        let ok = try s.attach("rw")
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("\u{2014} registered ") && ok.stdout.contains("\u{2014} unknown "))
        // A revoked witness is no longer known.
        #expect(try ledger(["key", "revoke", "led", "--key", "op.key", "--vkey", rw.vkey], cwd: s.dir).status == 0)
        #expect(try s.attach("rw").status == 1)
    }

    @Test func oneWitnessGivenTwiceOrUnderTwoNamesCountsOnce() throws {
        let s = try Setup()
        let w = try s.witness("witness-a")
        // The same key pair under another name (another key ID, the same public key).
        let alias = try NoteSignerKey(name: "witness-alias", signingKey: try s.signerKey("witness-a").signingKey)
        try (alias.privateKeyText + "\n").write(toFile: s.dir + "/witness-alias.key", atomically: true, encoding: .utf8)
        let aliasCos = alias.cosignerKey.description
        let first = try s.cosign("witness-a", out: "a")
        try s.write(first, "cp-a")
        try s.cosign("witness-alias", out: "both", input: "cp-a")
        let at = try s.attach("both", ["--witness", w.cosigner, "--witness", aliasCos])
        #expect(at.status == 0, "\(at.stderr)")
        #expect(at.stdout.contains("\u{2014} witness-a ") && at.stdout.contains("\u{2014} witness-alias "))
        for witnesses in [[w.cosigner, w.cosigner], [w.cosigner, aliasCos], [w.vkey, w.cosigner]] {
            let args = ["verify", "led", "--vkey", s.fx.opVkey] + witnesses.flatMap { ["--witness", $0] }
            let two = try ledger(args + ["--min-cosignatures", "2"], cwd: s.dir)
            #expect(two.status == 1, "\(witnesses): \(two.stdout)")
            #expect(two.stderr.contains("1 valid cosignatures"), "\(two.stderr)")
            let one = try ledger(args + ["--min-cosignatures", "1", "--json"], cwd: s.dir)
            #expect(one.status == 0, "\(one.stdout)")
            #expect(one.stdout.contains("\"cosignatures\":[\"witness-a at "), "\(one.stdout)")
        }
        // Two distinct witnesses make two.
        let b = try s.witness("witness-b")
        try s.cosign("witness-b", out: "b")
        #expect(try s.attach("b", ["--witness", b.cosigner]).status == 0)
        let two = try ledger(
            [
                "verify", "led", "--witness", w.cosigner, "--witness", aliasCos, "--witness", b.vkey,
                "--min-cosignatures", "2",
            ],
            cwd: s.dir)
        #expect(two.status == 0, "\(two.stderr)")
    }

    @Test func aWitnessGivenByItsType01VkeyStandsForItsCosignerKey() throws {
        let s = try Setup()
        let w = try s.witness("witness-a")
        try s.cosign("witness-a", out: "a")
        // attach --witness takes the 0x01 form as well as the 0x04 one.
        let a = try s.attach("a", ["--witness", w.vkey])
        #expect(a.status == 0, "\(a.stderr)")
        // verify --witness: the 0x01 form counts the tlog-cosignature/v1 of the same key.
        let v = try ledger(
            ["verify", "led", "--vkey", s.fx.opVkey, "--witness", w.vkey, "--min-cosignatures", "1"], cwd: s.dir)
        #expect(v.status == 0, "\(v.stderr)")
        #expect(v.stdout.contains("cosigned by: witness-a at "), "\(v.stdout)")
        // A plain Ed25519 (0x01) signature line by the witness is not a cosignature: refused.
        var note = try SignedNote(parsing: try read(s.dir + "/cp"))
        note.sign(with: try s.signerKey("witness-a"))
        try s.write(note.serialized, "plain")
        let p = try s.attach("plain", ["--witness", w.vkey])
        #expect(p.status == 1 && p.stderr.contains("not a cosignature by a known witness"), "\(p.stderr)")
    }

    @Test func aSecondInvalidLogSignatureLineIsRejected() throws {
        let s = try Setup()
        let cp = try read(s.dir + "/cp")
        let logLine = String(cp.split(separator: "\n").last!) + "\n"
        let twice = Self.corruptLastLine(cp + logLine)
        try s.write(twice, "twice")
        // attach, cosign and proof verify refuse the note.
        let a = try s.attach("twice")
        #expect(a.status == 1 && Self.oneLine(a) && a.stderr.contains("signature line 2"), "\(a.stderr)")
        let c = try ledger(["cosign", "twice", "--key", "op.key", "--vkey", s.fx.opVkey], cwd: s.dir)
        #expect(c.status == 1, "\(c.stderr)")
        _ = try s.witness("witness-a")
        let c2 = try ledger(["cosign", "twice", "--key", "witness-a.key", "--vkey", s.fx.opVkey], cwd: s.dir)
        #expect(c2.status == 1 && c2.stderr.contains("signature line 2"), "\(c2.stderr)")
        // The same note stored on disk fails verify.
        try twice.write(toFile: s.cpPath, atomically: true, encoding: .utf8)
        let v = try ledger(["verify", "led", "--vkey", s.fx.opVkey], cwd: s.dir)
        #expect(v.status == 1, "\(v.stdout)")
        #expect(v.stderr.contains("signature line 2"), "\(v.stderr)")
    }

    @Test func anInvalidCosignatureFromAWitnessKeyFailsVerify() throws {
        let s = try Setup()
        let a = try s.witness("witness-a")
        let b = try s.witness("witness-b")
        let good = try s.cosign("witness-a", out: "a")
        try s.write(good, "cp-a")
        let both = try s.cosign("witness-b", out: "ab", input: "cp-a")
        // Written straight to the store (attach would refuse it): a valid cosignature by A and a
        // bad one by B, a --witness key.
        try Self.corruptLastLine(both).write(toFile: s.cpPath, atomically: true, encoding: .utf8)
        let v = try ledger(
            [
                "verify", "led", "--vkey", s.fx.opVkey, "--witness", a.cosigner, "--witness", b.cosigner,
                "--min-cosignatures", "1", "--json",
            ],
            cwd: s.dir)
        #expect(v.status == 1, "\(v.stdout)")
        #expect(v.stdout.contains("signature line 3 (witness witness-b+"), "\(v.stdout)")
        // Without B among the witnesses its line is unknown and ignored.
        let only = try ledger(
            ["verify", "led", "--vkey", s.fx.opVkey, "--witness", a.cosigner, "--min-cosignatures", "1"], cwd: s.dir)
        #expect(only.status == 0, "\(only.stderr)")
    }

    @Test func aCosignatureTimestampOf2To63IsRejected() throws {
        let s = try Setup()
        let w = try s.witness("witness-a")
        var note = try SignedNote(parsing: try read(s.dir + "/cp"))
        note.cosign(with: try s.signerKey("witness-a"), time: UInt64(1) << 63)
        try s.write(note.serialized, "big")
        let a = try s.attach("big", ["--witness", w.cosigner])
        #expect(a.status == 1 && Self.oneLine(a), "\(a.stderr)")
        #expect(a.stderr.contains("9223372036854775808") && a.stderr.contains("2^63-1"), "\(a.stderr)")
        try note.serialized.write(toFile: s.cpPath, atomically: true, encoding: .utf8)
        let v = try ledger(["verify", "led", "--witness", w.cosigner, "--min-cosignatures", "1"], cwd: s.dir)
        #expect(v.status == 1, "\(v.stdout)")
        #expect(v.stderr.contains("2^63-1"), "\(v.stderr)")
        // 2^63 − 1 itself is a valid timestamp (though far in the future: flagged, not counted).
        var max = try SignedNote(parsing: try read(s.dir + "/cp"))
        max.cosign(with: try s.signerKey("witness-a"), time: UInt64(Int64.max))
        try max.serialized.write(toFile: s.cpPath, atomically: true, encoding: .utf8)
        let m = try ledger(["verify", "led", "--witness", w.cosigner, "--json"], cwd: s.dir)
        #expect(m.status == 0, "\(m.stdout)")
        #expect(
            m.stdout.contains(
                "\"futureCosignatures\":[\"witness-a at 9223372036854775807 s after the epoch (after year 9999)\"]"),
            "\(m.stdout)")
    }

    @Test func aCosignatureFromTheFutureIsFlaggedAndNotCounted() throws {
        let s = try Setup()
        let w = try s.witness("witness-a")
        let later = ["LEDGER_NOW": "2031-01-01T00:00:00Z"]
        try s.cosign("witness-a", out: "future", env: later)
        // The log's clock refuses it now, accepts it when it is 2031.
        let r = try s.attach("future", ["--witness", w.cosigner])
        #expect(r.status == 1 && Self.oneLine(r) && r.stderr.contains("ahead of the log's clock"), "\(r.stderr)")
        #expect(try s.attach("future", ["--witness", w.cosigner], env: later).status == 0)
        let args = ["verify", "led", "--vkey", s.fx.opVkey, "--witness", w.cosigner]
        let v = try ledger(args + ["--min-cosignatures", "1"], cwd: s.dir)
        #expect(v.status == 1, "\(v.stdout)")
        #expect(v.stderr.contains("ledger: warning: checkpoint 1: cosignature by witness-a"), "\(v.stderr)")
        #expect(v.stderr.contains("0 valid cosignatures"), "\(v.stderr)")
        let j = try ledger(args + ["--json"], cwd: s.dir)
        #expect(j.status == 0, "\(j.stdout)")
        #expect(
            j.stdout.contains("\"cosignatures\":[]")
                && j.stdout.contains("\"futureCosignatures\":[\"witness-a at 2031-01-01T00:00:00Z\"]"), "\(j.stdout)")
        #expect(j.stderr.contains("ledger: warning:"), "\(j.stderr)")
        // Within 600 s of the verifier's clock it counts.
        let near = ["LEDGER_NOW": "2030-12-31T23:50:00Z"]
        let n = try ledger(args + ["--min-cosignatures", "1"], cwd: s.dir, env: near)
        #expect(n.status == 0, "\(n.stderr)")
        #expect(!n.stderr.contains("warning"), "\(n.stderr)")
        let early = ["LEDGER_NOW": "2030-12-31T23:49:59Z"]
        #expect(try ledger(args + ["--min-cosignatures", "1"], cwd: s.dir, env: early).status == 1)
    }

    @Test func twoConcurrentCosignRunsNeverSignTwoRootsAtOneSize() throws {
        let s = try Setup()
        // A second ledger with the same operator key: the same origin and size, another root.
        let i = try ledger(["init", "led2", "--origin", "cli.example/log", "--operator-key", "op.key"], cwd: s.dir)
        #expect(i.status == 0, "\(i.stderr)")
        let cp2 = try ledger(["checkpoint", "led2", "--sign", "--key", "op.key"], cwd: s.dir)
        try s.write(cp2.stdout, "cp2")
        let cp1 = try read(s.dir + "/cp")
        #expect(cp1.split(separator: "\n")[1] == "1" && cp2.stdout.split(separator: "\n")[1] == "1")
        #expect(cp1.split(separator: "\n")[2] != cp2.stdout.split(separator: "\n")[2])
        _ = try s.witness("witness-a")
        func cosigner(_ input: String, state: String) -> ChildProcess {
            let p = ChildProcess()
            p.executableURL = URL(fileURLWithPath: ledgerBinary)
            p.arguments = ["cosign", input, "--key", "witness-a.key", "--vkey", s.fx.opVkey, "--state", state]
            p.currentDirectoryURL = URL(fileURLWithPath: s.dir)
            p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            p.standardError = FileHandle(forWritingAtPath: "/dev/null")
            return p
        }
        // While another process holds the state directory's lock, cosign waits (§8).
        try FileManager.default.createDirectory(atPath: s.dir + "/held", withIntermediateDirectories: true)
        let fd = open(s.dir + "/held/lock", O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0 && flock(fd, LOCK_EX) == 0)
        let waiting = cosigner("cp", state: "held")
        try waiting.run()
        usleep(500_000)
        #expect(waiting.isRunning, "cosign --state did not wait for the lock")
        flock(fd, LOCK_UN)
        close(fd)
        waiting.waitUntilExit()
        #expect(waiting.terminationStatus == 0)
        for round in 0..<20 {
            let state = "state\(round)"
            let procs = ["cp", "cp2"].map { cosigner($0, state: state) }
            for p in procs { try p.run() }
            for p in procs { p.waitUntilExit() }
            let statuses = procs.map(\.terminationStatus)
            #expect(statuses.sorted() == [0, 1], "round \(round): \(statuses)")
            // The state holds the checkpoint of the run that succeeded.
            let files = try FileManager.default.contentsOfDirectory(atPath: s.dir + "/" + state)
                .filter { $0.hasSuffix(".checkpoint") }
            #expect(files.count == 1)
            if let f = files.first, let winner = statuses.firstIndex(of: 0) {
                let body = try read(s.dir + "/" + state + "/" + f)
                let won = try read(s.dir + "/" + ["cp", "cp2"][winner])
                #expect(won.hasPrefix(body), "round \(round)")
            }
        }
    }
}
