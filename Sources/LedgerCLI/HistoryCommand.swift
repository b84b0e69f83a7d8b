import ArgumentParser
import Consensus
import LedgerCore
import LedgerCrypto
import LedgerReports

extension LedgerCommand {
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every entry that touched a proposal, in log order.")

        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Argument(help: "Proposal id.") var proposal: String
        @OptionGroup var output: ReportOptions
        @OptionGroup var logKey: LogKeyOptions

        func run() throws {
            try LedgerCLI.run {
                let format = try output.resolved()
                let clock = logClock()
                let ledger = try Ledger<RulesInUse>(directory: try RemoteLedger.directory(for: dir), clock: clock)
                let basis = try ledger.viewBasis()
                let (state, t) = try ledger.negotiationState(asOf: .latest, now: clock())
                let p = try NameLookup.proposal(proposal, in: state)
                var events = [ProposalEvent]()
                for i in p.entryIndices { events.append(state.historyEvent(of: p, entry: try ledger.entry(Int64(i)))) }
                switch format {
                case .json:
                    printJSON(.array(events.map(\.json)))
                case .table:
                    out(basis.line)
                    for e in events {
                        out(
                            TextWidth.pad(String(e.index), to: 7) + " \(e.time)  " + TextWidth.pad(e.party, to: 12)
                                + " " + TextWidth.printable(e.summary))
                    }
                case .markdown, .csv, .html:
                    let context = ReportContext(
                        source: dir, asOf: t, basis: basis.line, command: commandLineForReport())
                    printReport(
                        HistoryReport(context: context, proposal: p, events: events).render(format, wide: output.wide))
                }
            }
        }
    }
}
