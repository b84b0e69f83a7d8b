import ArgumentParser
import LedgerCore
import LedgerReports

/// `--format table|json|markdown|csv|html`, `--json` (the same as `--format json`),
/// `--wide` and `--color`, for the views that people circulate (specs/cli.md, "Reports").
struct ReportOptions: ParsableArguments {
    @Option(
        help: "Output format: table, json, markdown, csv or html (a self-contained printable page).",
        completion: .list(ReportFormat.allCases.map(\.rawValue)))
    var format: String?
    @Flag(name: .long, help: "Print machine-readable JSON (the same as --format json).")
    var json = false
    @Flag(name: .long, help: "Show full titles and reasons in table format instead of cutting them short.")
    var wide = false
    @OptionGroup var colorOptions: ColorOptions

    /// The chosen format; `--json` with another `--format` is refused.
    func resolved() throws -> ReportFormat {
        guard let format else { return json ? .json : .table }
        guard let f = ReportFormat(rawValue: format) else {
            throw LedgerError.malformed(
                "--format: \"\(format)\" is not a format (table, json, markdown, csv, html)")
        }
        if json, f != .json {
            throw LedgerError.malformed("--json and --format \(format) disagree: choose one")
        }
        return f
    }
}

/// Prints a rendered report exactly (it carries its own line ends).
func printReport(_ text: String) {
    out(text, terminator: "")
}

/// The command line as run, for a report's footer.
func commandLineForReport() -> String {
    (["ledger"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
}
