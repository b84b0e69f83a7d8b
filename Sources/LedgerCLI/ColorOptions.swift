import ArgumentParser
import Synchronization

/// `--color auto|always|never`, for the commands that colour (the report commands and
/// `verify`; specs/cli.md, "Terminals").
struct ColorOptions: ParsableArguments {
    @Option(
        name: .customLong("color"),
        help: ArgumentHelp(
            "When to colour: auto (a terminal, NO_COLOR unset or empty, TERM not dumb), always or never. "
                + "Machine formats (JSON, CSV, Markdown, HTML) are never coloured.",
            valueName: "when"))
    var color: Terminal.ColorChoice = .auto

    /// Records the choice for ``Terminal``, which every coloured output asks.
    func validate() throws { Terminal.colorChoice.withLock { $0 = color } }
}

extension Terminal.ColorChoice: ExpressibleByArgument {}
