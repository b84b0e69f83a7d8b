import Foundation
import LedgerTestSupport
import Testing

/// The circulated reports (`--format table|json|markdown|csv|html`, `--wide`) of `board`,
/// `status`, `history` and `conflicts`, through the built binary (specs/cli.md, "Reports").
@Suite struct ReportCLITests {
    typealias Negotiation = ConsensusCLITests.Negotiation

    static let japaneseTitle = "極端紫外線露光装置および先端エッチング装置の輸出許可要件に関する提案"

    /// A G7 negotiation with a Japanese-titled proposal (JP objects, US supports) and a second,
    /// ASCII-titled one whose title is hostile to every output format.
    static func negotiation() throws -> Negotiation {
        let n = try Negotiation()
        try n.write(
            "jp.yaml",
            ConsensusCLITests.proposalYAML.replacingOccurrences(
                of: "title: Licence requirement for EUV lithography", with: "title: \(japaneseTitle)"))
        #expect(try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "jp.yaml"]).status == 0)
        try n.write(
            "evil.yaml",
            ConsensusCLITests.proposalYAML
                .replacingOccurrences(of: "id: G7-EUV-1", with: "id: G7-EVIL-1")
                .replacingOccurrences(
                    of: "title: Licence requirement for EUV lithography",
                    with: "title: '=HYPERLINK(\"x\") <script>alert(1)</script> | a, \"b\" & c'"))
        #expect(try n.run(["propose", "led", "--key", "G7-US.key", "--file", "evil.yaml"]).status == 0)
        let o = try n.run([
            "position", "led", "G7-EUV-1", "--key", "G7-DE.key", "--stance", "object", "--reason", "scope too wide",
        ])
        #expect(o.status == 0, "\(o.stderr)")
        let s = try n.run(["position", "led", "G7-EUV-1", "--key", "G7-US.key", "--stance", "support"])
        #expect(s.status == 0, "\(s.stderr)")
        return n
    }

    /// Display columns of each line, computed by Python's `unicodedata.east_asian_width` (an
    /// implementation independent of ours): W and F count two.
    static func displayOffsets(of needle: String, in lines: [String], cwd: String) throws -> [Int] {
        let script = """
            import sys, unicodedata, json
            needle = sys.argv[1]
            def width(s):
                return sum(0 if unicodedata.combining(c) else \
            (2 if unicodedata.east_asian_width(c) in 'WF' else 1) for c in s)
            out = []
            for line in sys.stdin.read().split('\\n'):
                if not line: continue
                i = line.find(needle)
                out.append(width(line[:i]) if i >= 0 else -1)
            print(json.dumps(out))
            """
        try script.write(toFile: cwd + "/width.py", atomically: true, encoding: .utf8)
        try lines.joined(separator: "\n").write(toFile: cwd + "/lines.txt", atomically: true, encoding: .utf8)
        let r = try shell("python3 width.py '\(needle)' < lines.txt", cwd: cwd)
        #expect(r.status == 0, "\(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [Int]
    }

