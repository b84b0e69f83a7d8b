import ArgumentParser
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct StatementCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "statement", abstract: "Sign statements offline.", subcommands: [Sign.self])

        struct Sign: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print a signed statement (one canonical JSON line) for `ledger append --signed`.")
            @Option(help: "Private key file.", completion: .file()) var key: String
            @Option(help: "Statement kind.") var kind: String
            @Option(help: "Statement body, a JSON object.") var body: String
            @Option(help: "Claimed time (RFC 3339 UTC); default now.") var time: String?

            func run() throws {
                try LedgerCLI.run {
                    let k = try loadPrivateKey(key)
                    var t = logClock()()
                    if let time {
                        guard let parsed = Timestamp(rfc3339: time) else { throw LedgerError.malformed("--time must be YYYY-MM-DDTHH:MM:SSZ") }
                        t = parsed
                    }
                    let s = try Statement.make(kind: kind, body: try parseUserJSON(body, what: "--body"), key: k, time: t)
                    printJSON(s.json)
                }
            }
        }
    }
}
