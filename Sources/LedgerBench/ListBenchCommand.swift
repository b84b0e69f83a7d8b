import ArgumentParser

extension LedgerBenchCommand.ListGroup {
    /// `ledger-bench list bench`: the control-list benchmark alone (also part of
    /// `ledger-bench bench --suite lists`).
    struct ListBench: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench",
            abstract: """
                Run the control-list benchmark: EU Annex I import, 10,000-entry diff, 100,000-measure \
                conflict detection.
                """
        )

        @OptionGroup var output: BenchOutputOptions

        func run() throws {
            try LedgerBenchCommand.reportingErrors {
                let figures = try controlListBenchmark(progress: BenchProgress())
                if output.json {
                    BenchOutput.printJSON(figures)
                    return
                }
                var text = ""
                for f in figures {
                    text += "\(f.name): \(format2(f.value)) \(f.unit)  (target \(f.target))\(f.metSuffix)\n"
                    if !f.series.isEmpty {
                        text +=
                            "  series: "
                            + f.series.map { "n=\($0.0): \(format2($0.1)) \(f.unit)" }.joined(separator: ", ")
                        text += "\n"
                    }
                }
                BenchOutput.stdout(text)
            }
        }
    }
}
