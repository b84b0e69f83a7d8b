import ControlCodes
import Consensus
import ControlLists

/// The `conflicts` view: duplicate and conflicting measures across forums.
package struct FindingsReport: Sendable {
    package var context: ReportContext
    package var forum: String?
    package var findings: [Finding]

    package init(context: ReportContext, forum: String?, findings: [Finding]) {
        self.context = context
        self.forum = forum
        self.findings = findings
    }

    package var table: ReportTable {
        var t = ReportTable(columns: [
            .init("SEVERITY"), .init("RULE"), .init("ID"), .init("A", maxWidth: 40), .init("B", maxWidth: 40),
            .init("ITEMS", maxWidth: 40), .init("WHY", maxWidth: 60), .init("REVIEW"),
        ])
        for f in findings {
            t.rows.append([
                .init(f.severity.rawValue, style: f.severity.rawValue), .init(f.rule.rawValue), .init(f.id),
                .init("\(f.a.label) \(f.a.kind.rawValue): \(f.a.title)"),
                .init("\(f.b.label) \(f.b.kind.rawValue): \(f.b.title)"),
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
            lines += [""] + table.markdown()
            return lines.joined(separator: "\n") + "\n"
        case .csv:
            return table.csv()
        case .html:
            return HTML.page(
                title: title, meta: ["as of \(context.asOf)", summary], basis: context.basis,
                body: table.html(), footer: context.footer)
        }
    }
}
