import ArgumentParser
import LedgerCore

extension LedgerCommand.ControlListGroup {
    /// Runs the control-list benchmark alone (also part of `ledger bench --suite lists`).
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Run the control-list benchmark: EU Annex I import, 10,000-entry diff, 100,000-measure conflict detection.",
            shouldDisplay: false)

        @OptionGroup var output: OutputOptions

        func run() throws {
            try ControlListCLI.run {
                let figures = try controlListBenchmark()
                if output.json {
                    printJSON(.object(["cores": .integer(Int64(cpuCount())), "figures": .array(figures.map(\.json))]))
                    return
                }
                for f in figures {
                    LedgerCLI.out(
                        "\(f.name): \(format2(f.value)) \(f.unit)  (target \(f.target))\(f.met.map { $0 ? "  met" : "  NOT MET" } ?? "")"
                    )
                    if !f.series.isEmpty {
                        LedgerCLI.out(
                            "  series: "
                                + f.series.map { "n=\($0.0): \(format2($0.1)) \(f.unit)" }.joined(separator: ", "))
                    }
                }
            }
        }
    }
}
