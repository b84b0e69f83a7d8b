import Foundation
import LedgerTestSupport
import Testing

/// `list import`, `list diff` and `list publish` name both the file's and the official
/// dataset's hash, and refuse a list whose explicit parameters its text no longer states.
@Suite struct ListSourceCLITests {
    static let dataset = """
        # jurisdiction: US
        # scheme: us-eccn
        # instrument: Test CCL
        # citation: 15 CFR 774 (test)
        # versionDate: 2025-01-15
        3B001 Equipment for the manufacturing of semiconductor devices, as follows:
        3B001.f Lithography equipment as follows:
        3B001.f.2 Imprint lithography equipment capable of producing features of 45 nm or less;

        """

    static func sha256(_ path: String) throws -> String {
        let r = try shell("sha256sum '\(path)'", cwd: "/")
        return String(r.stdout.prefix(64))
    }

    static func json(_ r: RunResult) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    }

    @Test func bothHashesAreShownLabelledAndAnchored() throws {
        let fx = try CLIFixture()
        try Self.dataset.write(toFile: fx.dir + "/ccl.txt", atomically: true, encoding: .utf8)
        let datasetHash = try Self.sha256(fx.dir + "/ccl.txt")
        let i = try ledger(["list", "import", "ccl.txt", "--out", "ccl.json", "--json"], cwd: fx.dir)
        #expect(i.status == 0, "\(i.stderr)")
        let io = try Self.json(i)
        let writtenHash = try Self.sha256(fx.dir + "/ccl.json")
        #expect(io["sha256"] as? String == datasetHash && io["datasetSHA256"] as? String == datasetHash)
        #expect(io["writtenSHA256"] as? String == writtenHash)
        let text = try ledger(["list", "import", "ccl.json"], cwd: fx.dir)
        #expect(text.stdout.contains("file sha256:    \(writtenHash)  (the file read)"))
        #expect(text.stdout.contains("dataset sha256: \(datasetHash)  (the official dataset the entries came from)"))
        // publish anchors both, as base64 in the entry body.
        try fx.registeredKey("analyst", file: "analyst.key")
        let p = try ledger(["list", "publish", "led", "ccl.json", "--key", "analyst.key", "--json"], cwd: fx.dir)
        #expect(p.status == 0, "\(p.stderr)")
        let index = try Self.json(p)["index"] as! Int
        let e = try ledger(["entry", "led", String(index), "--json"], cwd: fx.dir)
        #expect(e.status == 0, "\(e.stderr)")
        let b64 = { (hex: String) -> String in
            var bytes = [UInt8]()
            var it = hex.makeIterator()
            while let a = it.next(), let b = it.next() { bytes.append(UInt8(String([a, b]), radix: 16)!) }
            return Data(bytes).base64EncodedString()
        }
        #expect(e.stdout.contains("\"sha256\":\"\(b64(writtenHash))\""), "\(e.stdout)")
        #expect(e.stdout.contains("\"datasetSHA256\":\"\(b64(datasetHash))\""), "\(e.stdout)")
        #expect(try ledger(["verify", "led"], cwd: fx.dir).status == 0)
        // diff labels both.
        let d = try ledger(["list", "diff", "ccl.txt", "ccl.json", "--format", "markdown"], cwd: fx.dir)
        #expect(d.status == 0, "\(d.stderr)")
        #expect(d.stdout.contains("file SHA-256 `\(writtenHash)`, dataset SHA-256 `\(datasetHash)`"), "\(d.stdout)")
        #expect(d.stdout.contains("file and dataset SHA-256 `\(datasetHash)`"))
    }

    @Test func editedTextWithStaleParametersIsRefused() throws {
        let fx = try CLIFixture()
        try Self.dataset.write(toFile: fx.dir + "/ccl.txt", atomically: true, encoding: .utf8)
        #expect(try ledger(["list", "import", "ccl.txt", "--out", "old.json"], cwd: fx.dir).status == 0)
        // An analyst edits the threshold in the text and forgets the parameters.
        let edited = try read(fx.dir + "/old.json").replacingOccurrences(
            of: "features of 45 nm", with: "features of 40 nm")
        try edited.write(toFile: fx.dir + "/new.json", atomically: true, encoding: .utf8)
        for args in [["list", "import", "new.json"], ["list", "diff", "old.json", "new.json"]] {
            let r = try ledger(args, cwd: fx.dir)
            #expect(r.status == 2, "\(args)")
            #expect(r.stdout.isEmpty)
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1)
            #expect(r.stderr.hasPrefix("ledger: error: new.json:"), "\(r.stderr)")
            #expect(
                r.stderr.contains("3B001.f.2: parameter \"features ≤ 45 nm\" is not in the text (the text states 40)"))
        }
        // Fixed by dropping the stale parameters: re-derived, the diff reports the change.
        let fixed = edited.replacingOccurrences(
            of: #""parameters": \[[^\]]*\],\s*"#, with: "", options: .regularExpression)
        try fixed.write(toFile: fx.dir + "/new.json", atomically: true, encoding: .utf8)
        let d = try ledger(["list", "diff", "old.json", "new.json", "--json"], cwd: fx.dir)
        #expect(d.status == 0, "\(d.stderr)\n\(fixed)")
        #expect(d.stdout.contains("\"parameters-changed\": 1"), "\(d.stdout)")
        let f = try ledger(["list", "diff", "old.json", "new.json", "--format", "json"], cwd: fx.dir)
        #expect(f.stdout == d.stdout)
        #expect(
            try ledger(["list", "diff", "old.json", "new.json", "--json", "--format", "csv"], cwd: fx.dir).status == 2)
    }
}

