import ArgumentParser
import Consensus
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct Delegation: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register or revoke a party's delegation key in a forum (the forum's secretariat signs).",
            discussion: "Rotation is a register of the new key followed by a revoke of the old one.",
            subcommands: [Register.self, Revoke.self])

        /// The ledger and the chartered id that `forum` means; a `party` that is no party code is
        /// refused with the nearest party of the forum.
        static func open(_ dir: String, forum: String, party: String) throws -> (Ledger<RulesInUse>, String) {
            let ledger = try ConsensusCLI.open(dir)
            let state = try ledger.currentState()
            let id = try NameLookup.forum(forum, in: state)
            try NameLookup.party(party, forum: state.forum(id))
            return (ledger, id)
        }
    }
}

extension LedgerCommand.Delegation {
    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a delegation key for a party in a forum.")

        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Option(help: "The forum secretariat's private key file.", completion: .file()) var key: String
        @Option(help: "Forum id.") var forum: String
        @Option(help: "Party: ISO 3166-1 alpha-2 code or EU.") var party: String
        @Option(help: "The delegation's vkey.") var vkey: String
        @OptionGroup var output: OutputOptions
        @OptionGroup var remote: RemoteWriteOptions

        func run() throws {
            try LedgerCLI.run {
                let (ledger, forum) = try LedgerCommand.Delegation.open(dir, forum: self.forum, party: party)
                let a = try ConsensusCLI.append(
                    dir, kind: "delegation.register",
                    body: [
                        "forum": .string(forum), "party": .string(party), "vkey": .string(try KeyArguments.vkey(vkey)),
                    ],
                    keyFile: key, ledger: ledger, remote: remote)
                ConsensusCLI.printAppended(a, json: output.json, summary: "\(party) delegation registered in \(forum)")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a delegation key; it may sign nothing after this entry.")

        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Option(help: "The forum secretariat's private key file.", completion: .file()) var key: String
        @Option(help: "Forum id.") var forum: String
        @Option(help: "Party: ISO 3166-1 alpha-2 code or EU.") var party: String
        @Option(help: "The delegation vkey to revoke.") var vkey: String
        @OptionGroup var output: OutputOptions
        @OptionGroup var remote: RemoteWriteOptions

        func run() throws {
            try LedgerCLI.run {
                let (ledger, forum) = try LedgerCommand.Delegation.open(dir, forum: self.forum, party: party)
                let a = try ConsensusCLI.append(
                    dir, kind: "delegation.revoke",
                    body: [
                        "forum": .string(forum), "party": .string(party), "vkey": .string(try KeyArguments.vkey(vkey)),
                    ],
                    keyFile: key, ledger: ledger, remote: remote)
                ConsensusCLI.printAppended(a, json: output.json, summary: "\(party) delegation key revoked in \(forum)")
            }
        }
    }
}
