import ArgumentParser
import Consensus
import ControlCodes
import ControlLists
import LedgerCore
import LedgerReports

extension LedgerCommand.ControlListGroup {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Compare N jurisdictions' lists in one table: who controls each item group, and where they differ.",
            discussion: """
                The first list is the reference; every other is read against it through shared numbering and the \
                correlation tables. Each row is an item group with one column per list (its codes, marked with a \
                not-equal sign where thresholds differ from the reference and ? where they overlap but are not \
                compared; a dash where the list does not control the group) and its verdicts. Rows that only the \
                reference controls are counted, not listed, unless --all.
                """)

        @Argument(help: "Two or more list files; the first is the reference.", completion: .file()) var files: [String]
        @Option(help: "An extra correlation file (repeatable).", completion: .file()) var correlations: [String] = []
        @Option(help: "A ledger directory whose list.publish entries anchor the lists.", completion: .directory)
        var ledger: String?
        @Flag(help: "Also list the item groups only the reference controls.") var all = false
        @OptionGroup var output: ReportOptions
        @OptionGroup var logKey: LogKeyOptions

        func validate() throws { try logKey.requireLedger(ledger) }

        func run() throws {
            try ControlListCLI.run {
                let format = try output.resolved()
                guard files.count >= 2 else {
                    throw ControlListError.malformed("list compare needs two lists or more (got \(files.count))")
                }
                let lists = try files.map { try ControlListImporter.importFile($0) }
                let state = try ledger.map { try ConsensusCLI.open($0).currentState() }
                let table = try ControlListCLI.correlations(extra: correlations)
                let c = ListComparison(
                    lists, correlations: table,
                    ledgerIndexes: lists.map { ControlListCLI.publishedIndex(state, sha256Hex: $0.sourceSHA256) })
                if format == .json {
                    printJSON(c.json)
                    return
                }
                printReport(
                    ListComparisonReport(c, all: all, command: commandLineForReport()).render(format, wide: output.wide)
                )
            }
        }
    }
}
