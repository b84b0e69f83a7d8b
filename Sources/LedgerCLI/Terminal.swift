import LedgerReports
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the CLI shows only to a person at a terminal: colour and progress lines. The one place
/// that decides (specs/cli.md, "Terminals").
///
/// Colour goes to a stream only when that stream is a terminal, `NO_COLOR` is unset or empty
/// (<https://no-color.org>: any non-empty value disables it) and `TERM` is not `dumb`, unless
/// `--color always|never` (``ColorOptions``) decided otherwise. Progress
/// lines go to stderr only when stderr is a terminal. Data that is piped or redirected, and every
/// machine format (JSON, CSV, Markdown, HTML), never carries an escape sequence.
enum Terminal {
    enum Stream: Int32, Sendable {
        case stdout = 1
        case stderr = 2
    }

    /// An SGR (Select Graphic Rendition) colour.
    enum Color: String, Sendable {
        case red = "31"
        case green = "32"
        case yellow = "33"
        case boldRed = "1;31"
        case boldGreen = "1;32"
    }

    /// `--color`: `auto` decides by the stream and the environment; `always` and `never` by
    /// themselves (a command-line choice overrides `NO_COLOR`, as no-color.org asks).
    enum ColorChoice: String, CaseIterable, Sendable {
        case auto, always, never
    }

    /// The choice of `--color` (``ColorOptions``); `auto` for the commands without it.
    static let colorChoice = Mutex(ColorChoice.auto)

    static func isTerminal(_ stream: Stream) -> Bool { isatty(stream.rawValue) == 1 }

    /// Whether text written to `stream` may be coloured.
    static func usesColor(_ stream: Stream) -> Bool {
        switch colorChoice.withLock({ $0 }) {
        case .always: return true
        case .never: return false
        case .auto:
            switch stream {
            case .stdout: return colorOnStdout
            case .stderr: return colorOnStderr
            }
        }
    }

    private static let colorOnStdout = colorAllowedByEnvironment && isTerminal(.stdout)
    private static let colorOnStderr = colorAllowedByEnvironment && isTerminal(.stderr)

    private static var colorAllowedByEnvironment: Bool {
        func variable(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
        if let noColor = variable("NO_COLOR"), !noColor.isEmpty { return false }
        return variable("TERM") != "dumb"
    }

    /// `text` in `color` when `stream` takes colour, else `text` unchanged.
    static func paint(_ text: String, _ color: Color, on stream: Stream) -> String {
        usesColor(stream) ? sgr(color) + text + reset : text
    }

    private static func sgr(_ color: Color) -> String { "\u{1b}[" + color.rawValue + "m" }
    private static let reset = "\u{1b}[0m"

    /// The colours of a report's table cells on stdout, by their style: a blocked proposal and
    /// objections in red, an adopted one in green. Nil (no colour) unless `format` is `table`
    /// and stdout takes colour.
    static func tableMarking(for format: ReportFormat) -> ReportTable.Marking? {
        guard format == .table, usesColor(.stdout) else { return nil }
        return { style in
            let color: Color? =
                switch style {
                case "state-blocked", "object": .red
                case "state-adopted": .green
                case "reserve": .yellow
                default: nil
                }
            return color.map { (open: sgr($0), close: reset) }
        }
    }
}

/// A progress line on stderr, only when stderr is a terminal: the phase, the count done of the
/// total, the rate and the time left. It is redrawn at most five times a second and erased by
/// ``finish()``, so that nothing of it stays on the screen or reaches a pipe.
final class Progress: Sendable {
    private struct State {
        var label: String
        var started: ContinuousClock.Instant
        var lastDrawn: ContinuousClock.Instant?
        var isShown = false
    }

    private let isEnabled: Bool
    private let state: Mutex<State>
    private static let interval = Duration.milliseconds(200)

    /// - Parameters:
    ///   - label: the first phase, for example `verifying`.
    ///   - isWanted: false to show nothing whatever stderr is (for example for a short batch).
    init(_ label: String, isWanted: Bool = true) {
        isEnabled = isWanted && Terminal.isTerminal(.stderr)
        state = Mutex(State(label: label, started: .now))
    }

    /// Starts a new phase, shown at once: its label, and `detail` while it has no count.
    func begin(_ label: String, detail: String = "") {
        guard isEnabled else { return }
        let now = ContinuousClock.now
        state.withLock {
            $0.label = label
            $0.started = now
            $0.lastDrawn = now
            $0.isShown = true
        }
        draw(label + (detail.isEmpty ? "" : " " + detail))
    }

    /// `done` of `total` in the current phase; drawn if the last drawing is old enough, and
    /// always for the first and the last.
    func update(_ done: Int64, _ total: Int64) {
        guard isEnabled, total > 0 else { return }
        let now = ContinuousClock.now
        let line: String? = state.withLock {
            if let last = $0.lastDrawn, now - last < Self.interval, done < total { return nil }
            $0.lastDrawn = now
            $0.isShown = true
            return Self.line($0.label, done: done, total: total, elapsed: now - $0.started)
        }
        if let line { draw(line) }
    }

    /// Erases the line.
    func finish() {
        guard isEnabled, state.withLock({ $0.isShown }) else { return }
        state.withLock { $0.isShown = false }
        printStderr("\r\u{1b}[K")
    }

    private func draw(_ line: String) { printStderr("\r\u{1b}[K" + line) }

    /// `signing [#######.......] 48% 9600/20000 4800/s ETA 2s`.
    private static func line(_ label: String, done: Int64, total: Int64, elapsed: Duration) -> String {
        let fraction = Double(min(done, total)) / Double(total)
        let width = 20
        let filled = Int(fraction * Double(width))
        var s = label + " [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        s += "] \(Int(fraction * 100))% \(done)/\(total)"
        let seconds = elapsed / .seconds(1)
        if seconds >= 0.05, done > 0 {
            let rate = Double(done) / seconds
            s += " \(Int(rate))/s"
            if done < total { s += " ETA " + duration(Double(total - done) / rate) }
        }
        return s
    }

    /// `42s`, `3m05s`, `1h02m`.
    private static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" + (s % 60 < 10 ? "0" : "") + "\(s % 60)s" }
        return "\(s / 3600)h" + (s % 3600 / 60 < 10 ? "0" : "") + "\(s % 3600 / 60)m"
    }
}
