import Testing

@testable import LedgerReports

/// Markdown escaping under hostile text (specs/cli.md, Reports): titles come from other
/// delegations.
@Suite struct MarkdownEscapeTests {
    /// A `|` or `[` followed by a combining mark is one Swift character, but a Markdown parser
    /// reads the byte: it must be escaped all the same.
    @Test func aCombiningMarkDoesNotHideAPipeOrABracket() {
        let hostile = "a|\u{301}b [\u{301}click](https://evil.example) <\u{301}x>"
        let e = ReportTable.markdownEscaped(hostile)
        for u in ["|", "[", "]", "<", ">"] {
            let raw = e.unicodeScalars.indices.filter { i in
                e.unicodeScalars[i] == Unicode.Scalar(u)!
                    && (i == e.unicodeScalars.startIndex
                        || e.unicodeScalars[e.unicodeScalars.index(before: i)] != "\\")
            }
            #expect(raw.isEmpty, "unescaped \(u) in \(e)")
        }
        let row = ReportTable(columns: [.init("A"), .init("B")], rows: [[.init(hostile), .init("x")]]).markdown()[2]
        #expect(row.unicodeScalars.filter { $0 == "|" }.count == 3 + 1, "\(row)")
    }

    /// Headings and list items are one line each: a title cannot start a line of its own, nor
    /// carry a terminal escape.
    @Test func aLineBreakOrAnEscapeInATitleStaysInItsLine() {
        let e = ReportTable.markdownEscaped("T\n# ADOPTED\r\n- state: adopted\u{2028}x\u{1B}[31m")
        #expect(!e.contains("\n") && !e.contains("\r") && !e.unicodeScalars.contains("\u{2028}"))
        #expect(!e.unicodeScalars.contains("\u{1B}"))
        #expect(e.hasPrefix("T # ADOPTED"))
    }
}
