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

        @Argument(help: "Ledger directory.") var dir: String
        @Argument(help: "Proposal id.") var proposal: String
        @Option(help: "The delegation's private key file.") var key: String
        @Option(help: "Party (default: the party the key is registered for).") var party: String?
        @Option(help: "support | no-objection | object | abstain | reserve | recuse") var stance: String
        @Option(help: "Reason (required for object and reserve).") var reason: String?
        @Option(help: "Entry index of the revision (default: the current revision).") var revision: UInt64?
        @OptionGroup var output: OutputOptions

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
                guard let p = state.proposal(proposal) else {
                    throw LedgerError.refused("position.proposal: unknown proposal \"\(proposal)\"")
                }
                let index = revision ?? p.current.entryIndex
                guard let i = Int64(exactly: index), i < ledger.size else {
                    throw LedgerError.notFound("--revision: entry \(index) does not exist")
                }
                let hash = ledger.store.leafHash(i)
                guard let party = try party ?? ConsensusCLI.delegation(of: key, in: state)?.party else {
                    throw LedgerError.malformed("--party: the key is not a registered delegation; name the party")
                }
                var body: [String: JSONValue] = [
                    "proposal": .string(proposal), "revision": .integer(i),
                    "revisionHash": .string(hash.base64),
                    "party": .string(party), "stance": .string(stance),
                ]
                if let reason { body["reason"] = .string(reason) }
                let a = try ConsensusCLI.append(
                    dir, kind: "position", body: .object(body), keyFile: key, ledger: ledger)
                let after = try ledger.currentState().status(of: proposal)
                ConsensusCLI.printAppended(
                    a, json: output.json,
                    summary: "\(party) \(stance) on \(proposal); proposal is \(after?.state.rawValue ?? "?")")
            }
        }
    }
}
