import Consensus
import LedgerCore
import Synchronization

/// The events of the latest published entries, built once when the published checkpoint grows
/// and shared by every client of the stream: the live ones and those that resume with
/// `Last-Event-ID`.
///
/// It keeps the events of at least the last ``limit`` entries, in steps of ``step`` entries;
/// older ones are forgotten. A client that needs forgotten events is sent a `truncated` event
/// instead (specs/api.md, Events), so that no request makes the server read the ledger.
package final class EventWindow: Sendable {
    /// The events of a run of consecutive entries.
    struct Step: Sendable {
        let entries: Range<Int64>
        /// Each event's entry index and text, in entry order.
        let events: [(index: Int64, text: String)]
    }

    /// What a client is sent next: the events of one step from its next entry on.
    struct Chunk {
        /// The first entry whose events are kept, when the client asked for older ones.
        let truncatedAt: Int64?
        /// The events, as the stream sends them.
        let text: String
        /// The client's next entry after these events.
        let next: Int64
    }

    private struct State {
        var steps: [Step] = []
        /// The events of entries `start..<end` are kept.
        var start: Int64
        var end: Int64
    }

    private let state: Mutex<State>
    /// Held while events are built, so that they are built once.
    private let building = Mutex<Void>(())
    private let built = Atomic<Int64>(0)
    /// Entries whose events are kept, at least (when the ledger has that many).
    package let limit: Int64
    /// Entries whose events are built, and sent, at a time.
    package let step: Int64

    /// A window that will keep the events of the entries before `end`, from `end - limit` on
    /// (none is built yet).
    init(end: Int64, limit: Int64, step: Int64) {
        let limit = max(1, limit)
        let start = max(0, end - limit)
        state = Mutex(State(start: start, end: start))
        self.limit = limit
        self.step = max(1, step)
    }

    /// The entries whose events are kept.
    package var entries: Range<Int64> { state.withLock { $0.start..<$0.end } }

    /// The number of entries whose events were built so far (each is built once).
    package var entriesBuilt: Int64 { built.load(ordering: .relaxed) }

    /// Builds the events of the entries that `view`'s published checkpoint covers and the
    /// window does not have yet (of the last ``limit`` of them only), and returns the end of
    /// the entries whose events are kept.
    func update<Store: LedgerStore>(from view: DomainView<Store>) throws(LedgerError) -> Int64 {
        try building.withLock { _ throws(LedgerError) -> Int64 in
            let snapshot = try view.snapshot()
            let size = snapshot.size
            var next = state.withLock { s in
                if size - s.end > limit {
                    // More new entries than are kept: skip to the last `limit` of them.
                    s = State(start: size - limit, end: size - limit)
                }
                return s.end
            }
            while next < size {
                let upper = min(size, next + step)
                let events = try DomainEvents.events(next..<upper, state: snapshot.state) { i throws(LedgerError) in
                    try view.publishedEntry(i, in: snapshot)
                }
                built.add(upper - next, ordering: .relaxed)
                let entries = next..<upper
                state.withLock { s in
                    s.steps.append(Step(entries: entries, events: events.map { ($0.id, $0.text) }))
                    s.end = upper
                    // Forget the oldest step while the others still hold `limit` entries.
                    while s.steps.count > 1, s.end - s.steps[1].entries.lowerBound >= limit {
                        s.steps.removeFirst()
                    }
                    s.start = s.steps.first?.entries.lowerBound ?? s.end
                }
                next = upper
            }
            return next
        }
    }

    /// The events of the entries from `next` on, up to `end` (not included), of one step; nil
    /// when the window holds none of them (yet).
    func chunk(from next: Int64, to end: Int64) -> Chunk? {
        state.withLock { s -> Chunk? in
            let hi = min(end, s.end)
            let from = max(next, s.start)
            guard from < hi, let step = s.steps.first(where: { $0.entries.contains(from) }) else { return nil }
            let upper = min(hi, step.entries.upperBound)
            let text = step.events.filter { $0.index >= from && $0.index < upper }.map(\.text).joined()
            return Chunk(truncatedAt: next < s.start ? s.start : nil, text: text, next: upper)
        }
    }
}
