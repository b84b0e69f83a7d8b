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
            @Option(help: "Claimed time (RFC 3339; an offset is converted to UTC); default now.") var time: String?
            @Flag(help: "Print JSON (the statement is always printed as one JSON line; accepted for uniformity).")
            var json = false

            func run() throws {
                try LedgerCLI.run {
                    let k = try loadPrivateKey(key)
                    let t = try time.map { try UserTime.parse($0, what: "--time") } ?? logClock()()
                    let s = try Statement.make(
                        kind: kind, body: try parseUserJSON(body, what: "--body"), key: k, time: t)
                    printJSON(s.json)
                }
            }
        }
    }
}
