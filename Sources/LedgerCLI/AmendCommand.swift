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

        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Argument(help: "Proposal id.") var proposal: String
        @Option(help: "The proposer delegation's private key file.", completion: .file()) var key: String
        @Option(help: "Revision file, JSON or YAML.", completion: .file()) var file: String
        @Option(help: "New deadline: RFC 3339 (any offset) or a date, meaning 00:00:00Z (default: the forum's period).")
        var deadline: String?
        @OptionGroup var output: OutputOptions
        @OptionGroup var remote: RemoteWriteOptions

        func run() throws {
            try LedgerCLI.run {
                var document = try ProposalDocument.read(file)
                let ledger = try ConsensusCLI.open(dir)
                let state = try ledger.currentState()
                _ = try NameLookup.proposal(proposal, in: state)
                try KeyArguments.requireDelegationKey(try loadPrivateKey(key).verifierKey, file: key, in: state)
                try document.resolveForum(in: state)
                let deadline = try self.deadline.map { try UserTime.parse($0, what: "--deadline").rfc3339 }
                let statement: ConsensusStatement
                do {
                    statement = try ConsensusStatement.amendment(
                        document.value, in: state, proposal: proposal, deadline: deadline)
                } catch let e as LedgerError where e.code == .malformed { throw e.prefixed("\(file): ") }
                let a: Ledger<RulesInUse>.Appended
                do {
                    a = try ConsensusCLI.append(dir, statement, keyFile: key, ledger: ledger, remote: remote)
                } catch let e as LedgerError {
                    throw document.located(e, kind: statement.kind, fields: NegotiationRules.amendFieldNames)
                }
                let revisions = state.proposal(proposal)?.revisions.count ?? 0
                ConsensusCLI.printAppended(
                    a, json: output.json,
                    summary: "proposal \(proposal) revision \(revisions + 1) tabled (leaf \(a.leafHash.base64))")
                _ = printConflictWarnings(ledgerDirectory: dir, proposalID: proposal)
            }
        }
    }
}
