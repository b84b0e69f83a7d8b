import Foundation
import LedgerTestSupport
import Testing

/// End-to-end tests of the consensus commands: they spawn the built `ledger` binary on real
/// temporary directories (see CLIHarness.swift).
@Suite struct ConsensusCLITests {
    /// A ledger with the G7 and Quad charters, their secretariats, and delegation keys for the
    /// given parties (files `G7-JP.key`, …).
    /// The genesis uses the wall clock, so the log clock here (LEDGER_NOW) is set in 2030: the
    /// log refuses to move its time backwards.
    struct Negotiation {
        let fx: CLIFixture
        var dir: String { fx.dir }
        let env = ["LEDGER_NOW": "2030-01-02T09:00:00Z"]

        init(g7: [String] = ["JP", "US", "DE"], quad: [String] = ["IN"]) throws {
            fx = try CLIFixture()
            let c = try ledger(
                ["forum", "charter", "led", "--key", "op.key", "--forum", "G7", "--forum", "quad"], cwd: fx.dir,
                env: env)
            #expect(c.status == 0, "\(c.stderr)")
            #expect(c.lines == ["entry 1: charter of G7", "entry 2: charter of Quad"])
            for forum in ["G7", "Quad"] {
                let v = try ledger(
                    ["key", "generate", "--name", "\(forum)-sec", "--out", "\(forum)-sec.key"], cwd: fx.dir
                ).lines.last!
                let r = try ledger(
                    ["secretariat", "register", "led", "--key", "op.key", "--forum", forum, "--vkey", v], cwd: fx.dir,
                    env: env)
                #expect(r.status == 0, "\(r.stderr)")
            }
            for (forum, parties) in [("G7", g7), ("Quad", quad)] {
                for p in parties {
                    let v = try ledger(
                        ["key", "generate", "--name", "\(forum)-\(p)", "--out", "\(forum)-\(p).key"], cwd: fx.dir
                    ).lines.last!
                    let r = try ledger(
                        [
                            "delegation", "register", "led", "--key", "\(forum)-sec.key", "--forum", forum, "--party",
                            p, "--vkey", v,
                        ], cwd: fx.dir,
                        env: env)
                    #expect(r.status == 0, "\(r.stderr)")
                }
            }
        }

        @discardableResult
        func run(_ args: [String], at time: String? = nil) throws -> RunResult {
            try ledger(args, cwd: dir, env: ["LEDGER_NOW": time ?? env["LEDGER_NOW"]!])
        }

        func write(_ name: String, _ text: String) throws {
            try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
    }

    static let proposalYAML = """
        id: G7-EUV-1
        title: Licence requirement for EUV lithography
        measureType: licence-requirement
        items:
          - {scheme: wassenaar, code: 3B001.f.1}
          - {scheme: us-eccn, code: 3B993}
        parameters:
          - {term: wavelength, comparator: "<", value: 193, unit: nm}
        destinations: [CN, RU]
        rationale: Align controls.
        effectiveDate: 2027-01-01
        """

    @Test func proposePositionStatusBoardHistoryAndDecide() throws {
        let n = try Negotiation()
        try n.write("p.yaml", ConsensusCLITests.proposalYAML)
        let p = try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "p.yaml", "--json"])
        #expect(p.status == 0, "\(p.stderr)")
        #expect(p.stdout.contains("\"kind\":\"proposal\""))
        // forum and party came from the key's registration.
        let s0 = try n.run(["status", "led", "G7-EUV-1", "--json"])
        #expect(s0.status == 0, "\(s0.stderr)")
        #expect(s0.stdout.contains("\"forum\":\"G7\""))
        #expect(s0.stdout.contains("\"party\":\"JP\""))
        #expect(s0.stdout.contains("\"value\":\"193\""))
        #expect(s0.stdout.contains("\"effectiveDate\":\"2027-01-01\""))
        #expect(s0.stdout.contains("\"state\":\"open\""))

        let obj = try n.run([
            "position", "led", "G7-EUV-1", "--key", "G7-DE.key", "--stance", "object", "--reason", "Scope too broad",
        ])
        #expect(obj.status == 0, "\(obj.stderr)")
        #expect(obj.stdout.contains("DE object on G7-EUV-1; proposal is blocked"))
        try n.run(["position", "led", "G7-EUV-1", "--key", "G7-US.key", "--stance", "support"])

        let status = try n.run(["status", "led", "G7-EUV-1"])
        #expect(status.stdout.contains("BLOCKED by DE"))
        #expect(status.stdout.contains("DE (\"Scope too broad\")"))
        #expect(status.stdout.contains("not spoken:   CA FR IT JP GB EU"))

        let board = try n.run(["board", "led", "--forum", "G7"])
        #expect(board.status == 0)
        let row = try #require(board.lines.first { $0.hasPrefix("G7     G7-EUV-1") })
        #expect(row.contains("BLOCKED by DE"))

