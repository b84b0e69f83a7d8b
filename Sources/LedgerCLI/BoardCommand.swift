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

        @Argument(help: "Ledger directory.", completion: .directory) var dir: String
        @Option(help: "Only this forum.") var forum: String?
        @Option(name: .customLong("as-of"), help: "Entry index or RFC 3339 time (default: now, by the log clock).")
        var asOf: String?
        @OptionGroup var output: ReportOptions

        func run() throws {
            try LedgerCLI.run {
                let (state, t, basis) = try ConsensusCLI.view(dir, asOf: asOf)
                let forum = try NameLookup.forum(self.forum, in: state)
                let statuses = state.statuses(forum: forum, at: t)
                let format = try output.resolved()
                if format == .json {
                    printJSON(
                        .array(
                            statuses.map { st in
                                let c = st.counts
                                var counts: [String: JSONValue] = [:]
                                for s in Stance.allCases { counts[s.rawValue] = .integer(Int64(c[s])) }
                                counts["not-spoken"] = .integer(Int64(c.notSpoken))
                                return [
                                    "forum": .string(st.proposal.forum), "id": .string(st.proposal.id),
                                    "party": .string(st.proposal.party),
                                    "revision": .integer(Int64(st.proposal.current.number)),
                                    "state": .string(st.state.rawValue),
                                    "blockedBy": .array(st.objectingParties.map { .string($0) }),
                                    "deadline": .string(st.proposal.current.deadline.rfc3339),
                                    "counts": .object(counts),
                                    "title": .string(st.proposal.measure.title),
                                ]
                            }))
                    return
                }
                let context = ReportContext(source: dir, asOf: t, basis: basis.line, command: commandLineForReport())
                let report = BoardReport(context: context, forum: forum, statuses: statuses)
                printReport(report.render(format, wide: output.wide, marking: Terminal.tableMarking(for: format)))
            }
        }
    }
}