    @Test func boardAlignsWideCharactersAndPluralises() throws {
        let n = try Self.negotiation()
        let b = try n.run(["board", "led"])
        #expect(b.status == 0, "\(b.stderr)")
        #expect(b.lines[0].hasSuffix("(2 proposals)"))
        let header = b.lines.firstIndex { $0.hasPrefix("FORUM") }!
        // Each row's title starts at the header's TITLE column, measured in display columns; the
        // Japanese title is cut with … at 48 columns, not 48 characters.
        let rows = Array(b.lines[header...header + 2])
        let titleCol = try Self.displayOffsets(of: "TITLE", in: [rows[0]], cwd: n.dir)[0]
        let starts = try Self.displayOffsets(of: "極端", in: rows, cwd: n.dir)
        #expect(starts.contains(titleCol), "\(b.stdout)")
        let jp = rows.first { $0.contains("極端") }!
        #expect(jp.hasSuffix("…"))
        let ends = try Self.displayOffsets(of: "…", in: [jp], cwd: n.dir)[0]
        #expect(ends - titleCol <= 47, "title takes \(ends - titleCol + 1) columns")
        // The legend explains the abbreviations.
        #expect(b.stdout.contains("NOB no objection") && b.stdout.contains("? not yet spoken"))
        // --wide shows the whole title.
        let w = try n.run(["board", "led", "--wide"])
        #expect(w.stdout.contains(Self.japaneseTitle))
        #expect(!b.stdout.contains(Self.japaneseTitle))
        // One proposal: singular.
        try n.write("quad.yaml", ConsensusCLITests.proposalYAML.replacingOccurrences(of: "G7-EUV-1", with: "Q-1"))
        #expect(try n.run(["propose", "led", "--key", "Quad-IN.key", "--file", "quad.yaml"]).status == 0)
        let one = try n.run(["board", "led", "--forum", "Quad"])
        #expect(one.lines[0].hasSuffix("(forum Quad, 1 proposal)"), "\(one.stdout)")
        // Terminal output never carries a control character from a statement.
        #expect(!b.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }

    @Test func htmlReportsAreSelfContainedEscapedAndBlockingFirst() throws {
        let n = try Self.negotiation()
        for args in [
            ["board", "led", "--format", "html"], ["status", "led", "--format", "html"],
            ["status", "led", "G7-EUV-1", "--format", "html"], ["history", "led", "G7-EUV-1", "--format", "html"],
            ["conflicts", "led", "--format", "html"],
        ] {
            let r = try n.run(args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            let h = r.stdout
            #expect(h.hasPrefix("<!DOCTYPE html>") && h.hasSuffix("</html>\n"), "\(args)")
            // No external asset, no script: one file that can be mailed and printed.
            for banned in ["<script", "src=", "<link", "http://", "https://", "url(", "@import"] {
                #expect(!h.lowercased().contains(banned), "\(args) contains \(banned)")
            }
            #expect(h.contains("<meta charset=\"utf-8\">"))
        }
        let board = try n.run(["board", "led", "--format", "html"]).stdout
        // The hostile title is escaped, never markup.
        #expect(board.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(board.contains(Self.japaneseTitle))
        // The grid: one cell per party, blocking first: DE's objection, then those not yet
        // spoken (JP among them), then US's support.
        let row = board.components(separatedBy: "<tr>").first { $0.contains("G7-EUV-1") }!
        let de = row.range(of: "cell object")!.lowerBound
        let jp = row.range(of: "cell not-spoken")!.lowerBound
        let us = row.range(of: "cell support")!.lowerBound
        #expect(de < jp && jp < us, "\(row)")
        #expect(row.components(separatedBy: "class=\"cell ").count - 1 == 8)  // G7: seven members and the EU
        // A legend names every stance.
        for s in ["support", "no objection", "object", "abstain", "reserve", "recuse", "not yet spoken"] {
            #expect(board.contains(s), "legend lacks \(s)")
        }
        // History: a timeline whose every event names its ledger entry.
        let hj = try n.run(["history", "led", "G7-EUV-1", "--json"])
        let events = try JSONSerialization.jsonObject(with: Data(hj.stdout.utf8)) as! [[String: Any]]
        let hh = try n.run(["history", "led", "G7-EUV-1", "--format", "html"]).stdout
        #expect(events.count == 3)
        for e in events {
            #expect(hh.contains("entry \(e["index"] as! Int) ·"), "\(e)")
            #expect(hh.contains(e["leafHash"] as! String))
        }
    }

    @Test func csvAndMarkdownSurviveHostileTitles() throws {
        let n = try Self.negotiation()
        let c = try n.run(["board", "led", "--format", "csv"])
        #expect(c.status == 0, "\(c.stderr)")
        // Python's csv module reads it back: same number of fields in every row, the formula
        // defused with a leading quote, the title otherwise intact.
        try c.stdout.write(toFile: n.dir + "/board.csv", atomically: true, encoding: .utf8)
        let py = """
            import csv, json
            rows = list(csv.reader(open('board.csv', newline='', encoding='utf-8')))
            print(json.dumps(rows))
            """
        try py.write(toFile: n.dir + "/readcsv.py", atomically: true, encoding: .utf8)
        let r = try shell("python3 readcsv.py", cwd: n.dir)
        let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String]]
        #expect(rows.count == 3)
        #expect(Set(rows.map(\.count)) == [13])
        let evil = rows.first { $0[1] == "G7-EVIL-1" }!
        #expect(evil[12] == "'=HYPERLINK(\"x\") <script>alert(1)</script> | a, \"b\" & c")
        #expect(c.stdout.contains("\r\n"))
        // Status CSV: a row per party per proposal.
        let sc = try n.run(["status", "led", "--format", "csv"]).stdout
        #expect(sc.split(separator: "\r\n").count == 1 + 2 * 8)  // G7: seven members and the EU
        // Markdown: the pipe in the title is escaped, so every table row has the same cells.
        let m = try n.run(["board", "led", "--format", "markdown"]).stdout
        let tableRows = m.split(separator: "\n").filter { $0.hasPrefix("| ") }
        let cells = Set(tableRows.map { $0.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count })
        #expect(cells == [14], "\(m)")
        #expect(m.contains("\\<script\\>"))
    }

    @Test func formatFlagsAgreeAndBadFormatsAreRefused() throws {
        let n = try Self.negotiation()
        for cmd in [["board", "led"], ["status", "led"], ["history", "led", "G7-EUV-1"], ["conflicts", "led"]] {
            let a = try n.run(cmd + ["--json"])
            let b = try n.run(cmd + ["--format", "json"])
            #expect(a.status == 0 && a.stdout == b.stdout, "\(cmd)")
            let bad = try n.run(cmd + ["--format", "pdf"])
            #expect(bad.status == 2)
            #expect(
                bad.stderr == "ledger: error: --format: \"pdf\" is not a format (table, json, markdown, csv, html)\n")
            let both = try n.run(cmd + ["--json", "--format", "csv"])
            #expect(both.status == 2 && both.stdout.isEmpty, "\(cmd): \(both.stderr)")
        }
    }
}
