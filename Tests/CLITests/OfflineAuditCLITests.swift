import Foundation
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Testing

/// An auditor checking one entry, or one checkpoint, offline (issue 11 §3): `proof verify` with
/// `--leaf`, `--signer-vkey`, `--registry`, `--witness` and `--min-cosignatures`, and
/// `checkpoint verify`, through the built binary.
@Suite(.serialized) struct OfflineAuditCLITests {
    /// The log's and the verifier's clock in every run: cosignature times are known.
    /// (Later than the real clock: the log never moves its time backwards.)
    static let env = ["LEDGER_NOW": "2030-01-01T00:00:00Z"]
    static let nowRFC3339 = "2030-01-01T00:00:00Z"
    static let nowSeconds = 1_893_456_000

    /// A ledger of 3 entries (genesis, the author's registration, the author's note at entry 2),
    /// its checkpoint `cp` and the same cosigned by a witness (`cp.cosigned`, attached), the
    /// inclusion proof of entry 2 as JSON (`proof.json`) and as a tlog-proof bundle carrying
    /// the cosigned checkpoint (`bundle.tlog`), and the leaf (`leaf2`). `auditor/` holds only
    /// what a foreign auditor receives: the bundle, the leaf and the checkpoints.
    struct Setup {
        let fx: CLIFixture
        let author: String
        let witness: String
        let witnessCosigner: String
        var dir: String { fx.dir }
        var auditor: String { fx.dir + "/auditor" }

        init() throws {
            fx = try CLIFixture()
            author = try fx.registeredKey("author.example", file: "author.key")
            let g = try ledger(["key", "generate", "--name", "witness.example", "--out", "witness.key"], cwd: fx.dir)
            witness = g.lines.last!
            witnessCosigner = try ledger(["key", "show", "witness.key", "--cosigner"], cwd: fx.dir).lines[0]
            try run(["append", "led", "--key", "author.key", "--kind", "note", "--body", #"{"text":"3B001.f review"}"#])
            try run(["checkpoint", "led", "--sign", "--key", "op.key"], to: "cp")
            try run(["cosign", "cp", "--key", "witness.key", "--vkey", fx.opVkey], to: "cp.cosigned")
            try run(["checkpoint", "led", "--attach", "cp.cosigned", "--witness", witnessCosigner])
            try run(["proof", "inclusion", "led", "--index", "2", "--json"], to: "proof.json")
            try run(["proof", "inclusion", "led", "--index", "2", "--format", "tlog-proof"], to: "bundle.tlog")
            try run(["entry", "led", "2", "--raw"], to: "leaf2")
            try FileManager.default.createDirectory(atPath: auditor, withIntermediateDirectories: false)
            for f in ["bundle.tlog", "leaf2", "cp", "cp.cosigned", "proof.json"] {
                try FileManager.default.copyItem(atPath: dir + "/" + f, toPath: auditor + "/" + f)
            }
        }

        /// Runs a command that must succeed, writing its stdout to `file` when given.
        @discardableResult
        func run(_ args: [String], to file: String? = nil) throws -> RunResult {
            let r = try ledger(args, cwd: dir, env: OfflineAuditCLITests.env)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            if let file { try r.stdout.write(toFile: dir + "/" + file, atomically: true, encoding: .utf8) }
            return r
        }

        /// `ledger proof verify --vkey LOG` plus `args`, run where the auditor's files are.
        func verify(_ args: [String], cwd: String? = nil) throws -> RunResult {
            try ledger(
                ["proof", "verify", "--vkey", fx.opVkey] + args, cwd: cwd ?? auditor, env: OfflineAuditCLITests.env)
        }

        func checkpointVerify(_ args: [String]) throws -> RunResult {
            try ledger(["checkpoint", "verify"] + args, cwd: auditor, env: OfflineAuditCLITests.env)
        }

        func write(_ text: String, _ file: String) throws {
            try text.write(toFile: auditor + "/" + file, atomically: true, encoding: .utf8)
        }
    }

    /// The one line of a refusal: exit `status`, nothing on stdout.
    static func expectRefusal(_ r: RunResult, _ status: Int32, containing text: String) {
        #expect(r.status == status, "status \(r.status): \(r.stderr)")
        #expect(r.stdout.isEmpty, "\(r.stdout)")
        #expect(r.stderr.hasPrefix("ledger: error: ") && r.stderr.contains(text), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }

    @Test func aGoodLeafWithTheSignersKeyPrintsTheDecodedEntry() throws {
        let s = try Setup()
        let keyID = String(s.author.split(separator: "+")[1])
        // The auditor has the bundle, the leaf, the log's and the delegation's vkeys: nothing else.
        let r = try s.verify(["--proof", "bundle.tlog", "--leaf", "leaf2", "--signer-vkey", s.author])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.lines == [
                "proof OK",
                "entry 2, integrated \(Self.nowRFC3339)",
                "  kind:         note",
                "  signer:       author.example+\(keyID)",
                "  claimed time: \(Self.nowRFC3339)",
                #"  body:         {"text":"3B001.f review"}"#,
                "  signature:    valid under the signer key the statement names",
                "  signer key:   the --signer-vkey given",
                "  registration: not checked (pass --registry with a copy of the ledger)",
            ], "\(r.stdout)")
        let j = try s.verify(["--proof", "bundle.tlog", "--leaf", "leaf2", "--signer-vkey", s.author, "--json"])
        #expect(j.status == 0, "\(j.stderr)")
        let entry =
            #"{"body":{"text":"3B001.f review"},"claimedTime":"\#(Self.nowRFC3339)","index":2,"kind":"note","#
            + #""signer":"\#(s.author)","signerKeyID":"\#(keyID)","signerName":"author.example","#
            + #""time":"\#(Self.nowRFC3339)"}"#
        #expect(
            j.stdout
                == #"{"contentChecked":true,"entry":\#(entry),"index":2,"registrationChecked":false,"#
                + #""signatureValid":true,"signerKeyChecked":true,"treeSize":3,"type":"inclusion","valid":true}"#
                + "\n", "\(j.stdout)")
        // The JSON proof with its checkpoint gives the same entry; without --signer-vkey the
        // signature is still checked and the output says the key was not.
        let p = try s.verify(["--proof", "proof.json", "--checkpoint", "cp", "--leaf", "leaf2"])
        #expect(p.status == 0, "\(p.stderr)")
        #expect(p.lines.contains("  signer key:   not checked against a key you trust (pass --signer-vkey)"))
        #expect(p.lines.contains("  signature:    valid under the signer key the statement names"))
    }

