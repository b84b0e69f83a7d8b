import ArgumentParser
import Foundation
import LedgerCore
import LedgerCrypto

/// The `ledger` command: a thin shell that parses arguments, calls the libraries and prints.
///
/// Exit codes: 0 OK; 1 verification failed or the entry was refused; 2 bad usage or
/// malformed input (specs/cli.md).
@main
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Minilateral Ledger: a signed, hash-chained, Merkle-proven record of minilateral negotiations.",
        version: LedgerCommand.version,
        subcommands: coreSubcommands + consensusSubcommands + controlListSubcommands
    )

    /// Parses and runs, mapping argument-parser usage errors (EX_USAGE, 64) to our
    /// documented exit status 2.
    static func main() async {
        // `CommandLine.arguments` replaces invalid UTF-8 with U+FFFD, which would then be
        // signed; the raw arguments are checked first.
        for i in 1..<Int(CommandLine.argc) {
            guard let p = CommandLine.unsafeArgv[i] else { continue }
            let raw = UnsafeRawBufferPointer(start: p, count: strlen(p))
            if let (_, offset) = StrictUTF8.firstError(raw) {
                printError("argument \(i): byte \(offset): invalid UTF-8")
                Foundation.exit(Exit.usage)
            }
        }
        do {
            var command = try parseAsRoot()
            // Every command of ours checks LEDGER_NOW before it runs; ArgumentParser's own (help,
            // `help SUBCOMMAND`) need no clock.
            if String(reflecting: type(of: command)).hasPrefix("LedgerCLI.") { checkLedgerNow() }
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code != .success && code.rawValue == 64 {
                let (message, hint) = UsageErrors.lines(for: error, arguments: Array(CommandLine.arguments.dropFirst()))
                printError(message)
                printStderr(hint + "\n")
                Foundation.exit(Exit.usage)
            }
            exit(withError: error)
        }
    }

    /// The version `ledger --version` prints.
    static let version = "0.11.0"

    static let coreSubcommands: [any ParsableCommand.Type] = [
        Key.self, Init.self, Append.self, StatementCommand.self, Log.self, EntryCommand.self,
        CheckpointCommand.self, Cosign.self, Proof.self, Verify.self, Repair.self, Serve.self, ReceiptCommand.self,
        Sync.self, Watch.self,
    ]
}
