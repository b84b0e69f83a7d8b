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

        @Argument(help: "Ledger directory.") var dir: String
        @Argument(help: "Proposal id.") var proposal: String
        @Option(help: "The proposer delegation's private key file.") var key: String
        @Option(help: "Revision file, JSON or YAML.") var file: String
        @Option(help: "New deadline, RFC 3339 (default: the forum's default period from now).") var deadline: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            try LedgerCLI.run {
                guard case .object(var body) = try ConsensusCLI.readDocument(file) else { return }
                let ledger = try ConsensusCLI.open(dir)
                let state = try ledger.currentState()
                guard let p = state.proposal(proposal) else {
                    throw LedgerError.refused("proposal.amend.proposal: unknown proposal \"\(proposal)\"")
                }
                for (field, expected) in [("id", p.id), ("forum", p.forum), ("party", p.party)] {
                    if let v = body[field] {
                        guard v.stringValue == expected else {
                            throw LedgerError.malformed("\(file): \(field) must be \(expected) (or absent)")
                        }
                        body[field] = nil
                    }
                }
                body["supersedes"] = nil
                body["procedure"] = nil
                body["proposal"] = .string(proposal)
                if let deadline { body["deadline"] = .string(deadline) }
                let a = try ConsensusCLI.append(
                    dir, kind: "proposal.amend", body: .object(body), keyFile: key, ledger: ledger)
                ConsensusCLI.printAppended(
                    a, json: output.json,
                    summary: "proposal \(proposal) revision \(p.revisions.count + 1) tabled (leaf \(a.leafHash.base64))"
                )
                _ = printConflictWarnings(ledgerDirectory: dir, proposalID: proposal)
            }
        }
    }
}
