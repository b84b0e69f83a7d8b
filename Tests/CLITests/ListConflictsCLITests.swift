import Foundation
import LedgerTestSupport
import Testing

/// `ledger conflicts DIR --lists FILE… [--min-severity S]`: proposals checked against the
/// national lists of their forums' members, through the built binary on a ledger built by the
/// CLI (specs/control-list-format.md §7, specs/cli.md).
@Suite struct ListConflictsCLITests {
    static func listText(_ jurisdiction: String, _ scheme: String, _ instrument: String, _ date: String) -> String {
        """
        # jurisdiction: \(jurisdiction)
        # scheme: \(scheme)
        # instrument: \(instrument)
        # citation: \(instrument) (hand-made for tests)
        # versionDate: \(date)
        3B001 Equipment for the manufacturing of semiconductor devices, as follows:
        3B001.f Lithography equipment as follows:
        3B001.f.1 Align and expose step and repeat equipment having a light source wavelength shorter than 193 nm;

        """
    }

    static let exception = """
        id: G7-LE-1
        title: Licence exception for lithography
        measureType: licence-exception
        items:
          - {scheme: wassenaar, code: 3B001.f.1}
        destinations: [CN, DE]
        rationale: Ease trade among partners.
        effectiveDate: 2027-01-01
        """

    static let narrowControl = """
        id: Q-LR-1
        title: Licence requirement for lithography below 150 nm
        measureType: licence-requirement
        items:
          - {scheme: us-eccn, code: 3B001.f.1}
        parameters:
          - {term: light source wavelength, comparator: "<", value: 150, unit: nm}
        destinations: [CN]
        rationale: Narrow control.
        effectiveDate: 2027-01-01
        """

    /// G7 (JP, US, DE delegations) tables a licence exception, the Quad (IN) a control looser
    /// than the US list's; the US list is published in the ledger, the EU list is not.
    struct Setup {
        let n: ConsensusCLITests.Negotiation
        let publishIndex: Int
        let usSHA: String

        init() throws {
            n = try ConsensusCLITests.Negotiation()
            try n.write("us.txt", listText("US", "us-eccn", "Test CCL", "2025-01-15"))
            try n.write("eu.txt", listText("EU", "eu", "Test Annex I", "2025-11-15"))
            let vkey = try n.run(["key", "generate", "--name", "analyst", "--out", "analyst.key"]).lines.last!
            #expect(try n.run(["key", "register", "led", "--key", "op.key", "--vkey", vkey]).status == 0)
            let p = try n.run(["list", "publish", "led", "us.txt", "--key", "analyst.key", "--json"])
            #expect(p.status == 0, "\(p.stderr)")
            publishIndex = try #require(ListConflictsCLITests.object(p.stdout)["index"] as? Int)
            usSHA = String(try shell("sha256sum us.txt", cwd: n.dir).stdout.prefix(64))
            try n.write("le.yaml", ListConflictsCLITests.exception)
            try n.write("lr.yaml", ListConflictsCLITests.narrowControl)
            #expect(try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "le.yaml"]).status == 0)
            #expect(try n.run(["propose", "led", "--key", "Quad-IN.key", "--file", "lr.yaml"]).status == 0)
        }

        func findings(_ extra: [String] = []) throws -> [[String: Any]] {
            let r = try n.run(["conflicts", "led", "--lists", "us.txt", "eu.txt", "--json"] + extra)
            #expect(r.status == 0, "\(r.stderr)")
            return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        }
    }