    @Test func aTamperedLeafFails() throws {
        let s = try Setup()
        let leaf = try read(s.auditor + "/leaf2")
        try s.write(leaf.replacingOccurrences(of: "3B001.f review", with: "3B001.f reviews"), "tampered")
        let t = try s.verify(["--proof", "bundle.tlog", "--leaf", "tampered", "--signer-vkey", s.author])
        Self.expectRefusal(t, 1, containing: "inclusion proof does not lead to the root")
        let j = try s.verify(["--proof", "proof.json", "--checkpoint", "cp", "--leaf", "tampered"])
        Self.expectRefusal(j, 1, containing: "the leaf hashes to ")
        #expect(try s.verify(["--proof", "proof.json", "--checkpoint", "cp", "--leaf", "leaf2"]).status == 0)
    }

    @Test func theRightLeafWithTheWrongSignerKeyFails() throws {
        let s = try Setup()
        let r = try s.verify(["--proof", "bundle.tlog", "--leaf", "leaf2", "--signer-vkey", s.witness])
        Self.expectRefusal(r, 1, containing: "entry 2 is signed by author.example+")
        #expect(r.stderr.contains("not by the signer key given (witness.example+"), "\(r.stderr)")
        // A key under the same name but another key pair is not the signer either.
        let other = try ledger(["key", "generate", "--name", "author.example", "--out", "other.key"], cwd: s.dir)
        let o = try s.verify(["--proof", "bundle.tlog", "--leaf", "leaf2", "--signer-vkey", other.lines.last!])
        Self.expectRefusal(o, 1, containing: "not by the signer key given")
        // One of several keys given is enough.
        let both = try s.verify([
            "--proof", "bundle.tlog", "--leaf", "leaf2", "--signer-vkey", s.witness, "--signer-vkey", s.author,
        ])
        #expect(both.status == 0, "\(both.stderr)")
        // A malformed key is bad input.
        Self.expectRefusal(
            try s.verify(["--proof", "bundle.tlog", "--leaf", "leaf2", "--signer-vkey", "nonsense"]), 2,
            containing: "--signer-vkey: ")
    }

