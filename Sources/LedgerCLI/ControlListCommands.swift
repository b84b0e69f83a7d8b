import ArgumentParser

extension LedgerCommand {
    /// Subcommands of control-list intelligence (issue 4).
    static let controlListSubcommands: [any ParsableCommand.Type] = [
        ControlListGroup.self, Conflicts.self, ReviewFinding.self,
    ]
}
