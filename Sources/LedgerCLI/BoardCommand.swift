import ArgumentParser
import Consensus
import ControlCodes
import LedgerCore
import LedgerCrypto
import LedgerReports

extension LedgerCommand {
    struct Board: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One row per proposal: state and ballot counts at a glance.")

        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Option(help: "Only this forum.") var forum: String?
        @Option(name: .customLong("as-of"), help: "Entry index or RFC 3339 time (default: now, by the log clock).")
        var asOf: String?
        @OptionGroup var output: ReportOptions
        @OptionGroup var logKey: LogKeyOptions

        func run() throws {
            try LedgerCLI.run {
                let (state, t, basis) = try ConsensusCLI.view(dir, asOf: asOf)
                let forum = try NameLookup.forum(self.forum, in: state)
                let statuses = state.statuses(forum: forum, at: t)
                let format = try output.resolved()
                if format == .json {
                    printJSON(.array(statuses.map(DomainJSON.boardRow)))
                    return
                }
                let context = ReportContext(source: dir, asOf: t, basis: basis.line, command: commandLineForReport())
                let report = BoardReport(context: context, forum: forum, statuses: statuses)
                printReport(report.render(format, wide: output.wide, marking: Terminal.tableMarking(for: format)))
            }
        }
    }
}
