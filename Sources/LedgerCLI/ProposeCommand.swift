import ArgumentParser
import Consensus
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct Propose: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Table a proposal from a JSON or YAML file (schema: specs/consensus.md, Proposal file).",
            discussion: "forum and party default to the delegation the key is registered for.")

        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Option(help: "The proposing delegation's private key file.", completion: .file()) var key: String
        @Option(help: "Proposal file, JSON or YAML (.yaml/.yml).", completion: .file()) var file: String
        @OptionGroup var output: OutputOptions
        @OptionGroup var remote: RemoteWriteOptions

        func run() throws {
            try LedgerCLI.run {
                var document = try ProposalDocument.read(file)
                let ledger = try ConsensusCLI.open(dir)
                let state = try ledger.currentState()
                let signer = try loadPrivateKey(key).verifierKey
                try KeyArguments.requireDelegationKey(signer, file: key, in: state)
                try document.resolveForum(in: state)
                let statement: ConsensusStatement
                do {
                    statement = try ConsensusStatement.proposal(document.value, in: state, signer: signer)
                } catch let e as LedgerError where e.code == .malformed { throw e.prefixed("\(file): ") }
                let body = statement.body
                let a: Ledger<RulesInUse>.Appended
                do {
                    a = try ConsensusCLI.append(dir, statement, keyFile: key, ledger: ledger, remote: remote)
                } catch let e as LedgerError {
                    throw document.located(e, kind: statement.kind, fields: NegotiationRules.proposalFieldNames)
                }
                ConsensusCLI.printAppended(
                    a, json: output.json,
                    summary: "proposal \(body["id"]?.stringValue ?? "?") tabled (revision 1, leaf \(a.leafHash.base64))"
                )
                // Duplicate and conflict detection: warnings on stderr, never blocking.
                if let id = body["id"]?.stringValue { _ = printConflictWarnings(ledgerDirectory: dir, proposalID: id) }
            }
        }
    }
}