    /// A log whose operator put a statement with a broken signature at entry 2: the
    /// checkpoint, signed by the log key, covers it and the proof is valid; the statement is not.
    @Test func aStatementWhoseSignatureIsBrokenFails() throws {
        let s = try Setup()
        let op = try NoteSignerKey(parsing: try read(s.dir + "/op.key"))
        let leaves = try (0..<3).map { i in
            Array(try ledger(["entry", "led", "\(i)", "--raw"], cwd: s.dir).stdout.utf8)
        }
        var json = try JSONParser.parse(leaves[2])
        guard case .object(var o) = json, var sig = Base64.decode(o["sig"]!.stringValue!) else {
            Issue.record("leaf 2 is not an entry")
            return
        }
        sig[0] ^= 1
        o["sig"] = .string(Base64.encode(sig))
        json = .object(o)
        let forged = Array(json.canonicalString.utf8)
        /// The inclusion proof of leaf 2 in the tree of `leaves[0]`, `leaves[1]` and `last`,
        /// with a checkpoint signed by the log key, written to the auditor's directory.
        func writeLog(last: [UInt8], name: String) throws {
            let left = MerkleHash.node(MerkleHash.leaf(leaves[0]), MerkleHash.leaf(leaves[1]))
            let root = MerkleHash.node(left, MerkleHash.leaf(last))
            var note = try SignedNote(text: Checkpoint(origin: "cli.example/log", size: 3, root: root).text)
            note.sign(with: op)
            try s.write(note.serialized, name + ".cp")
            try s.write(
                #"{"hashes":["\#(left.base64)"],"index":2,"leafHash":"\#(MerkleHash.leaf(last).base64)","treeSize":3}"#,
                name + ".proof")
            try Data(last).write(to: URL(fileURLWithPath: s.auditor + "/" + name + ".leaf"))
        }
        try writeLog(last: leaves[2], name: "real")
        try writeLog(last: forged, name: "forged")
        let real = try s.verify(["--proof", "real.proof", "--checkpoint", "real.cp", "--leaf", "real.leaf"])
        #expect(real.status == 0, "\(real.stderr)")
        for extra in [[], ["--signer-vkey", s.author]] {
            let r = try s.verify(
                ["--proof", "forged.proof", "--checkpoint", "forged.cp", "--leaf", "forged.leaf"] + extra)
            Self.expectRefusal(r, 1, containing: "entry 2: the statement's signature does not verify under its signer")
        }
    }

    @Test func minCosignaturesNeedsValidCosignaturesByTheWitnessesGiven() throws {
        let s = try Setup()
        let base = ["--proof", "proof.json", "--leaf", "leaf2", "--witness", s.witness, "--min-cosignatures"]
        let plain = try s.verify(base + ["1", "--checkpoint", "cp"])
        Self.expectRefusal(
            plain, 1, containing: "has 0 valid cosignatures from distinct witness keys given, 1 required")
        let cosigned = try s.verify(base + ["1", "--checkpoint", "cp.cosigned"])
        #expect(cosigned.status == 0, "\(cosigned.stderr)")
        let keyID = String(s.witnessCosigner.split(separator: "+")[1])
        #expect(
            cosigned.lines.suffix(2) == [
                "cosignature: witness.example+\(keyID) at \(Self.nowRFC3339) (counted)",
                "cosignatures counted: 1 (1 required)",
            ], "\(cosigned.stdout)")
        let j = try s.verify(base + ["1", "--checkpoint", "cp.cosigned", "--json"])
        #expect(
            j.stdout.contains(
                #""cosignatures":[{"keyID":"\#(keyID)","line":2,"status":"counted","time":\#(Self.nowSeconds),"#
                    + #""timeRFC3339":"\#(Self.nowRFC3339)","witness":"witness.example"}]"#), "\(j.stdout)")
        // The tlog-proof bundle carries the cosigned checkpoint.
        let bundle = try s.verify([
            "--proof", "bundle.tlog", "--leaf", "leaf2", "--witness", s.witness, "--min-cosignatures", "1",
        ])
        #expect(bundle.status == 0, "\(bundle.stderr)")
        Self.expectRefusal(
            try s.verify(base + ["2", "--checkpoint", "cp.cosigned"]), 1,
            containing: "has 1 valid cosignatures from distinct witness keys given, 2 required")
        // A count with no witness key to count is a usage error.
        let none = try s.verify(["--proof", "proof.json", "--checkpoint", "cp.cosigned", "--min-cosignatures", "1"])
        #expect(none.status == 2 && none.stderr.contains("--min-cosignatures needs --witness"), "\(none.stderr)")
    }

