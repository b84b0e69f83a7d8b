import ArgumentParser
import Consensus
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct Withdraw: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraw a proposal (proposer only).")

        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Argument(help: "Proposal id.") var proposal: String
        @Option(help: "The proposer delegation's private key file.", completion: .file()) var key: String
        @Option(help: "Why.") var reason: String?
        @OptionGroup var output: OutputOptions
        @OptionGroup var remote: RemoteWriteOptions

        func run() throws {
            try LedgerCLI.run {
                let ledger = try ConsensusCLI.open(dir)
                let state = try ledger.currentState()
                _ = try NameLookup.proposal(proposal, in: state)
                try KeyArguments.requireDelegationKey(try loadPrivateKey(key).verifierKey, file: key, in: state)
                let a = try ConsensusCLI.append(
                    dir, ConsensusStatement.withdrawal(proposal: proposal, reason: reason), keyFile: key,
                    ledger: ledger, remote: remote)
                ConsensusCLI.printAppended(a, json: output.json, summary: "proposal \(proposal) withdrawn")
            }
        }
    }
}
