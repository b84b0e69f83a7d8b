import Foundation
import LedgerTestSupport
import Testing

/// Item codes through the built binary: the append-side grammar is the control-list grammar
/// (issue 10 §3), so a code a proposal may carry always takes part in conflict detection.
@Suite struct ItemCodeCLITests {
    static func proposal(_ id: String, type: String, code: String) -> String {
        """
        id: \(id)
        title: Etching equipment \(id)
        measureType: \(type)
        items:
          - {scheme: jp, code: "\(code)"}
        destinations: [CN]
        rationale: Test.
        effectiveDate: 2031-01-01
        """
    }

    /// `7(17)(ru)` (a kana sub-item of Japan's row 7 item 17) was refused on append while the
    /// control-list tools read it; now it is logged and found against `7(17)` in another forum.
    @Test func aKanaSubItemIsLoggedAndFoundByConflicts() throws {
        let n = try ConsensusCLITests.Negotiation()
        try n.write("g7.yaml", Self.proposal("G7-JP-RU", type: "licence-requirement", code: "7(17)(ru)"))
        try n.write("quad.yaml", Self.proposal("QUAD-FAC", type: "trade-facilitation", code: "7(17)"))
        let a = try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "g7.yaml"])
        #expect(a.status == 0, "\(a.stderr)")
        let b = try n.run(["propose", "led", "--key", "Quad-IN.key", "--file", "quad.yaml"])
        #expect(b.status == 0, "\(b.stderr)")
        let s = try n.run(["status", "led", "G7-JP-RU"])
        #expect(s.stdout.contains("  items:        jp 7(17)(ru)\n"), "\(s.stdout)")
        let c = try n.run(["conflicts", "led", "--json"])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(c.stdout.contains("\"rule\":\"incompatible-measures\""), "\(c.stdout)")
        #expect(c.stdout.contains("\"proposal\":\"G7-JP-RU\"") && c.stdout.contains("\"proposal\":\"QUAD-FAC\""))
        #expect(c.stdout.contains("7(17)(ru)"), "\(c.stdout)")
    }

    /// A code outside the grammar is refused in one line naming the field, the code and why,
    /// and nothing is appended.
    @Test(arguments: [
        ("3B001.f1", "wassenaar", "segment \"f1\" mixes letters and digits"),
        ("3B001.01", "eu", "paragraph number with a leading zero"),
        ("3B001.abcd", "eu", "paragraph letter segment too long"),
        ("0Y521", "us-eccn", "\"Y\" stands for any product group A–E"),
        ("848620", "hs", "expected 84, 8486 or 8486.20"),
        ("7(17)(ti)", "jp", "write the kana \"(ti)\" as \"(chi)\""),
    ])
    func aCodeOutsideTheGrammarIsRefusedInOneLine(code: String, scheme: String, why: String) throws {
        let n = try ConsensusCLITests.Negotiation()
        let yaml = Self.proposal("G7-BAD", type: "licence-requirement", code: code)
            .replacingOccurrences(of: "scheme: jp", with: "scheme: \(scheme)")
        try n.write("bad.yaml", yaml)
        let before = try String(contentsOfFile: n.dir + "/led/entries.jsonl", encoding: .utf8)
        let r = try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "bad.yaml"])
        #expect(r.status == 2)
        // The file and the line of the field come first (issue 11 §1).
        let expected =
            "ledger: error: bad.yaml:5: proposal.items[0].code: \"\(code)\" is not a valid \(scheme) code: \(why)"
        #expect(r.stderr.hasPrefix(expected), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(try String(contentsOfFile: n.dir + "/led/entries.jsonl", encoding: .utf8) == before)
    }
}
