import ControlCodes
import ControlLists

/// `ledger list compare`: one table across N jurisdictions (specs/control-list-format.md §6.3).
package struct ListComparisonReport: Sendable {
    package var comparison: ListComparison
    /// Whether rows only the reference list controls are listed (otherwise counted).
    package var all: Bool
    package var command: String

    package init(_ comparison: ListComparison, all: Bool, command: String) {
        self.comparison = comparison
        self.all = all
        self.command = command
    }

    var shownRows: [ListComparison.Row] { all ? comparison.rows : comparison.rowsOfInterest }

    /// A cell's text: the list's codes, or `—` when it does not control the group.
    static func cellText(_ c: ListComparison.Cell) -> String {
        guard c.controls else { return "—" }
        let codes = c.codes.map(\.text).joined(separator: ", ")
        switch c.status {
        case .differentThresholds?: return codes + " ≠"
        case .overlapNotCompared?: return codes + " ?"
        default: return codes
        }
    }

    static func cellStyle(_ c: ListComparison.Cell) -> String {
        guard c.controls else { return "absent" }
        switch c.status {
        case .differentThresholds?: return "differs"
        case .overlapNotCompared?: return "uncompared"
        default: return "controls"
        }
    }

    static func details(_ r: ListComparison.Row, _ lists: [ListDiff.ListRef]) -> String {
        var parts: [String] = []
        for (k, c) in r.cells.enumerated() {
            for d in c.disparities { parts.append("\(lists[k].jurisdiction) \(d)") }
            if c.status == .overlapNotCompared, !c.note.isEmpty { parts.append("\(lists[k].jurisdiction): \(c.note)") }
        }
        return parts.joined(separator: "; ")
    }

    package var table: ReportTable {
        let lists = comparison.lists
        var t = ReportTable(
            columns: [.init("ITEM GROUP", maxWidth: 44)] + lists.map { .init($0.jurisdiction, maxWidth: 24) }
                + [.init("VERDICT"), .init("DETAILS", maxWidth: 90)])
        for r in shownRows {
            var row: [ReportTable.Cell] = [.init(r.heading)]
            for c in r.cells { row.append(.init(Self.cellText(c), style: Self.cellStyle(c))) }
            row.append(.init(r.verdicts.map(\.rawValue).joined(separator: ", ")))
            row.append(.init(Self.details(r, lists)))
            t.rows.append(row)
        }
        return t
    }

    package var summary: String {
        let counts = ListComparison.Verdict.allCases.map { v in
            "\(v.rawValue) \(comparison.rows.filter { $0.verdicts.contains(v) }.count)"
        }
        return ReportWords.count(comparison.rows.count, "item group") + ": " + counts.joined(separator: " · ")
    }

    var header: [String] {
        comparison.lists.enumerated().map { k, l in
            (k == 0 ? "reference " : "") + "\(l.jurisdiction): \(l.instrument) (\(l.versionDate)), "
                + l.hashes(short: false)
                .replacingAll("`", with: "")
        }
    }

    var referenceOnlyLine: String? {
        guard !all else { return nil }
        let n = comparison.referenceOnly.count
        guard n > 0 else { return nil }
        return "\(ReportWords.count(n, "item group")) only \(comparison.lists[0].jurisdiction) controls "
            + "are not listed (--all lists them)."
    }

    static let legend = "≠ thresholds differ from the reference · ? overlap, not compared · — not controlled"

    package func render(_ format: ReportFormat, wide: Bool) -> String {
        switch format {
        case .json:
            return ""  // the CLI prints ListComparison.json
        case .table:
            var lines = header + [summary, ""] + table.text(wide: wide) + ["", Self.legend]
            if let r = referenceOnlyLine { lines.append(r) }
            // The instrument comes from the list file: no control character reaches the terminal.
            return lines.map(TextWidth.printable).joined(separator: "\n") + "\n"
        case .markdown:
            var lines = ["# Control lists compared", ""] + header.map { "- " + ReportTable.markdownEscaped($0) }
            lines += ["", summary, ""] + table.markdown() + ["", Self.legend]
            if let r = referenceOnlyLine { lines += ["", r] }
            return lines.joined(separator: "\n") + "\n"
        case .csv:
            return table.csv()
        case .html:
            var body = "<p class=\"legend\">" + HTML.cell("3B001", style: "controls") + " controls, thresholds agree "
            body += HTML.cell("3B001 ≠", style: "differs") + " thresholds differ "
            body += HTML.cell("3B001 ?", style: "uncompared") + " overlap, not compared "
            body += HTML.cell("—", style: "absent") + " not controlled</p>\n"
            body += table.html()
            if let r = referenceOnlyLine { body += "<p class=\"meta\">\(HTML.escape(r))</p>\n" }
            return HTML.page(
                title: "Control lists compared: " + comparison.lists.map(\.jurisdiction).joined(separator: " · "),
                meta: header + [summary], basis: nil, body: body, footer: "Made by `\(command)`. Minilateral Ledger.")
        }
    }
}
