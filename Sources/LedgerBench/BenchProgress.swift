import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Progress of a benchmark, on stderr only: stdout carries the figures (and nothing but JSON
/// with `--json`).
///
/// - A line per phase, always, with the time since the start:
///   `ledger-bench: [  12.3 s] auditing 1000000 entries in a child process`.
/// - Within a phase of counted work (signing and appending, building the consensus ledger),
///   a progress line `ledger-bench: [  15.0 s] append: 420000/1000000 (42%)`: on a terminal
///   one line redrawn in place at most 10 times a second; elsewhere (a log, a pipe) a new
///   line at most every 10 seconds, the first at once, so a long run in CI shows it is alive
///   without flooding the log.
///
/// Used from one thread (the command's); the parallel work reports between its batches.
final class BenchProgress {
    private let start = BenchSystem.monotonicSeconds()
    private let isTerminal: Bool
    /// The least time between two progress lines.
    private let interval: Double
    private var lastStep = -Double.infinity
    /// Whether a redrawn progress line is on the terminal, unfinished.
    private var isLineOpen = false

    init(isTerminal: Bool = isatty(2) == 1) {
        self.isTerminal = isTerminal
        interval = isTerminal ? 0.1 : 10
    }

    private var stamp: String {
        let elapsed = String(format: "%6.1f", BenchSystem.monotonicSeconds() - start)
        return "ledger-bench: [\(elapsed) s] "
    }

    /// Reports the start of a phase or one of its results. The next progress line is shown
    /// at once.
    func phase(_ text: String) {
        closeLine()
        lastStep = -Double.infinity
        BenchOutput.stderr(stamp + text + "\n")
    }

    /// Reports `done` of `total` units of the current phase's `label` work, rate-limited.
    func step(_ label: String, done: Int64, of total: Int64) {
        guard total > 0 else { return }
        let now = BenchSystem.monotonicSeconds()
        let isLast = done >= total
        guard now - lastStep >= interval || (isLast && isTerminal) else { return }
        lastStep = now
        let line = stamp + "\(label): \(done)/\(total) (\(done * 100 / total)%)"
        if isTerminal {
            // Clear to the end of the line: the new text may be shorter than the old.
            BenchOutput.stderr("\r" + line + "\u{1b}[K")
            isLineOpen = true
        } else {
            BenchOutput.stderr(line + "\n")
        }
    }

    /// Ends a redrawn progress line, so that the next output starts on a line of its own.
    func closeLine() {
        guard isLineOpen else { return }
        BenchOutput.stderr("\n")
        isLineOpen = false
    }
}
