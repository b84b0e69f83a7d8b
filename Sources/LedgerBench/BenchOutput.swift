import ArgumentParser
import Foundation
import LedgerCore

/// Where `ledger-bench` writes: figures (text or `--json`) on stdout, everything else
/// (phases, progress, warnings, errors) on stderr, so that `--json` output is only JSON.
enum BenchOutput {
    static func stdout(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
    static func stderr(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    /// `ledger-bench: error: <message>` on one line.
    static func error(_ message: String) { stderr("ledger-bench: error: " + oneLine(message) + "\n") }

    /// `ledger-bench: warning: <message>` on one line.
    static func warning(_ message: String) { stderr("ledger-bench: warning: " + oneLine(message) + "\n") }

    private static func oneLine(_ s: String) -> String {
        s.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// The figures as one line of canonical JSON: `cores`, then `extra` (for example the
    /// Ed25519 backend), then `figures`.
    static func printJSON(_ figures: [BenchFigure], extra: [String: JSONValue] = [:]) {
        var o = extra
        o["cores"] = .integer(Int64(BenchSystem.cpuCount()))
        o["figures"] = .array(figures.map(\.json))
        stdout(JSONValue.object(o).canonicalString + "\n")
    }
}

/// Options shared by the benchmark commands.
struct BenchOutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the figures as JSON on stdout (progress stays on stderr).")
    var json = false
}

/// One benchmark figure: an absolute value, and where a limit applies, the ratio to it.
struct BenchFigure: Sendable {
    var name: String
    var value: Double
    var unit: String
    /// The target, in words (for example "≥ 0.8 × 2 × raw verify/s").
    var target: String
    /// value / limit, when the target is a ratio to a limit measured in the same run.
    var ratio: Double? = nil
    var met: Bool? = nil
    /// Scaling series: (n, value) pairs.
    var series: [(Int, Double)] = []

    var json: JSONValue {
        var o: [String: JSONValue] = [
            "name": .string(name), "value": .string(format2(value)), "unit": .string(unit), "target": .string(target),
        ]
        if let ratio { o["ratio"] = .string(format2(ratio)) }
        if let met { o["met"] = .bool(met) }
        if !series.isEmpty {
            o["series"] = .array(series.map { .object(["n": .integer(Int64($0.0)), "value": .string(format2($0.1))]) })
        }
        return .object(o)
    }

    /// "  met", "  NOT MET" or nothing, after the target in text output.
    var metSuffix: String { met.map { $0 ? "  met" : "  NOT MET" } ?? "" }
}

/// `v` rounded to two decimals, without a fraction when it is whole.
func format2(_ v: Double) -> String {
    let r = (v * 100).rounded() / 100
    if r == r.rounded() && abs(r) < 1e15 { return String(Int64(r)) }
    return String(r)
}

extension String {
    /// Pads with spaces, or cuts with `…`, to `width` characters as a terminal shows them.
    func fitted(to width: Int) -> String {
        let n = count
        if n > width { return String(prefix(width - 1)) + "…" }
        return self + String(repeating: " ", count: width - n)
    }

    /// Pads with spaces to at least `width` characters; never cuts.
    func padded(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