    @Test func withoutALeafTheOutputSaysTheContentWasNotChecked() throws {
        let s = try Setup()
        let r = try s.verify(["--proof", "proof.json", "--checkpoint", "cp"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines.first == "proof OK")
        let leafHash = try #require(
            try read(s.auditor + "/proof.json").split(separator: "\"")
                .drop(while: { $0 != "leafHash" }).dropFirst(2).first)
        #expect(
            r.lines.last
                == "note: the entry's content was not checked: this shows only that a leaf with hash \(leafHash) "
                + "is leaf 2 of the tree of size 3; pass --leaf with its bytes (`ledger entry DIR 2 --raw`) to "
                + "decode and check the entry", "\(r.stdout)")
        let j = try s.verify(["--proof", "proof.json", "--checkpoint", "cp", "--json"])
        #expect(
            j.stdout
                == #"{"contentChecked":false,"index":2,"leafHash":"\#(leafHash)","treeSize":3,"type":"inclusion","#
                + #""valid":true}"# + "\n", "\(j.stdout)")
        // Checks of the content need the content.
        for flags in [["--signer-vkey", s.author], ["--registry", "led"]] {
            let u = try s.verify(["--proof", "proof.json", "--checkpoint", "cp"] + flags)
            #expect(u.status == 2 && u.stderr.contains("\(flags[0]) needs --leaf"), "\(u.stderr)")
        }
    }

