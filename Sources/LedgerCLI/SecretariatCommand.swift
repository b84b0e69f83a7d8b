import ArgumentParser
import Consensus
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct Secretariat: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a forum's secretariat key (operator only).", subcommands: [Register.self])
    }
}

extension LedgerCommand.Secretariat {
    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register the secretariat key of a chartered forum.")

        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Option(help: "The operator's private key file.", completion: .file()) var key: String
        @Option(help: "Forum id.") var forum: String
        @Option(help: "The secretariat's vkey.") var vkey: String
        @OptionGroup var output: OutputOptions
        @OptionGroup var remote: RemoteWriteOptions

        func run() throws {
            try LedgerCLI.run {
                let ledger = try ConsensusCLI.open(dir)
                let forum = try NameLookup.forum(self.forum, in: try ledger.currentState())
                let a = try ConsensusCLI.append(
                    dir, kind: "secretariat.register",
                    body: ["forum": .string(forum), "vkey": .string(try KeyArguments.vkey(vkey))], keyFile: key,
                    ledger: ledger, remote: remote)
                ConsensusCLI.printAppended(a, json: output.json, summary: "\(forum) secretariat registered")
            }
        }
    }
}
