import ArgumentParser
import Consensus
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct Amend: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Table a new revision of a proposal (proposer only); the ballot starts again.",
            discussion:
                "The file has the measure fields of a proposal file; id, forum and party, if present, must match.")

        @Argument(help: "Ledger directory.", completion: .directory) var dir: String
        @Argument(help: "Proposal id.") var proposal: String
        @Option(help: "The proposer delegation's private key file.", completion: .file()) var key: String
        @Option(help: "Revision file, JSON or YAML.", completion: .file()) var file: String
        @Option(help: "New deadline, RFC 3339 (default: the forum's default period from now).") var deadline: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            try LedgerCLI.run {
                let document = try ConsensusCLI.readDocument(file)
                let ledger = try ConsensusCLI.open(dir)
                let state = try ledger.currentState()
                let statement: ConsensusStatement
                do {
                    statement = try ConsensusStatement.amendment(
                        document, in: state, proposal: proposal, deadline: deadline)
                } catch let e as LedgerError where e.code == .malformed { throw e.prefixed("\(file): ") }
                let a = try ConsensusCLI.append(dir, statement, keyFile: key, ledger: ledger)
                let revisions = state.proposal(proposal)?.revisions.count ?? 0
                ConsensusCLI.printAppended(
                    a, json: output.json,
                    summary: "proposal \(proposal) revision \(revisions + 1) tabled (leaf \(a.leafHash.base64))")
                _ = printConflictWarnings(ledgerDirectory: dir, proposalID: proposal)
            }
        }
    }
}
