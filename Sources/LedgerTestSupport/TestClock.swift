import LedgerCore
import Synchronization

/// A clock that a test sets and advances, for ledgers whose times must be known.
package final class TestClock: Sendable {
    private let time: Mutex<Timestamp>

    /// A clock at `start` (RFC 3339).
    package init(_ start: String = "2026-11-20T09:00:00Z") { time = Mutex(Timestamp(rfc3339: start)!) }

    package var now: Timestamp { time.withLock { $0 } }
    package func advance(_ seconds: Int64) { time.withLock { $0 = $0.adding(seconds: seconds) } }
    package func set(_ newTime: Timestamp) { time.withLock { $0 = newTime } }
    /// The clock as the closure `Ledger` takes.
    package var closure: @Sendable () -> Timestamp { { self.now } }
}
