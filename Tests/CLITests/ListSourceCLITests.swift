import Foundation
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
        let edited = try read(fx.dir + "/old.json").replacingOccurrences(of: "features of 45 nm", with: "features of 40 nm")
        try edited.write(toFile: fx.dir + "/new.json", atomically: true, encoding: .utf8)
        for args in [["list", "import", "new.json"], ["list", "diff", "old.json", "new.json"]] {
            let r = try ledger(args, cwd: fx.dir)
            #expect(r.status == 2, "\(args)")
            #expect(r.stdout.isEmpty)
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1)
            #expect(r.stderr.hasPrefix("ledger: error: new.json:"), "\(r.stderr)")
            #expect(r.stderr.contains("3B001.f.2: parameter \"features ≤ 45 nm\" is not in the text (the text states 40)"))
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
        #expect(try ledger(["list", "diff", "old.json", "new.json", "--json", "--format", "csv"], cwd: fx.dir).status == 2)
    }
}
