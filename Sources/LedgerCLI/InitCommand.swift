import ArgumentParser
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a ledger directory and its genesis entry. The key's name must equal the origin.")

        @Argument(help: "Directory to create.", completion: .directory) var dir: String
        @Option(help: "The ledger's origin (the log key's name).") var origin: String
        @Option(name: .customLong("operator-key"), help: "The operator's private key file.", completion: .file())
        var operatorKey: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            try LedgerCLI.run {
                let key = try loadPrivateKey(operatorKey)
                guard key.name == origin else {
                    throw LedgerError.malformed(
                        "\(operatorKey): key name \"\(key.name)\" must equal the origin \"\(origin)\"")
                }
                let ledger = try Ledger<RulesInUse>.create(directory: dir, operatorKey: key, clock: logClock())
                if output.json {
                    printJSON([
                        "origin": .string(origin), "vkey": .string(key.verifierKey.description),
                        "size": .integer(ledger.size),
                    ])
                } else {
                    out("created \(dir) for origin \(origin)")
                    out(key.verifierKey.description)
                }
            }
        }
    }
}
