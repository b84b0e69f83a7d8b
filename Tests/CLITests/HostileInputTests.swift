import Foundation
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Testing

/// End-to-end tests of identities compared as bytes and of hostile input: each spawns the
/// built `ledger` binary and expects a clean one-line refusal, never a crash.
@Suite struct HostileInputTests {
    /// `ledger: error: …` is the only line on stderr.
    static func expectOneLineError(_ r: RunResult, _ status: Int32, containing text: String) {
        #expect(r.status == status, "status \(r.status): \(r.stderr)")
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("ledger: error: "), "\(r.stderr)")
        #expect(r.stderr.contains(text), "\(r.stderr)")
    }

    /// Shell-quotes `s` for `/bin/sh`.
    static func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// A key file with the same key pair as `file` under another name.
    static func renamedKey(_ file: String, to name: String, in dir: String, out: String) throws -> NoteSignerKey {
        let key = try NoteSignerKey(parsing: try read(dir + "/" + file))
        let renamed = try NoteSignerKey(name: name, signingKey: key.signingKey)
        try LedgerFiles.writePrivateKey(renamed, to: dir + "/" + out)
        return renamed
    }

    // MARK: 6. Identity is byte-exact and revocation is final

    @Test func partyCodeWithKelvinSignIsRefused() throws {
        let fx = try CLIFixture()
        let env = ["LEDGER_NOW": "2030-01-02T09:00:00Z"]
        #expect(
            try ledger(["forum", "charter", "led", "--key", "op.key", "--forum", "RCEP"], cwd: fx.dir, env: env).status
                == 0)
        let sec = try ledger(["key", "generate", "--name", "RCEP-sec", "--out", "sec.key"], cwd: fx.dir).lines.last!
        let r = try ledger(
            ["secretariat", "register", "led", "--key", "op.key", "--forum", "RCEP", "--vkey", sec], cwd: fx.dir,
            env: env)
        #expect(r.status == 0, "\(r.stderr)")
        let kr = try ledger(["key", "generate", "--name", "RCEP-KR", "--out", "kr.key"], cwd: fx.dir).lines.last!
        // "\u{212A}R" is canonically equivalent to "KR", but not the same bytes.
        let before = try fx.snapshot()
        let k = try ledger(
            [
                "delegation", "register", "led", "--key", "sec.key", "--forum", "RCEP", "--party", "\u{212A}R",
                "--vkey", kr,
            ],
            cwd: fx.dir, env: env)
        Self.expectOneLineError(k, 2, containing: "is not an ISO 3166-1 alpha-2 code")
        #expect(try fx.snapshot() == before)
        let ok = try ledger(
            ["delegation", "register", "led", "--key", "sec.key", "--forum", "RCEP", "--party", "KR", "--vkey", kr],
            cwd: fx.dir, env: env)
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    @Test func revokedPublicKeyCannotBeRegisteredUnderAnotherName() throws {
        let fx = try CLIFixture()
        let alice = try fx.registeredKey("alice", file: "alice.key")
        let rv = try ledger(["key", "revoke", "led", "--key", "op.key", "--vkey", alice], cwd: fx.dir)
        #expect(rv.status == 0, "\(rv.stderr)")
        let again = try Self.renamedKey("alice.key", to: "alice-2", in: fx.dir, out: "alice2.key")
        let before = try fx.snapshot()
        let r = try ledger(
            ["key", "register", "led", "--key", "op.key", "--vkey", again.verifierKey.description], cwd: fx.dir)
        Self.expectOneLineError(r, 1, containing: "cannot be registered again under any name")
        #expect(try fx.snapshot() == before)
        // The revoked key pair cannot sign under its new name.
        let a = try ledger(
            ["append", "led", "--key", "alice2.key", "--kind", "note", "--body", #"{"text":"back"}"#], cwd: fx.dir)
        #expect(a.status == 1, "\(a.stderr)")
        #expect(try ledger(["verify", "led"], cwd: fx.dir).status == 0)
    }

    @Test func publicKeyIsRegisteredUnderOneNameOnly() throws {
        let fx = try CLIFixture()
        try fx.registeredKey("bob", file: "bob.key")
        let twin = try Self.renamedKey("bob.key", to: "bob-twin", in: fx.dir, out: "twin.key")
        let r = try ledger(
            ["key", "register", "led", "--key", "op.key", "--vkey", twin.verifierKey.description], cwd: fx.dir)
        Self.expectOneLineError(r, 1, containing: "is already registered as bob+")
        // Nor the operator's key pair under another name.
        let op = try Self.renamedKey("op.key", to: "op-twin", in: fx.dir, out: "optwin.key")
        let o = try ledger(
            ["key", "register", "led", "--key", "op.key", "--vkey", op.verifierKey.description], cwd: fx.dir)
        Self.expectOneLineError(o, 1, containing: "is already registered as cli.example/log+")
    }

    @Test func objectKeysAreComparedAsBytes() throws {
        let fx = try CLIFixture()
        try fx.registeredKey("w", file: "w.key")
        // NFC é and NFD é are distinct keys under RFC 8785: not "duplicate" ones.
        let body = "{\"text\":\"x\",\"\u{E9}\":1,\"e\u{301}\":2}"
        let r = try ledger(["append", "led", "--key", "w.key", "--kind", "note", "--body", body], cwd: fx.dir)
        Self.expectOneLineError(r, 2, containing: "note: unknown field")
        #expect(!r.stderr.contains("duplicate key"), "\(r.stderr)")
        let dup = try ledger(
            ["append", "led", "--key", "w.key", "--kind", "note", "--body", #"{"text":"x","text":"y"}"#], cwd: fx.dir)
        Self.expectOneLineError(dup, 2, containing: "duplicate key")
    }

    // MARK: 7. Hostile input

    @Test func deepYAMLIsRefusedBeforeItIsBuilt() throws {
        let fx = try CLIFixture()
        try fx.registeredKey("d", file: "d.key")
        let deep = "id: X-1\ntitle: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "\n"
        try deep.write(toFile: fx.dir + "/deep.yaml", atomically: true, encoding: .utf8)
        Self.expectOneLineError(
            try boundedLedger(["propose", "led", "--key", "d.key", "--file", "deep.yaml"], cwd: fx.dir), 2,
            containing: "deep.yaml:2: nesting deeper than 16")
        let block = (0..<40).map { String(repeating: "  ", count: $0) + "k\($0):" }.joined(separator: "\n") + " x\n"
        try block.write(toFile: fx.dir + "/block.yaml", atomically: true, encoding: .utf8)
        Self.expectOneLineError(
            try ledger(["propose", "led", "--key", "d.key", "--file", "block.yaml"], cwd: fx.dir), 2,
            containing: "nesting deeper than 16")
    }

    @Test func yamlAnchorsAliasesAndTagsAreRefused() throws {
        let fx = try CLIFixture()
        try fx.registeredKey("d", file: "d.key")
        let bomb = """
            a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
            b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
            c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
            d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
            e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
            f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
            g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
            h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
            i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
            """
        let cases = [
            ("bomb.yaml", bomb, "1: YAML anchors (&name) are not allowed"),
            ("alias.yaml", "id: X-1\ntitle: *nowhere\n", "2: YAML aliases (*name) are not allowed"),
            ("tag.yaml", "id: X-1\ntitle: !!str T\n", "2: YAML tags (!tag) are not allowed"),
            ("two.yaml", "id: X-1\n---\nid: X-2\n", "2: more than one YAML document"),
            (
                "big.yaml", "id: X-1\nrationale: " + String(repeating: "a", count: 300_000) + "\n",
                "over the 262144-byte limit"
            ),
        ]
        for (name, text, message) in cases {
            try text.write(toFile: fx.dir + "/" + name, atomically: true, encoding: .utf8)
            let r = try boundedLedger(["propose", "led", "--key", "d.key", "--file", name], cwd: fx.dir)
            Self.expectOneLineError(r, 2, containing: name + (message.hasPrefix("over") ? ": " : ":" + message))
            #expect(r.stderr.contains(message), "\(r.stderr)")
        }
    }

    @Test func tlogProofBeyondInt64IsRefusedCleanly() throws {
        let fx = try CLIFixture()
        let op = try NoteSignerKey(parsing: try read(fx.dir + "/op.key"))
        // A valid proof for the last leaf of a tree of 2^63 + 1 leaves: the root is the node of
        // the left subtree (any hash) and the leaf.
        let leaf = Array("leaf".utf8)
        let left = MerkleHash.leaf(Array("left".utf8))
        let root = MerkleHash.node(left, MerkleHash.leaf(leaf))
        var note = try SignedNote(text: Checkpoint(origin: "cli.example/log", size: (1 << 63) + 1, root: root).text)
        note.sign(with: op)
        let proof = TlogProof(index: 1 << 63, hashes: [left.bytes], checkpoint: note)
        try proof.serialized.write(toFile: fx.dir + "/p.tlog", atomically: true, encoding: .utf8)
        try Data(leaf).write(to: URL(fileURLWithPath: fx.dir + "/leaf"))
        for extra in [[], ["--json"]] {
            let r = try ledger(
                ["proof", "verify", "--vkey", fx.opVkey, "--proof", "p.tlog", "--leaf", "leaf"] + extra, cwd: fx.dir)
            Self.expectOneLineError(r, 2, containing: "is over 2^53 − 1")
        }
    }

    @Test func outOfRangeNumbersOnTheCommandLineAreRefused() throws {
        let n = try ConsensusCLITests.Negotiation()
        try n.write("p.yaml", ConsensusCLITests.proposalYAML)
        #expect(try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "p.yaml"]).status == 0)
        let huge = "18446744073709551615"
        let p = try n.run([
            "position", "led", "G7-EUV-1", "--key", "G7-US.key", "--stance", "support", "--revision", huge,
        ])
        Self.expectOneLineError(p, 2, containing: "--revision: entry \(huge) does not exist")
        let s = try n.run(["status", "led", "--as-of", huge])
        Self.expectOneLineError(s, 2, containing: "--as-of: entry \(huge) does not exist")
        let i = try n.run(["proof", "inclusion", "led", "--index", "0", "--size", "-1", "--json"])
        #expect(i.status == 2, "\(i.stderr)")
    }

    @Test func invalidUTF8IsRefusedWithFileLineAndOffset() throws {
        let fx = try CLIFixture()
        try fx.registeredKey("w", file: "w.key")
        let before = try fx.snapshot()
        // Latin-1 "café" in a YAML proposal, a JSON proposal, a batch file and a CSV list.
        try Data("id: X-1\ntitle: \"caf\u{0}\"\n".utf8.map { $0 == 0 ? 0xE9 : $0 }).write(
            to: URL(fileURLWithPath: fx.dir + "/latin1.yaml"))
        Self.expectOneLineError(
            try ledger(["propose", "led", "--key", "w.key", "--file", "latin1.yaml"], cwd: fx.dir), 2,
            containing: "latin1.yaml:2: byte 19: invalid UTF-8")
        try Data("{\n\"id\": \"caf\u{0}\"}".utf8.map { $0 == 0 ? 0xE9 : $0 }).write(
            to: URL(fileURLWithPath: fx.dir + "/latin1.json"))
        Self.expectOneLineError(
            try ledger(["propose", "led", "--key", "w.key", "--file", "latin1.json"], cwd: fx.dir), 2,
            containing: "latin1.json:2: byte 12: invalid UTF-8")
        try Data(
            #"{"kind":"note","body":{"text":"ok"}}"#.utf8 + [0x0a] + #"{"kind":"note","body":{"text":"caf"#.utf8 + [
                0xE9
            ]
                + #""}}"#.utf8 + [0x0a]
        ).write(to: URL(fileURLWithPath: fx.dir + "/batch.jsonl"))
        Self.expectOneLineError(
            try ledger(["append", "led", "--key", "w.key", "--batch", "batch.jsonl"], cwd: fx.dir), 2,
            containing: "batch.jsonl:2: byte 71: invalid UTF-8")
        try Data("code,text\n3A001,caf\u{0}\n".utf8.map { $0 == 0 ? 0xE9 : $0 }).write(
            to: URL(fileURLWithPath: fx.dir + "/list.csv"))
        let csv = try ledger(["list", "import", "list.csv"], cwd: fx.dir)
        Self.expectOneLineError(csv, 2, containing: "list.csv:2: byte 19: invalid UTF-8")
        // Command-line arguments (`--body`, `--reason`, …) too.
        let arg = try shell(
            "\(Self.quoted(ledgerBinary)) append led --key w.key --kind note --body \"$(printf "
                + "'{\"text\":\"caf\\351\"}')\"",
            cwd: fx.dir)
        Self.expectOneLineError(arg, 2, containing: "argument 8: byte 12: invalid UTF-8")
        #expect(try fx.snapshot() == before)
    }

    @Test func benchNeverRemovesAGivenDirectoryNorShellsOut() throws {
        let base = try makeTempDir("bench")
        // A directory name that would break out of the old `rm -rf '…'` shell command.
        let work = base + "/w'; touch \(base)/injected; echo '"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try "mine".write(toFile: work + "/keep.txt", atomically: true, encoding: .utf8)
        let r = try ledgerBench(["bench", "--entries", "100", "--workdir", work, "--json"], cwd: base)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: work + "/keep.txt"))
        #expect(FileManager.default.fileExists(atPath: work + "/entries.jsonl"))
        #expect(!FileManager.default.fileExists(atPath: base + "/injected"))
        // The ledger it left there is not removed by a second run either: it is refused.
        let again = try ledgerBench(["bench", "--entries", "100", "--workdir", work, "--json"], cwd: base)
        #expect(again.status == 1, "\(again.stderr)")
        #expect(again.stderr.contains("a ledger already exists here"), "\(again.stderr)")
        #expect(FileManager.default.fileExists(atPath: work + "/keep.txt"))
    }

    // MARK: 9. Small ones

    @Test func consistencyProofFromZeroIsRefused() throws {
        let fx = try CLIFixture()
        try fx.registeredKey("w", file: "w.key")
        let r = try ledger(["proof", "consistency", "led", "--from", "0", "--json"], cwd: fx.dir)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("--from must be ≥ 1"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(try ledger(["proof", "consistency", "led", "--from", "1", "--json"], cwd: fx.dir).status == 0)
    }

    @Test func errorsQuotingUserInputStayOnOneLine() throws {
        let dir = try makeTempDir("nl")
        let r = try ledger(["key", "generate", "--name", "a\nb\u{1b}[31m", "--out", "k.key"], cwd: dir)
        Self.expectOneLineError(r, 2, containing: #"invalid key name "a\nb\u{1b}[31m""#)
    }

    @Test func keyFileReadableByOthersIsUsedOnlyWithAWarning() throws {
        let fx = try CLIFixture()
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: fx.dir + "/op.key")
        let r = try ledger(["key", "register", "led", "--key", "op.key", "--vkey", fx.opVkey], cwd: fx.dir)
        #expect(r.stderr.contains("ledger: warning: op.key: key file has mode 0644, readable by others"), "\(r.stderr)")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: fx.dir + "/op.key")
        let q = try ledger(["key", "show", "op.key"], cwd: fx.dir)
        #expect(q.status == 0 && q.stderr.isEmpty, "\(q.stderr)")
    }

    // MARK: 10.

    @Test func keyNamesAreAtMost255Bytes() throws {
        let fx = try CLIFixture()
        let ok = try ledger(
            ["key", "generate", "--name", String(repeating: "n", count: 255), "--out", "ok.key"], cwd: fx.dir)
        #expect(ok.status == 0, "\(ok.stderr)")
        let long = try ledger(
            ["key", "generate", "--name", String(repeating: "n", count: 256), "--out", "no.key"], cwd: fx.dir)
        Self.expectOneLineError(long, 2, containing: "--name: 256 bytes, over the 255-byte key name limit")
        // A vkey with a longer name, made elsewhere, cannot be registered.
        let k = try NoteSignerKey.generate(name: String(repeating: "é", count: 128))
        let r = try ledger(
            ["key", "register", "led", "--key", "op.key", "--vkey", k.verifierKey.description], cwd: fx.dir)
        Self.expectOneLineError(r, 2, containing: "key name is 256 bytes, over the 255-byte limit")
    }
}