    static func object(_ s: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any])
    }

    static func rule(_ f: [String: Any]) -> String { f["rule"] as? String ?? "" }
    static func b(_ f: [String: Any]) -> [String: Any] { f["b"] as? [String: Any] ?? [:] }

    @Test func listsAddDecontrolAndLooserThresholdFindingsCitingTheListAndItsEntry() throws {
        let s = try Setup()
        // Without --lists, only the finding between the two proposals.
        let plain = try s.n.run(["conflicts", "led", "--json"])
        let pairOnly = try #require(try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [[String: Any]])
        #expect(pairOnly.map(Self.rule) == ["incompatible-measures"])

        let all = try s.findings()
        #expect(
            all.map(Self.rule).sorted() == [
                "decontrol-of-controlled-item", "decontrol-of-controlled-item", "incompatible-measures",
                "threshold-looser-than-member",
            ])
        let decontrols = all.filter { Self.rule($0) == "decontrol-of-controlled-item" }
        let us = try #require(decontrols.first { Self.b($0)["jurisdiction"] as? String == "US" })
        #expect(us["severity"] as? String == "high")
        #expect((us["a"] as? [String: Any])?["proposal"] as? String == "G7-LE-1")
        #expect(Self.b(us)["code"] as? String == "us-eccn:3B001.f.1")
        #expect(
            Self.b(us)["instrument"] as? String == "Test CCL" && Self.b(us)["versionDate"] as? String == "2025-01-15")
        #expect(Self.b(us)["sha256"] as? String == s.usSHA)
        #expect(Self.b(us)["ledgerIndex"] as? Int == s.publishIndex, "the list.publish entry that anchors the list")
        #expect(us["destinations"] as? [String] == ["CN", "DE"])
        // The EU list: G7 lists the EU; exports to DE are intra-Union; not published here.
        let eu = try #require(decontrols.first { Self.b($0)["jurisdiction"] as? String == "EU" })
        #expect(eu["destinations"] as? [String] == ["CN"] && Self.b(eu)["ledgerIndex"] == nil)
        // The Quad control is looser than the US list's; the EU list does not apply in the Quad.
        let looser = try #require(all.first { Self.rule($0) == "threshold-looser-than-member" })
        #expect(looser["severity"] as? String == "medium" && Self.b(looser)["jurisdiction"] as? String == "US")
        #expect(
            (looser["reason"] as? String)?.hasSuffix("light source wavelength < 150 nm vs US 3B001.f.1 < 193 nm")
                == true)

        // --min-severity filters every finding, between proposals too.
        let high = try s.findings(["--min-severity", "high"])
        #expect(high.count == 3 && high.allSatisfy { $0["severity"] as? String == "high" })
        #expect(try s.findings(["--min-severity", "medium"]).count == 4)

        // A review recorded in the ledger applies to a list finding by its stable id.
        let id = try #require(us["id"] as? String)
        let without = try s.n.run(["review-finding", "led", id, "--status", "dismissed", "--key", "analyst.key"])
        #expect(without.status == 2 && without.stderr.contains("needs its --lists"), "\(without.stderr)")
        let r = try s.n.run(
            [
                "review-finding", "led", id, "--status", "dismissed", "--key", "analyst.key", "--lists", "us.txt",
                "eu.txt",
            ])
        #expect(r.status == 0, "\(r.stderr)")
        let reviewed = try s.findings().first { $0["id"] as? String == id }
        #expect((reviewed?["review"] as? [String: Any])?["status"] as? String == "dismissed")
    }

    @Test func everyFormatShowsTheListsAndTheirEntries() throws {
        let s = try Setup()
        let t = try s.n.run(["conflicts", "led", "--lists", "us.txt", "eu.txt"])
        #expect(t.status == 0, "\(t.stderr)")
        #expect(
            t.lines.contains(
                "list: US Test CCL (2025-01-15), file sha256 \(s.usSHA), dataset sha256 \(s.usSHA), "
                    + "list.publish entry \(s.publishIndex); applies in G7, Quad"), "\(t.stdout)")
        #expect(
            t.lines.contains {
                $0.hasPrefix("list: EU Test Annex I (2025-11-15)")
                    && $0.hasSuffix("not published in this ledger; applies in G7")
            })
        #expect(
            t.lines.contains {
                $0.hasPrefix("  B: US Test CCL (2025-01-15) us-eccn:3B001.f.1 (list.publish entry \(s.publishIndex))")
            })
        #expect(t.lines.last == "4 findings, 3 high")
        for format in ["markdown", "csv", "html"] {
            let r = try s.n.run(["conflicts", "led", "--lists", "us.txt", "eu.txt", "--format", format])
            #expect(r.status == 0, "\(format): \(r.stderr)")
            #expect(
                r.stdout.contains("threshold-looser-than-member") && r.stdout.contains("decontrol-of-controlled-item"))
            #expect(
                r.stdout.contains("EU Test Annex I (2025-11-15) eu:3B001.f.1 (not published in this ledger)"),
                "\(format)")
        }
        let md = try s.n.run(["conflicts", "led", "--lists", "us.txt", "--format", "markdown"])
        #expect(md.stdout.contains("- list: US Test CCL (2025-01-15)"))
    }

    @Test func badSeveritiesAndListsAreOneLineUsageErrors() throws {
        let s = try Setup()
        let before = try s.n.fx.snapshot()
        let cases: [([String], String)] = [
            (
                ["--lists", "us.txt", "--min-severity", "severe"],
                "ledger: error: --min-severity: \"severe\" is not a severity (low, medium, high)\n"
            ),
            (["--lists", "missing.json"], "ledger: error: missing.json: no such file\n"),
            (
                ["--lists", "us.txt", "us.txt"],
                "ledger: error: --lists: us.txt and us.txt are both US lists; give one version per jurisdiction\n"
            ),
        ]
        for (args, message) in cases {
            let r = try s.n.run(["conflicts", "led"] + args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stdout.isEmpty && r.stderr == message, "\(r.stderr)")
        }
        #expect(try s.n.fx.snapshot() == before)
    }
}