    @Test func theRegistryShowsTheSignerAsOfTheEntry() throws {
        let s = try Setup()
        let args = ["--proof", "proof.json", "--checkpoint", "cp", "--leaf", "leaf2", "--registry", "led"]
        let r = try s.verify(args, cwd: s.dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines.last == "  registration: registered at entry 1 as signer, not revoked (in led)", "\(r.stdout)")
        // Revoked after the entry, the key still signed it validly.
        try s.run(["key", "revoke", "led", "--key", "op.key", "--vkey", s.author])
        try s.run(["checkpoint", "led", "--sign", "--key", "op.key"], to: "cp4")
        try s.run(["proof", "inclusion", "led", "--index", "2", "--json"], to: "proof4.json")
        let later = ["--proof", "proof4.json", "--checkpoint", "cp4", "--leaf", "leaf2", "--registry", "led"]
        let v = try s.verify(later, cwd: s.dir)
        #expect(v.lines.last == "  registration: registered at entry 1 as signer, revoked later at entry 3 (in led)")
        let j = try s.verify(later + ["--json"], cwd: s.dir)
        #expect(
            j.stdout.contains(
                #""registration":{"attributes":{},"registeredAt":1,"revokedAt":3,"role":"signer"},"#
                    + #""registrationChecked":true"#), "\(j.stdout)")
        // Another log under the same origin is no registry for this one.
        let other = try CLIFixture()
        try other.registeredKey("author.example", file: "a.key")
        let a = try ledger(
            ["append", "led", "--key", "a.key", "--kind", "note", "--body", #"{"text":"x"}"#], cwd: other.dir)
        #expect(a.status == 0, "\(a.stderr)")
        try FileManager.default.moveItem(atPath: other.dir + "/led", toPath: s.dir + "/other")
        let o = try s.verify(
            ["--proof", "proof.json", "--checkpoint", "cp", "--leaf", "leaf2", "--registry", "other"], cwd: s.dir)
        Self.expectRefusal(o, 1, containing: "--registry other: the first 3 entries of ")
        #expect(o.stderr.contains("do not hash to the checkpoint's root"), "\(o.stderr)")
    }

    @Test func checkpointVerifyChecksACheckpointAlone() throws {
        let s = try Setup()
        let cp = try read(s.auditor + "/cp").components(separatedBy: "\n")
        let keyID = String(s.witnessCosigner.split(separator: "+")[1])
        let opKeyID = String(s.fx.opVkey.split(separator: "+")[1])
        let good = try s.checkpointVerify(["cp.cosigned", "--vkey", s.fx.opVkey, "--witness", s.witness])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(
            good.lines == [
                "checkpoint OK: signed by the log key cli.example/log+\(opKeyID)",
                "origin: cli.example/log", "size:   3", "root:   \(cp[2])",
                "cosignature: witness.example+\(keyID) at \(Self.nowRFC3339) (counted)",
                "cosignatures counted: 1 (0 required)",
            ], "\(good.stdout)")
        let j = try s.checkpointVerify(["cp.cosigned", "--vkey", s.fx.opVkey, "--witness", s.witness, "--json"])
        #expect(
            j.stdout
                == #"{"cosignatures":[{"keyID":"\#(keyID)","line":2,"status":"counted","time":\#(Self.nowSeconds),"#
                + #""timeRFC3339":"\#(Self.nowRFC3339)","witness":"witness.example"}],"counted":1,"extensions":[],"#
                + #""logKey":"\#(s.fx.opVkey)","minCosignatures":0,"origin":"cli.example/log","root":"\#(cp[2])","#
                + #""size":3,"uncheckedSignatures":[],"valid":true}"# + "\n", "\(j.stdout)")
        // Without the witness's key its line is named, not checked.
        let bare = try s.checkpointVerify(["cp.cosigned", "--vkey", s.fx.opVkey])
        #expect(bare.lines.last == "signature line 2: witness.example+\(keyID), not checked (no --witness key for it)")
        // The wrong log key, another key under the log's name, a tampered root: refused.
        Self.expectRefusal(
            try s.checkpointVerify(["cp", "--vkey", s.author]), 1,
            containing: "cp: checkpoint origin \"cli.example/log\" does not match log key \"author.example\"")
        let impostor = try ledger(["key", "generate", "--name", "cli.example/log", "--out", "imp.key"], cwd: s.dir)
        Self.expectRefusal(
            try s.checkpointVerify(["cp", "--vkey", impostor.lines.last!]), 1,
            containing: "cp: checkpoint is not signed by the log key")
        var tampered = cp
        tampered[2] = MerkleHash.leaf([1]).base64
        try s.write(tampered.joined(separator: "\n"), "tampered")
        Self.expectRefusal(
            try s.checkpointVerify(["tampered", "--vkey", s.fx.opVkey]), 1,
            containing: "tampered: signature line 1 (cli.example/log+\(opKeyID)): signature does not verify")
        // Required cosignatures.
        Self.expectRefusal(
            try s.checkpointVerify(["cp", "--vkey", s.fx.opVkey, "--witness", s.witness, "--min-cosignatures", "1"]), 1,
            containing: "has 0 valid cosignatures from distinct witness keys given, 1 required")
        // Not a checkpoint at all.
        Self.expectRefusal(try s.checkpointVerify(["leaf2", "--vkey", s.fx.opVkey]), 2, containing: "leaf2: ")
    }

    @Test func cosignatureTimesPrintAsRFC3339() throws {
        let s = try Setup()
        let v = try ledger(["verify", "led", "--witness", s.witnessCosigner], cwd: s.dir, env: Self.env)
        #expect(v.status == 0, "\(v.stderr)")
        #expect(v.lines.contains("cosigned by: witness.example at \(Self.nowRFC3339)"), "\(v.stdout)")
        let j = try ledger(["verify", "led", "--witness", s.witnessCosigner, "--json"], cwd: s.dir, env: Self.env)
        #expect(j.stdout.contains(#""cosignatures":["witness.example at \#(Self.nowRFC3339)"]"#), "\(j.stdout)")
    }

    @Test func theExistingCheckpointInvocationsStillWork() throws {
        let s = try Setup()
        let latest = try s.run(["checkpoint", "led"]).stdout
        #expect(latest == (try read(s.dir + "/cp.cosigned")) && latest.hasPrefix("cli.example/log\n3\n"))
        #expect(try s.run(["checkpoint", "stored", "led", "--size", "3"]).stdout == latest)
        // A ledger directory named like the subcommand is reached as ./verify.
        try FileManager.default.moveItem(atPath: s.dir + "/led", toPath: s.dir + "/verify")
        #expect(try s.run(["checkpoint", "./verify"]).stdout == latest)
        let typo = try ledger(["checkpoint", "./verify", "--sgin"], cwd: s.dir)
        #expect(
            typo.status == 2
                && typo.stderr == "ledger: error: checkpoint: unknown option '--sgin'\n"
                    + "hint: did you mean '--sign'? see 'ledger checkpoint --help'\n",
            "\(typo.stderr)")
    }
}
