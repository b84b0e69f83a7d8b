import ArgumentParser

extension LedgerCommand {
    /// `ledger list`: import, show, diff and publish control lists (issue 4).
    struct ControlListGroup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Import, show, diff and publish export-control lists (specs/control-list-format.md).",
            subcommands: [Import.self, Show.self, Diff.self, Compare.self, Publish.self])
    }
}
