import Foundation
import LedgerTestSupport
import Testing

/// Errors where people land (issue 11 §1), through the built binary: proposal field errors with
/// file and line, YAML tabs, a key of the wrong role, a private key where a vkey belongs, and a
/// file of the wrong kind named with what it looks like. Nothing is appended on any of them.
@Suite struct LandingErrorsCLITests {
    typealias Negotiation = ConsensusCLITests.Negotiation

    @Test func proposalFieldErrorsNameTheFileTheLineAndTheNearestField() throws {
        let n = try Negotiation()
        let before = try n.fx.snapshot()
        try n.write(
            "p.yaml", ConsensusCLITests.proposalYAML.replacingOccurrences(of: "measureType", with: "measure_type"))
        let yaml = try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "p.yaml"])
        #expect(yaml.status == 2)
        #expect(
            yaml.stderr
                == "ledger: error: p.yaml:3: proposal: unknown field \"measure_type\"; did you mean \"measureType\"?\n")
        try n.write(
            "p.json", "{\n  \"id\": \"G7-J-1\",\n  \"title\": \"t\",\n  \"measure_type\": \"licence-requirement\"\n}\n")
        let json = try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "p.json"])
        #expect(json.status == 2)
        #expect(
            json.stderr
                == "ledger: error: p.json:4: proposal: unknown field \"measure_type\"; did you mean \"measureType\"?\n")
        // A nested field: the line of the item.
        try n.write(
            "items.yaml", ConsensusCLITests.proposalYAML.replacingOccurrences(of: "code: 3B993", with: "code: 3B99"))
        let item = try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "items.yaml"])
        #expect(
            item.stderr.hasPrefix("ledger: error: items.yaml:6: proposal.items[1].code: \"3B99\""), "\(item.stderr)")
        // A missing field: the file, without a line.
        try n.write(
            "short.yaml", ConsensusCLITests.proposalYAML.replacingOccurrences(of: "destinations: [CN, RU]\n", with: ""))
        let short = try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "short.yaml"])
        #expect(short.stderr == "ledger: error: short.yaml: proposal.destinations: is required\n")
        #expect(try n.fx.snapshot() == before)
    }

    @Test func aTabInYAMLIsCalledATab() throws {
        let n = try Negotiation()
        try n.write("tab.yaml", "id: G7-T-1\nitems:\n\t- {scheme: wassenaar, code: 3B001}\n")
        let r = try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "tab.yaml"])
        #expect(r.status == 2)
        #expect(
            r.stderr
                == "ledger: error: tab.yaml:3: a tab character at column 1; YAML indents with spaces only: replace the "
                + "tab with spaces\n")
        try n.write("tab2.yaml", "id: G7-T-1\n  \ttitle: x\n")
        let r2 = try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "tab2.yaml"])
        #expect(r2.stderr.hasPrefix("ledger: error: tab2.yaml:2: a tab character at column 3;"), "\(r2.stderr)")
    }

    @Test func theOperatorOrSecretariatKeyUsedAsADelegationKeySaysSo() throws {
        let n = try Negotiation()
        try n.write("p.yaml", ConsensusCLITests.proposalYAML)
        let before = try n.fx.snapshot()
        let op = try n.run(["propose", "led", "--key", "op.key", "--file", "p.yaml"])
        #expect(op.status == 2)
        #expect(
            op.stderr
                == "ledger: error: --key: op.key is the operator's key, not a delegation key; sign with the key "
                + "registered for the delegation (`ledger forum show DIR --forum ID` lists them)\n")
        let sec = try n.run(["propose", "led", "--key", "G7-sec.key", "--file", "p.yaml"])
        #expect(
            sec.stderr.hasPrefix("ledger: error: --key: G7-sec.key is the G7 secretariat's key, not a delegation key"))
        #expect(try n.fx.snapshot() == before)
        #expect(try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "p.yaml"]).status == 0)
        let pos = try n.run(["position", "led", "G7-EUV-1", "--key", "op.key", "--party", "JP", "--stance", "support"])
        #expect(pos.status == 2)
        #expect(pos.stderr.hasPrefix("ledger: error: --key: op.key is the operator's key, not a delegation key"))
    }

    @Test func aPrivateKeyGivenAsAVkeyIsRefusedWithoutEchoingIt() throws {
        let n = try Negotiation()
        let secret = try read(n.dir + "/G7-JP.key").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("PRIVATE+KEY+"))
        let before = try n.fx.snapshot()
        for args in [
            ["key", "register", "led", "--key", "op.key", "--vkey", secret],
            [
                "delegation", "register", "led", "--key", "G7-sec.key", "--forum", "G7", "--party", "FR", "--vkey",
                secret,
            ],
            ["secretariat", "register", "led", "--key", "op.key", "--forum", "Quad", "--vkey", secret],
        ] {
            let r = try n.run(args)
            #expect(r.status == 2, "\(args)")
            #expect(
                r.stderr.hasPrefix(
                    "ledger: error: --vkey: that is a private key (PRIVATE+KEY+…), not a vkey; never share"))
            #expect(!r.stderr.contains(String(secret.dropFirst(12))), "the key is not echoed")
        }
        let verify = try n.run(["verify", "led", "--witness", secret])
        #expect(verify.status == 2)
        #expect(verify.stderr.hasPrefix("ledger: error: --witness: that is a private key"))
        let file = try n.run(["key", "register", "led", "--key", "op.key", "--vkey", "G7-JP.key"])
        #expect(
            file.stderr
                == "ledger: error: --vkey: G7-JP.key is a private key file, not a vkey; give its vkey "
                + "(`ledger key show "
                + "G7-JP.key`), and never share the file\n")
        #expect(try n.fx.snapshot() == before)
    }

    /// `serve --witness URL=VKEY`, `--log ORIGIN=VKEY` and a write's `--log-vkey` are refused
    /// with the same message when given a private key, alone or after `=`, and never echo it
    /// (before, `--witness KEY` and `--log KEY` quoted the whole argument in a parse error).
    @Test func aPrivateKeyGivenToServeOrAsTheLogKeyIsRefusedWithoutEchoingIt() throws {
        let n = try Negotiation()
        let secret = try read(n.dir + "/G7-JP.key").trimmingCharacters(in: .whitespacesAndNewlines)
        let state = n.dir + "/witness-state"
        let before = try n.fx.snapshot()
        // `timeout`: a server that started anyway is stopped, and fails the status check.
        let serve = ["/usr/bin/timeout", "20", ledgerBinary, "serve"]
        let cases: [([String], String)] = [
            (serve + ["led", "--port", "0", "--witness", secret], "--witness"),
            (serve + ["led", "--port", "0", "--witness", "http://127.0.0.1:9=" + secret], "--witness"),
            (serve + ["led", "--port", "0", "--witness", "http://127.0.0.1:9=G7-JP.key"], "--witness"),
            (serve + ["--witness-only", "--key", "G7-JP.key", "--state", state, "--log", secret], "--log"),
            (serve + ["--witness-only", "--key", "G7-JP.key", "--state", state, "--log", "o=" + secret], "--log"),
            (
                [
                    ledgerBinary, "append", "http://127.0.0.1:9", "--key", "G7-JP.key", "--kind", "note", "--body",
                    "{\"text\":\"x\"}", "--log-vkey", secret,
                ], "--log-vkey"
            ),
        ]
        // The key itself where its file belongs (`--key`, `--operator-key`), and as any other
        // argument that an error quotes: refused or cut, never echoed.
        let keyAsFile: [([String], String)] = [
            [ledgerBinary, "append", "led", "--key", secret, "--kind", "note", "--body", "{}"],
            [ledgerBinary, "checkpoint", "led", "--sign", "--key", secret],
            serve + ["led", "--port", "0", "--operator-key", secret],
        ].map { ($0, "a key file is expected, not the private key itself") }
        // Key names that look like the messages' own "PRIVATE+KEY+…" (a name starting with "€",
        // bytes E2 82 AC like "…"; "…" and punctuation; quotes that once ended the cut).
        for (i, name) in ["€x", "…,x", "…)x", "…;x", "a'b", "a\"b"].enumerated() {
            let made = try ledger(["key", "generate", "--name", name, "--out", "odd\(i).key"], cwd: n.dir)
            #expect(made.status == 0, "\(name): \(made.stderr)")
            let odd = try read(n.dir + "/odd\(i).key").trimmingCharacters(in: .whitespacesAndNewlines)
            // PRIVATE+KEY+<name>+<key hash>+<base64>: the base64 itself may hold "+".
            let seed = String(odd.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)[4])
            #expect(seed.count == 44, "\(name): \(seed.count) characters taken as the key")
            for args in [["verify", "led", odd], ["status", odd], ["log", "led", "--from", odd]] {
                let r = try ledger(args, cwd: n.dir)
                #expect(r.status == 2, "\(name): \(r.stderr)")
                #expect(!(r.stderr + r.stdout).contains(seed), "\(name): echoed: \(r.stderr)")
            }
        }
        let quoted: [([String], String)] = [
            ([ledgerBinary, "verify", secret], "PRIVATE+KEY+…: not a ledger directory"),
            ([ledgerBinary, "verify", "led", "x" + secret.lowercased()], "unexpected argument 'xprivate+key+…'"),
        ]
        for (args, message) in keyAsFile + quoted {
            let r = try runProcess(args[0], Array(args.dropFirst()), cwd: n.dir)
            #expect(r.status == 2, "\(args.dropFirst(2)): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains(message), "\(r.stderr)")
            let tail = String(secret.dropFirst(12))
            #expect(!(r.stderr + r.stdout).contains(tail) && !r.stderr.contains(tail.lowercased()), "echoed: \(args)")
        }
        for (args, flag) in cases {
            let r = try runProcess(args[0], Array(args.dropFirst()), cwd: n.dir)
            #expect(r.status == 2, "\(args.dropFirst(2)): \(r.status) \(r.stderr)")
            #expect(r.stderr.hasPrefix("ledger: error: \(flag): "), "\(r.stderr)")
            #expect(r.stderr.contains("private key"), "\(r.stderr)")
            #expect(!(r.stderr + r.stdout).contains(String(secret.dropFirst(12))), "the key is echoed: \(flag)")
            #expect(r.stdout.isEmpty)
        }
        #expect(try n.fx.snapshot() == before)
    }

    @Test func aFileOfTheWrongKindIsNamedWithWhatItLooksLike() throws {
        let fx = try CLIFixture()
        #expect(try ledger(["checkpoint", "led", "--sign", "--key", "op.key"], cwd: fx.dir).status == 0)
        let cp = try ledger(["checkpoint", "led"], cwd: fx.dir)
        try cp.stdout.write(toFile: fx.dir + "/cp.txt", atomically: true, encoding: .utf8)
        try ledger(["entry", "led", "0", "--raw"], cwd: fx.dir).stdout
            .write(toFile: fx.dir + "/leaf0.bin", atomically: true, encoding: .utf8)
        try ledger(["proof", "inclusion", "led", "--index", "0"], cwd: fx.dir).stdout
            .write(toFile: fx.dir + "/p0.json", atomically: true, encoding: .utf8)
        try (fx.opVkey + "\n").write(toFile: fx.dir + "/op.vkey", atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (
                ["checkpoint", "verify", "leaf0.bin", "--vkey", fx.opVkey],
                "leaf0.bin: looks like a leaf (an entry line), not a checkpoint"
            ),
            (
                ["checkpoint", "verify", "p0.json", "--vkey", fx.opVkey],
                "p0.json: looks like a JSON proof, not a checkpoint"
            ),
            (
                ["verify", "led", "--vkey", fx.opVkey, "--since", "p0.json"],
                "p0.json: looks like a JSON proof, not a checkpoint"
            ),
            (["key", "show", "op.vkey"], "op.vkey: looks like a vkey (a public key), not a private key file"),
            (
                ["key", "register", "led", "--key", "cp.txt", "--vkey", fx.opVkey],
                "cp.txt: looks like a checkpoint (a signed note), not a private key file"
            ),
            (
                ["propose", "led", "--key", "op.key", "--file", "leaf0.bin"],
                "leaf0.bin: looks like a leaf (an entry line), not a proposal file"
            ),
            // The issue's own examples: `proof verify --proof leaf63.bin`, `--checkpoint p63.json`.
            (
                ["proof", "verify", "--vkey", fx.opVkey, "--proof", "leaf0.bin", "--checkpoint", "cp.txt"],
                "leaf0.bin: looks like a leaf (an entry line), not a proof"
            ),
            (
                ["proof", "verify", "--vkey", fx.opVkey, "--proof", "p0.json", "--checkpoint", "p0.json"],
                "p0.json: looks like a JSON proof, not a checkpoint"
            ),
            (
                [
                    "proof", "verify", "--vkey", fx.opVkey, "--proof", "p0.json", "--checkpoint", "cp.txt",
                    "--leaf", "cp.txt",
                ],
                "cp.txt: looks like a checkpoint (a signed note), not a leaf"
            ),
        ]
        for (args, message) in cases {
            let r = try ledger(args, cwd: fx.dir)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr == "ledger: error: \(message)\n", "\(args)")
        }
        // The right kinds still pass.
        #expect(try ledger(["checkpoint", "verify", "cp.txt", "--vkey", fx.opVkey], cwd: fx.dir).status == 0)
        let ok = try ledger(
            [
                "proof", "verify", "--vkey", fx.opVkey, "--proof", "p0.json", "--checkpoint", "cp.txt", "--leaf",
                "leaf0.bin",
            ],
            cwd: fx.dir)
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    @Test func keyShowAndStatementSignTakeJSON() throws {
        let fx = try CLIFixture()
        let shown = try ledger(["key", "show", "op.key", "--json"], cwd: fx.dir)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.hasPrefix("{\"cosignerVkey\":\""))
        #expect(shown.stdout.contains("\"file\":\"op.key\",\"vkey\":\"\(fx.opVkey)\"}"))
        let signed = try ledger(
            ["statement", "sign", "--key", "op.key", "--kind", "x", "--body", "{}", "--json"], cwd: fx.dir)
        #expect(signed.status == 0)
        #expect(signed.stdout.hasPrefix("{\"sig\":"))
    }

    @Test func checkpointAndCosignTakeJSON() throws {
        let fx = try CLIFixture()
        #expect(try ledger(["checkpoint", "led", "--sign", "--key", "op.key"], cwd: fx.dir).status == 0)
        let text = try ledger(["checkpoint", "led"], cwd: fx.dir).stdout
        try text.write(toFile: fx.dir + "/cp.txt", atomically: true, encoding: .utf8)
        let j = try ledger(["checkpoint", "led", "--json"], cwd: fx.dir)
        #expect(j.status == 0, "\(j.stderr)")
        let o = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as! [String: Any]
        let body = text.split(separator: "\n").map(String.init)
        #expect(
            o["origin"] as? String == body[0] && o["size"] as? Int == Int(body[1]) && o["root"] as? String == body[2])
        #expect(o["note"] as? String == text)
        #expect(try ledger(["key", "generate", "--name", "w.example", "--out", "w.key"], cwd: fx.dir).status == 0)
        let env = ["LEDGER_NOW": "2031-01-01T00:00:00Z"]
        let c = try ledger(
            ["cosign", "cp.txt", "--key", "w.key", "--vkey", fx.opVkey, "--json"], cwd: fx.dir, env: env)
        #expect(c.status == 0, "\(c.stderr)")
        let co = try JSONSerialization.jsonObject(with: Data(c.stdout.utf8)) as! [String: Any]
        #expect(co["witness"] as? String == "w.example" && co["timeRFC3339"] as? String == "2031-01-01T00:00:00Z")
        let plain = try ledger(["cosign", "cp.txt", "--key", "w.key", "--vkey", fx.opVkey], cwd: fx.dir, env: env)
        #expect(co["note"] as? String == plain.stdout)
    }
}
