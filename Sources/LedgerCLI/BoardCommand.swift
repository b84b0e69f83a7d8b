import ArgumentParser
import Consensus
import ControlCodes
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct Board: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One row per proposal: state and ballot counts at a glance.")

        @Argument(help: "Ledger directory.") var dir: String
        @Option(help: "Only this forum.") var forum: String?
        @Option(name: .customLong("as-of"), help: "Entry index or RFC 3339 time (default: now, by the log clock).")
        var asOf: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            try LedgerCLI.run {
                let (state, t) = try ConsensusCLI.state(dir, asOf: asOf)
                if let forum, state.forum(forum) == nil {
                    throw LedgerError.notFound("--forum: no charter for \"\(forum)\"")
                }
                let statuses = state.statuses(forum: forum, at: t)
                if output.json {
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
                out("as of \(t)  (\(statuses.count) proposals)")
                out(
                    ConsensusCLI.pad("FORUM", 6) + ConsensusCLI.pad("PROPOSAL", 22) + ConsensusCLI.pad("BY", 4)
                        + ConsensusCLI.pad("REV", 4)
                        + ConsensusCLI.pad("STATE", 33) + "SUP NOB OBJ ABS RES REC  ?  TITLE")
                for st in statuses {
                    let c = st.counts
                    let n = { (s: Stance) in ConsensusCLI.pad(String(c[s]), 4) }
                    out(
                        ConsensusCLI.pad(st.proposal.forum, 6) + ConsensusCLI.pad(st.proposal.id, 22)
                            + ConsensusCLI.pad(st.proposal.party, 4)
                            + ConsensusCLI.pad(String(st.proposal.current.number), 4)
                            + ConsensusCLI.pad(ConsensusCLI.stateLabel(st), 33)
                            + n(.support) + n(.noObjection) + n(.object) + n(.abstain) + n(.reserve) + n(.recuse)
                            + ConsensusCLI.pad(String(c.notSpoken), 3)
                            + ConsensusCLI.pad(st.proposal.measure.title, 48))
                }
            }
        }
    }
}
