import ArgumentParser
import Consensus
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct Propose: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Table a proposal from a JSON or YAML file (schema: specs/consensus.md §Proposal file).",
            discussion: "forum and party default to the delegation the key is registered for.")

        @Argument(help: "Ledger directory.") var dir: String
        @Option(help: "The proposing delegation's private key file.") var key: String
        @Option(help: "Proposal file, JSON or YAML (.yaml/.yml).") var file: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            try LedgerCLI.run {
                guard case .object(var body) = try ConsensusCLI.readDocument(file) else {
                    throw LedgerError.malformed("\(file): a proposal must be an object (a JSON object or a YAML mapping)")
                }
                let ledger = try ConsensusCLI.open(dir)
                let state = try ledger.currentState()
                if let d = try ConsensusCLI.delegation(of: key, in: state) {
                    if body["forum"] == nil { body["forum"] = .string(d.forum) }
                    if body["party"] == nil { body["party"] = .string(d.party) }
                }
                let a = try ConsensusCLI.append(
                    dir, kind: "proposal", body: .object(body), keyFile: key, ledger: ledger)
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
