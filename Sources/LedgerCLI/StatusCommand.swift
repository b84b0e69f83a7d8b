import ArgumentParser
import Consensus
import ControlCodes
import LedgerCore
import LedgerCrypto
import LedgerReports

extension LedgerCommand {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a proposal's state, revision and the parties in each stance, including who has not spoken.",
            discussion: "Without PROPOSAL, shows every proposal. --as-of takes an entry index or an RFC 3339 time.")

        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Argument(help: "Proposal id.") var proposal: String?
        @Option(name: .customLong("as-of"), help: "Entry index or RFC 3339 time (default: now, by the log clock).")
        var asOf: String?
        @OptionGroup var output: ReportOptions
        @OptionGroup var logKey: LogKeyOptions

        func run() throws {
            try LedgerCLI.run {
                let (state, t, basis) = try ConsensusCLI.view(dir, asOf: asOf)
                let statuses =
                    try proposal.map { [try ConsensusCLI.status(state, $0, at: t, dir: dir, asOf: asOf)] }
                    ?? state.statuses(at: t)
                let format = try output.resolved()
                switch format {
                case .json:
                    printJSON(proposal == nil ? .array(statuses.map(\.json)) : statuses[0].json)
                    return
                case .markdown, .csv, .html:
                    let context = ReportContext(
                        source: dir, asOf: t, basis: basis.line, command: commandLineForReport())
                    printReport(StatusReport(context: context, statuses: statuses).render(format, wide: output.wide))
                    return
                case .table:
                    out(basis.line)
                    out("")
                }
                for (i, st) in statuses.enumerated() {
                    if i > 0 { out("") }
                    Status.print(st)
                }
            }
        }

        static func print(_ st: ProposalStatus) {
            let p = st.proposal
            let rev = p.current
            out("\(p.id)  [\(p.forum)]  \(rev.measure.title)")
            out(
                "  proposer:     \(p.party)    type: \(rev.measure.kind.rawValue)    "
                    + "procedure: \(p.procedure.rawValue)    rule: \(st.rule)"
            )
            out("  state:        \(ReportWords.stateLabel(st))    as of \(st.asOf)")
            out(
                "  revision:     \(rev.number) of \(p.revisions.count), entry \(rev.entryIndex) (leaf "
                    + "\(rev.leafHash.base64)), tabled \(rev.time), deadline \(rev.deadline)"
            )
            if !rev.measure.items.isEmpty {
                let items = rev.measure.items.map { "\($0.scheme.rawValue) \($0.text)" }
                out("  items:        " + items.joined(separator: ", "))
            }
            for param in rev.measure.parameters {
                out("  parameter:    \(param.term) \(param.comparator.rawValue) \(param.value) \(param.unit)")
            }
            if !rev.measure.destinations.isEmpty {
                out("  to:           " + rev.measure.destinations.joined(separator: " "))
            }
            if let a = rev.measure.charterAmendment {
                out(
                    "  amendment:    accede \(a.accede.joined(separator: " ")) withdraw "
                        + "\(a.withdraw.joined(separator: " "))"
                )
            }
            for stance in Stance.allCases {
                let rows = st.ballot.filter { $0.position?.stance == stance }
                guard !rows.isEmpty else { continue }
                let withReasons = rows.map { row -> String in
                    guard let r = row.position?.reason, !r.isEmpty else { return row.party }
                    return "\(row.party) (\"\(r)\")"
                }
                out("  " + TextWidth.pad(stance.rawValue + ":", to: 14) + withReasons.joined(separator: ", "))
            }
            out(
                "  " + TextWidth.pad("not spoken:", to: 14)
                    + (st.notSpoken.isEmpty ? "—" : st.notSpoken.joined(separator: " ")))
            for d in p.decisions {
                out(
                    "  decision:     \(d.outcome.rawValue) (revision \(d.revisionNumber)) at entry \(d.entryIndex), "
                        + "\(d.time)"
                )
            }
            if let s = p.supersedes { out("  supersedes:   \(s)") }
            if let s = p.supersededBy { out("  superseded by: \(s)") }
        }
    }
}
