import ArgumentParser

extension LedgerCommand {
    /// Subcommands of the consensus engine (issue 3).
    static let consensusSubcommands: [any ParsableCommand.Type] = [
        Forum.self, Secretariat.self, Delegation.self, Propose.self, Amend.self, Withdraw.self, Position.self,
        Decide.self,
        Status.self, Board.self, History.self,
    ]
}
