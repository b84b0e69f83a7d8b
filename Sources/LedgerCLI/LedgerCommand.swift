import ArgumentParser
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
        subcommands: coreSubcommands + consensusSubcommands + controlListSubcommands
    )

    static let coreSubcommands: [any ParsableCommand.Type] = [
        Key.self, Init.self, Append.self, StatementCommand.self, Log.self, EntryCommand.self,
        CheckpointCommand.self, Cosign.self, Proof.self, Verify.self, Bench.self, DevVectors.self,
    ]
}
