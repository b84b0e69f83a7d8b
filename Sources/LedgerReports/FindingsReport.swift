import Consensus
import ControlCodes
import ControlLists

/// The `conflicts` view: duplicate and conflicting measures across forums.
package struct FindingsReport: Sendable {
    package var context: ReportContext
    package var forum: String?
    package var findings: [Finding]
    /// One line per national list the proposals were checked against (`conflicts --lists`).
    package var lists: [String]

    package init(context: ReportContext, forum: String?, findings: [Finding], lists: [String] = []) {
        self.context = context
        self.forum = forum
        self.findings = findings
        self.lists = lists
    }

    /// A finding's side: a proposal (`label kind: title`) or a national list entry (`label: text`).
    static func cell(_ c: Finding.Citation) -> String {
        if let e = c.listEntry { return "\(e.label): \(e.text)" }
        return "\(c.label) \(c.kind.rawValue): \(c.title)"
    }

    package var table: ReportTable {
        var t = ReportTable(columns: [
            .init("SEVERITY"), .init("RULE"), .init("ID"), .init("A", maxWidth: 40), .init("B", maxWidth: 40),
            .init("ITEMS", maxWidth: 40), .init("WHY", maxWidth: 60), .init("REVIEW"),
        ])
        for f in findings {
            t.rows.append([
                .init(f.severity.rawValue, style: f.severity.rawValue), .init(f.rule.rawValue), .init(f.id),
                .init(Self.cell(f.a)), .init(Self.cell(f.b)),
                .init(f.overlaps.joined(separator: "; ")), .init(f.reason), .init(f.review?.status.rawValue ?? ""),
            ])
        }
        return t
    }

    var summary: String {
        let high = findings.filter { $0.severity == .high }.count
        return ReportWords.count(findings.count, "finding") + ", \(high) high"
    }

    package func render(_ format: ReportFormat, wide: Bool) -> String {
        let title = "Conflicts" + (forum.map { " — \($0)" } ?? "")
        switch format {
        case .table, .json:
            return ""  // the CLI prints its established text layout
        case .markdown:
            var lines = ["# \(ReportTable.markdownEscaped(title))", "", "as of \(context.asOf) · \(summary)"]
            if let b = context.basis { lines += ["", "_\(ReportTable.markdownEscaped(b))_"] }
            if !lists.isEmpty { lines += [""] + lists.map { "- list: \(ReportTable.markdownEscaped($0))" } }
            lines += [""] + table.markdown()
            return lines.joined(separator: "\n") + "\n"
        case .csv:
            return table.csv()
        case .html:
            return HTML.page(
                title: title, meta: ["as of \(context.asOf)", summary] + lists.map { "list: \($0)" },
                basis: context.basis,
                body: table.html(), footer: context.footer)
        }
    }
}
