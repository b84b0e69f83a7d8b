import ArgumentParser

extension LedgerCommand {
    /// Subcommands of the consensus engine (issue 3).
    static let consensusSubcommands: [any ParsableCommand.Type] = []
}
