import ArgumentParser
import Consensus
import ControlCodes
import ControlLists
import LedgerCore
import LedgerReports

extension LedgerCommand {
    struct Conflicts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find duplicate and conflicting measures across every forum of a ledger.",
            discussion: """
                Rules: duplicate, incompatible-measures, threshold-mismatch, exemption-conflict. Each finding cites both \
                proposals (forum, id, revision, ledger entry), the overlapping codes, the reason, a severity and a stable id; \
                mark it with `ledger review-finding`. Findings are not failures: the exit status is 0.
                """)

        @Argument(help: "Ledger directory.", completion: .directory) var dir: String
        @Option(help: "Only findings that involve this forum.") var forum: String?
        @OptionGroup var output: ReportOptions

        func run() throws {
            try ControlListCLI.run {
                let format = try output.resolved()
                let ledger = try ConsensusCLI.open(dir)
                let basis = try ledger.viewBasis()
                let state = try ledger.currentState()
                let forum = try NameLookup.forum(self.forum, in: state)
                let found = try ControlListCLI.findings(in: state, forum: forum)
                switch format {
                case .json:
                    printJSON(.array(found.map(\.json)))
                    return
                case .markdown, .csv, .html:
                    let context = ReportContext(source: dir, asOf: logClock()(), basis: basis.line, command: commandLineForReport())
                    printReport(FindingsReport(context: context, forum: forum, findings: found).render(format, wide: output.wide))
                    return
                case .table:
                    LedgerCLI.out(basis.line)
                }
                if found.isEmpty {
                    LedgerCLI.out("no findings")
                    return
                }
                for f in found {
                    LedgerCLI.out(
                        "\(f.severity.rawValue.uppercased()) \(f.rule.rawValue)  \(f.id)\(f.review.map { "  [\($0.status.rawValue)]" } ?? "")"
                    )
                    LedgerCLI.out("  A: \(f.a.label)  \(f.a.kind.rawValue)  \(f.a.title)")
                    LedgerCLI.out("  B: \(f.b.label)  \(f.b.kind.rawValue)  \(f.b.title)")
                    LedgerCLI.out("  items: \(f.overlaps.joined(separator: "; "))")
                    if !f.destinations.isEmpty {
                        LedgerCLI.out("  destinations: \(f.destinations.joined(separator: ", "))")
                    }
                    LedgerCLI.out("  why: \(f.reason)")
                }
                let high = found.filter { $0.severity == .high }.count
                LedgerCLI.out("\(ReportWords.count(found.count, "finding")), \(high) high")
            }
        }
    }
}
