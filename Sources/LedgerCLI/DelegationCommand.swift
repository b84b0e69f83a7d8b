import ArgumentParser
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct Delegation: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register or revoke a party's delegation key in a forum (the forum's secretariat signs).",
            discussion: "Rotation is a register of the new key followed by a revoke of the old one.",
            subcommands: [Register.self, Revoke.self])
    }
}

extension LedgerCommand.Delegation {
    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a delegation key for a party in a forum.")

        @Argument(help: "Ledger directory.", completion: .directory) var dir: String
        @Option(help: "The forum secretariat's private key file.", completion: .file()) var key: String
        @Option(help: "Forum id.") var forum: String
        @Option(help: "Party: ISO 3166-1 alpha-2 code or EU.") var party: String
        @Option(help: "The delegation's vkey.") var vkey: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            try LedgerCLI.run {
                let a = try ConsensusCLI.append(
                    dir, kind: "delegation.register",
                    body: ["forum": .string(forum), "party": .string(party), "vkey": .string(vkey)], keyFile: key)
                ConsensusCLI.printAppended(a, json: output.json, summary: "\(party) delegation registered in \(forum)")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a delegation key; it may sign nothing after this entry.")

        @Argument(help: "Ledger directory.", completion: .directory) var dir: String
        @Option(help: "The forum secretariat's private key file.", completion: .file()) var key: String
        @Option(help: "Forum id.") var forum: String
        @Option(help: "Party: ISO 3166-1 alpha-2 code or EU.") var party: String
        @Option(help: "The delegation vkey to revoke.") var vkey: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            try LedgerCLI.run {
                let a = try ConsensusCLI.append(
                    dir, kind: "delegation.revoke",
                    body: ["forum": .string(forum), "party": .string(party), "vkey": .string(vkey)], keyFile: key)
                ConsensusCLI.printAppended(a, json: output.json, summary: "\(party) delegation key revoked in \(forum)")
            }
        }
    }
}
