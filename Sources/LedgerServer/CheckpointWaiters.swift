import Synchronization

/// Requests waiting for a published checkpoint that covers an entry (`?wait=1`): each one is
/// a continuation, resumed by the publisher when the published size passes its index, or by
/// ``expire(now:)`` at its deadline, or by ``close()`` on shutdown. Nothing polls.
package final class CheckpointWaiters: Sendable {
    private struct Waiter: Sendable {
        let index: Int64
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State: Sendable {
        var published: Int64
        var waiters: [Waiter] = []
        var isClosed = false
    }

    private let state: Mutex<State>

    /// - Parameter published: the size already published.
    package init(published: Int64) { state = Mutex(State(published: published)) }

    /// The number of requests waiting.
    package var count: Int { state.withLock { $0.waiters.count } }

    /// Returns true once a published checkpoint covers entry `index`, false at `deadline` or
    /// on shutdown.
    package func wait(for index: Int64, until deadline: ContinuousClock.Instant) async -> Bool {
        await withCheckedContinuation { continuation in
            let answer = state.withLock { s -> Bool? in
                if s.published > index { return true }
                if s.isClosed { return false }
                s.waiters.append(Waiter(index: index, deadline: deadline, continuation: continuation))
                return nil
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    /// Records that checkpoints of up to `size` entries are published and wakes the requests
    /// they cover.
    package func publish(size: Int64) {
        let ready = state.withLock { s -> [Waiter] in
            guard size > s.published else { return [] }
            s.published = size
            let ready = s.waiters.filter { $0.index < size }
            s.waiters.removeAll { $0.index < size }
            return ready
        }
        for w in ready { w.continuation.resume(returning: true) }
    }

    /// Wakes, with false, the requests whose deadline has passed.
    package func expire(now: ContinuousClock.Instant = .now) {
        let late = state.withLock { s -> [Waiter] in
            let late = s.waiters.filter { $0.deadline <= now }
            s.waiters.removeAll { $0.deadline <= now }
            return late
        }
        for w in late { w.continuation.resume(returning: false) }
    }

    /// Wakes every request with false; later waits return false at once.
    package func close() {
        let all = state.withLock { s -> [Waiter] in
            s.isClosed = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in all { w.continuation.resume(returning: false) }
    }
}