        // A decision that disagrees with the computed state is refused; nothing is appended.
        let before = try n.fx.snapshot()
        let bad = try n.run(["decide", "led", "G7-EUV-1", "--key", "G7-sec.key", "--outcome", "adopted"])
        #expect(bad.status == 1)
        #expect(
            bad.stderr
                == "ledger: error: decision G7-EUV-1: records adopted but the computed state at 2030-01-02T09:00:00Z "
                + "is blocked\n"
        )
        #expect(try n.fx.snapshot() == before)
        let good = try n.run(["decide", "led", "G7-EUV-1", "--key", "G7-sec.key"])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("decision on G7-EUV-1: blocked"))

        let history = try n.run(["history", "led", "G7-EUV-1"])
        #expect(history.lines.first?.hasPrefix("rests on: no signed checkpoint yet; entries 0–") == true)
        let events = Array(history.lines.dropFirst())
        #expect(events.count == 4)
        #expect(events[0].contains("JP") && events[0].contains("tabled revision 1"))
        #expect(events[1].contains("object on revision entry"))
        #expect(events[3].contains("decision: blocked"))
    }

    @Test func amendReopensTheBallotAndAsOfLooksBack() throws {
        let n = try Negotiation()
        try n.write("p.yaml", ConsensusCLITests.proposalYAML)
        try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "p.yaml"])
        let o = try n.run(
            ["position", "led", "G7-EUV-1", "--key", "G7-DE.key", "--stance", "object", "--reason", "Scope"],
            at: "2030-01-03T09:00:00Z")
        let objIndex = try #require(o.stdout.split(separator: " ")[1].dropLast().description)
        try n.write(
            "r2.json",
            #"{"title": "EUV (narrowed)", "measureType": "licence-requirement", "items": [{"scheme": "wassenaar", "#
                + #""code": "3B001.f.1"}], "destinations": ["CN"], "rationale": "Narrowed.", "effectiveDate": "#
                + #""2027-06-01"}"#
        )
        let a = try n.run(
            ["amend", "led", "G7-EUV-1", "--key", "G7-JP.key", "--file", "r2.json"], at: "2030-01-04T09:00:00Z")
        #expect(a.status == 0, "\(a.stderr)")
        #expect(a.stdout.contains("revision 2 tabled"))
        // Only the proposer amends.
        let notMine = try n.run(
            ["amend", "led", "G7-EUV-1", "--key", "G7-US.key", "--file", "r2.json"], at: "2030-01-04T09:00:00Z")
        #expect(notMine.status == 1)
        #expect(notMine.stderr.contains("only the proposer (JP in G7)"))
        // Stale revision: a position naming revision 1 explicitly.
        let stale = try n.run(
            ["position", "led", "G7-EUV-1", "--key", "G7-US.key", "--stance", "support", "--revision", "9"],
            at: "2030-01-04T10:00:00Z")
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("position.revision: stale revision 1 (entry 9)"))

        let now = try n.run(["status", "led", "G7-EUV-1", "--json"], at: "2030-01-05T00:00:00Z")
        #expect(now.stdout.contains("\"state\":\"open\""))
        #expect(now.stdout.contains("\"number\":2"))
        let then = try n.run(["status", "led", "G7-EUV-1", "--as-of", objIndex, "--json"])
        #expect(then.stdout.contains("\"state\":\"blocked\""))
        #expect(then.stdout.contains("\"number\":1"))
        let byTime = try n.run(["status", "led", "G7-EUV-1", "--as-of", "2030-01-03T12:00:00Z"])
        #expect(byTime.stdout.contains("BLOCKED by DE"))
        let badAsOf = try n.run(["status", "led", "--as-of", "last tuesday"])
        #expect(badAsOf.status == 2)
        #expect(badAsOf.stderr.contains("--as-of"))

        let w = try n.run(
            ["withdraw", "led", "G7-EUV-1", "--key", "G7-JP.key", "--reason", "Moved to the Quad"],
            at: "2030-01-04T10:00:00Z")
        #expect(w.status == 0, "\(w.stderr)")
        let late = try n.run(
            ["position", "led", "G7-EUV-1", "--key", "G7-US.key", "--stance", "support"], at: "2030-01-04T10:00:00Z")
        #expect(late.status == 1)
        #expect(late.stderr == "ledger: error: position G7-EUV-1: the proposal is withdrawn\n")
    }

    @Test func refusalsAreOneLineAndAppendNothing() throws {
        let n = try Negotiation()
        try n.write("p.yaml", ConsensusCLITests.proposalYAML)
        try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "p.yaml"])
        let before = try n.fx.snapshot()
        // A delegation of another forum.
        let other = try n.run([
            "position", "led", "G7-EUV-1", "--key", "Quad-IN.key", "--party", "IN", "--stance", "support",
        ])
        #expect(other.status == 1)
        #expect(other.stderr == "ledger: error: position: signer Quad-IN is not a G7 delegation\n")
        // Unknown proposal: an unknown name is bad input (exit 2).
        let unknown = try n.run(["position", "led", "G7-404", "--key", "G7-US.key", "--stance", "support"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr == "ledger: error: no proposal \"G7-404\" in the ledger\n")
        // Bad codes and dates in a proposal file.
        try n.write(
            "bad.yaml",
            ConsensusCLITests.proposalYAML.replacingOccurrences(of: "[CN, RU]", with: "[CN, UK]").replacingOccurrences(
                of: "G7-EUV-1", with: "G7-EUV-2"))
        let badCountry = try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "bad.yaml"])
        #expect(badCountry.status == 2, "a malformed field is bad input")
        #expect(
            badCountry.stderr
                == "ledger: error: bad.yaml:9: proposal.destinations: \"UK\" is not an ISO 3166-1 alpha-2 code, EU or "
                + "group:<name>\n"
        )
        try n.write(
            "bad2.yaml",
            ConsensusCLITests.proposalYAML.replacingOccurrences(of: "3B993", with: "3B99").replacingOccurrences(
                of: "G7-EUV-1", with: "G7-EUV-3"))
        let badCode = try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "bad2.yaml"])
        #expect(badCode.status == 2)
        #expect(badCode.stderr.contains("proposal.items[1].code: \"3B99\" is not a valid us-eccn code"))
        try n.write(
            "bad3.yaml",
            ConsensusCLITests.proposalYAML.replacingOccurrences(of: "2027-01-01", with: "2027-02-30")
                .replacingOccurrences(of: "G7-EUV-1", with: "G7-EUV-4"))
        let badDate = try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "bad3.yaml"])
        #expect(badDate.stderr.contains("proposal.effectiveDate: \"2027-02-30\" is not a date"))
        // Malformed YAML is bad input (exit 2).
        try n.write("broken.yaml", "id: [unclosed\n")
        let broken = try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "broken.yaml"])
        #expect(broken.status == 2)
        #expect(broken.stderr.hasPrefix("ledger: error: broken.yaml: not valid YAML"))
        // Bad flags are usage errors.
        let noReason = try n.run(["position", "led", "G7-EUV-1", "--key", "G7-DE.key", "--stance", "object"])
        #expect(noReason.status == 2)
        // A revoked key.
        let us = try n.run(["key", "show", "G7-US.key"]).lines[0]
        let rv = try n.run([
            "delegation", "revoke", "led", "--key", "G7-sec.key", "--forum", "G7", "--party", "US", "--vkey", us,
        ])
        #expect(rv.status == 0, "\(rv.stderr)")
        let afterRevoke = try n.fx.snapshot()
        let revoked = try n.run(["position", "led", "G7-EUV-1", "--key", "G7-US.key", "--stance", "support"])
        #expect(revoked.status == 1)
        #expect(revoked.stderr.contains("was revoked at entry"))
        #expect(try n.fx.snapshot() == afterRevoke)
        #expect(before != afterRevoke)
        // verify replays the consensus rules.
        let v = try n.run(["verify", "led"])
        #expect(v.status == 0, "\(v.stderr)")
    }

    @Test func forumListAndShow() throws {
        let builtIn = try ledger(["forum", "list", "--json"], cwd: NSTemporaryDirectory())
        #expect(builtIn.status == 0)
        for id in ["G7", "Quad", "CPTPP", "RCEP"] { #expect(builtIn.stdout.contains("\"id\":\"\(id)\"")) }
        let show = try ledger(["forum", "show", "--forum", "cptpp"], cwd: NSTemporaryDirectory())
        #expect(show.stdout.contains("candidates:  CR UY"))
        #expect(show.stdout.contains("Art. 27.3"))
        let n = try Negotiation()
        let list = try n.run(["forum", "list", "led"])
        #expect(list.lines.count == 3)
        #expect(list.lines[1].hasPrefix("G7     consensus"))
        let g7 = try n.run(["forum", "show", "led", "--forum", "G7", "--json"])
        #expect(g7.stdout.contains("\"party\":\"DE\""))
    }

    /// The committed script builds the sample negotiation, which verifies and shows the five
    /// states on the board.
    @Test func sampleLedgerScriptBuildsAVerifiedNegotiation() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let out = try makeTempDir("sample") + "/ledger"
        let r = try shell("LEDGER='\(ledgerBinary)' scripts/make-sample-ledger.sh '\(out)'", cwd: root.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("cosigned by: G7-JP.demo"))
        for state in ["ADOPTED", "BLOCKED by DE", "open (silence until 2027-03-31)", "withdrawn", "superseded"] {
            #expect(r.stdout.contains(state), "board lacks \(state)")
        }
        let amended = try #require(r.stdout.split(separator: "\n").first { $0.contains("G7-SME-2026-01") })
        #expect(amended.contains(" JP    2  ADOPTED"))
        let v = try ledger(["verify", out], cwd: root.path)
        #expect(v.status == 0, "\(v.stderr)")
    }
}