/// `ledger list compare A B C…`: one table across N jurisdictions.
@Suite struct ListCompareCLITests {
    static func list(_ jurisdiction: String, _ scheme: String, _ lines: [String]) -> String {
        "# jurisdiction: \(jurisdiction)\n# scheme: \(scheme)\n# instrument: \(jurisdiction) test list\n"
            + "# citation: test\n# versionDate: 2025-01-15\n" + lines.joined(separator: "\n") + "\n"
    }

    static func fixture() throws -> String {
        let dir = try makeTempDir("compare")
        let files = [
            (
                "eu.txt",
                list(
                    "EU", "eu",
                    [
                        "3B001 Equipment for the manufacturing of semiconductor devices, as follows:",
                        "3B001.f.1.a A light source wavelength shorter than 193 nm;",
                        "1A001 Components made from fluorinated compounds;",
                    ])
            ),
            (
                "us.txt",
                list(
                    "US", "us-eccn",
                    [
                        "3B001 Equipment for the manufacturing of semiconductor devices, as follows:",
                        "3B001.f.1.a A light source wavelength shorter than 248 nm;",
                        "3A090 Integrated circuits (advanced computing);",
                    ])
            ),
            (
                "wa.txt",
                list(
                    "WA", "wassenaar",
                    [
                        "3B001 Equipment for the manufacturing of semiconductor devices, as follows:",
                        "3B001.f.1.a A light source wavelength shorter than 193 nm;",
                    ])
            ),
        ]
        for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        return dir
    }

    @Test func oneTableAcrossThreeJurisdictions() throws {
        let dir = try Self.fixture()
        let j = try ledger(["list", "compare", "eu.txt", "us.txt", "wa.txt", "--json"], cwd: dir)
        #expect(j.status == 0, "\(j.stderr)")
        let o = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as! [String: Any]
        #expect((o["lists"] as! [[String: Any]]).map { $0["jurisdiction"] as! String } == ["EU", "US", "WA"])
        let rows = o["rows"] as! [[String: Any]]
        let semi = rows.first { ($0["controlledBy"] as! [String]) == ["EU", "US", "WA"] }!
        #expect(semi["verdicts"] as! [String] == ["thresholds-differ"])
        let cells = semi["cells"] as! [[String: Any]]
        #expect(cells.map { $0["codes"] as! [String] } == [["3B001"], ["3B001"], ["3B001"]])
        #expect(cells[1]["status"] as? String == "both-different-thresholds")
        #expect(cells[2]["status"] as? String == "both-alike")
        let dis = cells[1]["disparities"] as! [String]
        #expect(dis == ["light source wavelength: < 248 nm vs < 193 nm (this list stricter)"], "\(dis)")
        let usOnly = rows.first { ($0["controlledBy"] as! [String]) == ["US"] }!
        #expect((usOnly["cells"] as! [[String: Any]])[1]["codes"] as! [String] == ["3A090"])
        #expect(rows.contains { ($0["controlledBy"] as! [String]) == ["EU"] })

        let t = try ledger(["list", "compare", "eu.txt", "us.txt", "wa.txt"], cwd: dir)
        #expect(t.status == 0)
        let row = try #require(t.lines.first { $0.contains("3B001 ≠") })
        #expect(row.contains("thresholds-differ") && row.contains("US light source wavelength: < 248 nm vs < 193 nm"))
        #expect(t.stdout.contains("1 item group only EU controls are not listed (--all lists them)."))
        #expect(!t.stdout.contains("fluorinated"))
        #expect(
            try ledger(["list", "compare", "eu.txt", "us.txt", "wa.txt", "--all"], cwd: dir).stdout.contains(
                "fluorinated"))

        let csv = try ledger(["list", "compare", "eu.txt", "us.txt", "wa.txt", "--format", "csv"], cwd: dir).stdout
        #expect(csv.hasPrefix("ITEM GROUP,EU,US,WA,VERDICT,DETAILS\r\n"))
        #expect(csv.split(separator: "\r\n").count == 3)  // header, 3B001, 3A090
        let md = try ledger(["list", "compare", "eu.txt", "us.txt", "wa.txt", "--format", "markdown"], cwd: dir).stdout
        #expect(md.contains("| ITEM GROUP | EU | US | WA | VERDICT | DETAILS |"))
        let html = try ledger(["list", "compare", "eu.txt", "us.txt", "wa.txt", "--format", "html"], cwd: dir).stdout
        #expect(html.hasPrefix("<!DOCTYPE html>") && !html.contains("<script") && !html.contains("http"))
        #expect(html.contains("<td class=\"differs\">3B001 ≠</td>"))
    }

    @Test func oneListIsRefused() throws {
        let dir = try Self.fixture()
        let r = try ledger(["list", "compare", "eu.txt"], cwd: dir)
        #expect(r.status == 2)
        #expect(r.stderr == "ledger: error: list compare needs two lists or more (got 1)\n")
    }
}
