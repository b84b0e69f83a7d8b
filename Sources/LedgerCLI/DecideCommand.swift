import ArgumentParser
import Consensus
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct Decide: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the secretariat's decision on a proposal; refused unless the computed state agrees.")

        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Argument(help: "Proposal id.") var proposal: String
        @Option(help: "The forum secretariat's private key file.", completion: .file()) var key: String
        @Option(
            help: "adopted | blocked | lapsed (default: the computed state).",
            completion: .list(["adopted", "blocked", "lapsed"]))
        var outcome: String?
        @Option(help: "A note for the record.") var note: String?
        @OptionGroup var output: OutputOptions
        @OptionGroup var remote: RemoteWriteOptions

        func run() throws {
            try LedgerCLI.run {
                let clock = logClock()
                let ledger = try Ledger<RulesInUse>(directory: try RemoteLedger.directory(for: dir), clock: clock)
                let state = try ledger.currentState()
                _ = try NameLookup.proposal(proposal, in: state)
                let statement = try ConsensusStatement.decision(
                    in: state, proposal: proposal, outcome: outcome, note: note, at: max(clock(), state.lastTime))
                let a = try ConsensusCLI.append(dir, statement, keyFile: key, ledger: ledger, remote: remote)
                ConsensusCLI.printAppended(
                    a, json: output.json,
                    summary: "decision on \(proposal): \(statement.body["outcome"]?.stringValue ?? "?")")
            }
        }
    }
}
