import ArgumentParser
import LedgerCore
import LedgerCrypto

#if canImport(Glibc)
import Glibc
#endif

/// Exit statuses (specs/cli.md).
enum Exit {
    static let ok: Int32 = 0
    static let refused: Int32 = 1
    static let usage: Int32 = 2
}

/// Options shared by commands that print data.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON.")
    var json = false
}

/// Runs `body`, turning a ``LedgerError`` into a one-line message on stderr and the
/// documented exit status.
func run(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as LedgerError {
        printError(e.message)
        for d in e.details where d != e.message { printError("  " + d) }
        throw ExitCode(e.code.isInputError ? Exit.usage : Exit.refused)
    }
}

func printError(_ s: String) {
    var line = "ledger: error: " + s + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

func printStderr(_ s: String) {
    var line = s
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// Writes to stdout without buffering surprises.
func out(_ s: String, terminator: String = "\n") {
    var line = s + terminator
    line.withUTF8 { buf in
        var off = 0
        while off < buf.count {
            let n = write(1, buf.baseAddress! + off, buf.count - off)
            if n <= 0 { return }
            off += n
        }
    }
}

/// Prints a JSON value in canonical form.
func printJSON(_ v: JSONValue) { out(v.canonicalString) }

/// Parses a JSON argument or file content given by the user (whitespace allowed; re-encoded canonically).
func parseUserJSON(_ text: String, what: String) throws -> JSONValue {
    do { return try JSONParser.parse(Array(text.utf8)) } catch let e as LedgerError { throw LedgerError.malformed("\(what): \(e.message)") }
}

func readText(_ path: String) throws -> String {
    String(decoding: try LedgerFiles.read(path), as: UTF8.self)
}

func stderrIsTerminal() -> Bool { isatty(2) == 1 }

/// A progress line on stderr, only when stderr is a terminal.
final class Progress: @unchecked Sendable {
    let label: String
    let enabled: Bool
    init(_ label: String) {
        self.label = label
        self.enabled = stderrIsTerminal()
    }
    func update(_ done: Int64, _ total: Int64) {
        guard enabled, total > 0 else { return }
        let pct = Int(done * 100 / total)
        let width = 30
        let filled = width * pct / 100
        printStderr("\r\(label) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(pct)% \(done)/\(total)")
    }
    func finish() { if enabled { printStderr("\n") } }
}

/// The log's clock. `LEDGER_NOW` (RFC 3339) overrides it for tests and demos; the log still
/// refuses to move its time backwards.
func logClock() -> @Sendable () -> Timestamp {
    if let s = getenv("LEDGER_NOW").map({ String(cString: $0) }), let t = Timestamp(rfc3339: s) {
        return { t }
    }
    return { .now() }
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
            "name": .string(name), "value": .string(String(format2(value))), "unit": .string(unit), "target": .string(target),
        ]
        if let ratio { o["ratio"] = .string(format2(ratio)) }
        if let met { o["met"] = .bool(met) }
        if !series.isEmpty { o["series"] = .array(series.map { .object(["n": .integer(Int64($0.0)), "value": .string(format2($0.1))]) }) }
        return .object(o)
    }
}

func format2(_ v: Double) -> String {
    let r = (v * 100).rounded() / 100
    if r == r.rounded() && abs(r) < 1e15 { return String(Int64(r)) }
    return String(r)
}
