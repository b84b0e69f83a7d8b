/// Self-contained printable HTML: one file, inline CSS, no script, no external asset, so that
/// a report can be attached to an e-mail or printed into a briefing pack as it is.
package enum HTML {
    /// `s` escaped for text and attribute values (`&`, `<`, `>`, `"`, `'`); control characters
    /// and bidirectional overrides become U+FFFD as on the terminal.
    package static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in TextWidth.printable(s).unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Stance colours, shared by the grid cells and the legend. Colour is never the only cue:
    /// each cell also carries the stance's abbreviation.
    static let css = """
        :root { color-scheme: light; }
        body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK JP", sans-serif;
               color: #1b1f24; margin: 24px; }
        h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 6px; }
        .meta { color: #57606a; margin: 0 0 4px; } .basis { color: #57606a; font-size: 12px; margin: 0 0 16px; }
        table { border-collapse: collapse; margin: 8px 0 16px; width: 100%; }
        th, td { border: 1px solid #d0d7de; padding: 4px 6px; text-align: left; vertical-align: top; }
        th { background: #f6f8fa; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        caption { text-align: left; font-weight: 600; padding: 4px 0; }
        .grid { display: flex; flex-wrap: wrap; gap: 3px; }
        .cell { display: inline-block; min-width: 44px; padding: 2px 5px; border-radius: 3px; font-size: 12px;
                border: 1px solid rgba(0,0,0,.15); text-align: center; }
        .support { background: #2da44e; color: #fff; } .no-objection { background: #a2e3b4; color: #0b3d1a; }
        .object { background: #cf222e; color: #fff; font-weight: 700; } \
        .reserve { background: #fb8f44; color: #3d1a00; }
        .abstain { background: #d0d7de; color: #1b1f24; } .recuse { background: #eaeef2; color: #57606a; }
        .not-spoken { background: #fff; color: #57606a; border-style: dashed; }
        td.controls, .cell.controls { background: #dafbe1; } \
        td.differs, .cell.differs { background: #ffebe9; font-weight: 600; }
        td.uncompared, .cell.uncompared { background: #fff8c5; } td.absent, .cell.absent { color: #8c959f; }
        .high { background: #ffebe9; } .medium { background: #fff8c5; } .low { background: #f6f8fa; }
        .legend { margin: 8px 0 16px; } .legend .cell { margin-right: 6px; }
        .state-blocked { color: #cf222e; font-weight: 600; } .state-adopted { color: #1a7f37; font-weight: 600; }
        ol.timeline { list-style: none; padding-left: 0; border-left: 3px solid #d0d7de; margin-left: 8px; }
        ol.timeline li { margin: 0 0 10px 0; padding-left: 12px; position: relative; }
        ol.timeline li::before { content: ""; position: absolute; left: -8px; top: 5px; width: 11px; height: 11px;
                                 border-radius: 50%; background: #57606a; }
        ol.timeline li.ev-object::before { background: #cf222e; } \
        ol.timeline li.ev-support::before { background: #2da44e; }
        ol.timeline li.ev-reserve::before { background: #fb8f44; } \
        ol.timeline li.ev-no-objection::before { background: #a2e3b4; }
        .entry { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12px; }
        dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; margin: 6px 0; }
        dt { color: #57606a; } dd { margin: 0; }
        footer { color: #57606a; font-size: 11px; margin-top: 24px; border-top: 1px solid #d0d7de; padding-top: 6px; }
        @media print { body { margin: 12mm; } \
        .cell, .support, .object, .reserve, .no-objection { print-color-adjust: exact;
                       -webkit-print-color-adjust: exact; } h2 { break-after: avoid; } \
        table, .grid { break-inside: avoid; } }
        """

    /// A whole document: `title`, the lines under it, and `body` (already HTML).
    package static func page(title: String, meta: [String], basis: String?, body: String, footer: String) -> String {
        var h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        h += "<title>\(escape(title))</title>\n<style>\n\(css)\n</style>\n</head>\n<body>\n"
        h += "<h1>\(escape(title))</h1>\n"
        for m in meta { h += "<p class=\"meta\">\(escape(m))</p>\n" }
        if let basis { h += "<p class=\"basis\">\(escape(basis))</p>\n" }
        h += body
        h += "<footer>\(escape(footer))</footer>\n</body>\n</html>\n"
        return h
    }

    /// A coloured cell: `label` in a box of class `style`, with `title` as its tooltip.
    package static func cell(_ label: String, style: String, title: String? = nil) -> String {
        "<span class=\"cell \(escape(style))\"" + (title.map { " title=\"\(escape($0))\"" } ?? "") + ">"
            + escape(label) + "</span>"
    }
}
