import ArgumentParser
import Consensus
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct Position: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a position on the current revision of a proposal.",
            discussion: """
                Stances: support, no-objection, object (blocking; --reason required), abstain, \
                reserve (pending; --reason required), recuse. A later position by the same party \
                replaces the earlier one.
                """)

        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Argument(help: "Proposal id.") var proposal: String
        @Option(help: "The delegation's private key file.", completion: .file()) var key: String
        @Option(help: "Party (default: the party the key is registered for).") var party: String?
        @Option(
            help: "support | no-objection | object | abstain | reserve | recuse",
            completion: .list(Stance.allCases.map(\.rawValue)))
        var stance: String
        @Option(help: "Reason (required for object and reserve).") var reason: String?
        @Option(help: "Entry index of the revision (default: the current revision).") var revision: UInt64?
        @OptionGroup var output: OutputOptions
        @OptionGroup var remote: RemoteWriteOptions

        func validate() throws {
            guard let s = Stance(rawValue: stance) else {
                throw ValidationError(
                    "--stance must be one of \(Stance.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if s.requiresReason && (reason ?? "").isEmpty {
                throw ValidationError("--reason is required with --stance \(stance)")
            }
        }

        func run() throws {
            try LedgerCLI.run {
                let ledger = try ConsensusCLI.open(dir)
                let state = try ledger.currentState()
                let p = try NameLookup.proposal(proposal, in: state)
                try NameLookup.party(party, forum: state.forum(p.forum))
                let signer = try loadPrivateKey(key).verifierKey
                try KeyArguments.requireDelegationKey(signer, file: key, in: state)
                let statement = try ConsensusStatement.position(
                    in: state, proposal: proposal, party: party,
                    signer: signer, stance: Stance(rawValue: stance)!, reason: reason,
                    revision: revision,
                    leafHash: { i in Int64(exactly: i).flatMap { $0 < ledger.size ? ledger.store.leafHash($0) : nil } })
                let a = try ConsensusCLI.append(dir, statement, keyFile: key, ledger: ledger, remote: remote)
                let after = try ledger.currentState().status(of: proposal)
                let party = statement.body["party"]?.stringValue ?? "?"
                ConsensusCLI.printAppended(
                    a, json: output.json,
                    summary: "\(party) \(stance) on \(proposal); proposal is \(after?.state.rawValue ?? "?")")
            }
        }
    }
}
