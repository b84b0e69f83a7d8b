import Testing

@testable import LedgerReports

@Suite struct TextWidthTests {
    @Test func wideNarrowAndZeroWidth() {
        #expect(TextWidth.columns(of: "abc") == 3)
        #expect(TextWidth.columns(of: "輸出許可") == 8)
        #expect(TextWidth.columns(of: "ｶﾀｶﾅ") == 4)  // halfwidth katakana: narrow
        #expect(TextWidth.columns(of: "ＡＢ") == 4)  // fullwidth Latin: wide
        #expect(TextWidth.columns(of: "한국") == 4)
        #expect(TextWidth.columns(of: "e\u{301}") == 1)  // combining acute
        #expect(TextWidth.columns(of: "\u{200B}") == 0)  // zero-width space (format)
        #expect(TextWidth.columns(of: "✔\u{FE0F}") == 2)
    }

    @Test func truncateAndPadCountColumnsNotCharacters() {
        #expect(TextWidth.truncate("輸出許可要件", to: 7) == "輸出許…")
        #expect(TextWidth.columns(of: TextWidth.truncate("輸出許可要件", to: 7)) == 7)
        #expect(TextWidth.truncate("輸出許可要件", to: 6) == "輸出…")
        #expect(TextWidth.pad("輸出", to: 6) == "輸出  ")
        #expect(TextWidth.padLeft("12", to: 4) == "  12")
        #expect(TextWidth.pad("abc", to: 3) == "abc")
    }

    @Test func printableReplacesControlsAndBidiOverrides() {
        #expect(TextWidth.printable("a\u{1B}[31mb") == "a\u{FFFD}[31mb")
        #expect(TextWidth.printable("x\u{202E}y\u{2066}z") == "x\u{FFFD}y\u{FFFD}z")
        #expect(TextWidth.printable("\u{85}") == "\u{FFFD}")
        #expect(TextWidth.printable("日本語 ok") == "日本語 ok")
    }

    @Test func csvFieldsQuoteAndDefuseFormulas() {
        #expect(ReportTable.csvField("plain") == "plain")
        #expect(ReportTable.csvField("a,b") == "\"a,b\"")
        #expect(ReportTable.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(ReportTable.csvField("line\nbreak") == "\"line\nbreak\"")
        #expect(ReportTable.csvField("=1+1") == "'=1+1")
        #expect(ReportTable.csvField("@SUM(A1)") == "'@SUM(A1)")
        #expect(ReportTable.csvField(" lead") == "\" lead\"")
    }

    @Test func tableTextAlignsAndCuts() {
        var t = ReportTable(columns: [.init("A"), .init("N", .right), .init("T", maxWidth: 5)])
        t.rows = [["輸出", "7", "abcdefgh"], ["x", "12", "ok"]]
        #expect(t.text() == ["A      N  T", "輸出   7  abcd…", "x     12  ok"])
        #expect(t.text(wide: true)[1] == "輸出   7  abcdefgh")
        #expect(t.markdown()[1] == "| --- | ---: | --- |")
        #expect(HTML.escape("<a href='x'>&</a>") == "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;")
    }
}
