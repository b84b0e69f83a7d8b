import Dispatch
import LedgerCore
import Synchronization

/// Group commit: concurrent submissions wait in one queue, and a single writer drains it in
/// batches of at most ``maxBatch``, appending each batch with one call to
/// ``StoreLedger/appendEach(verified:)`` (one fsync per file for the whole group). A
/// submission is answered only after its batch is durable.
///
/// Submissions are ``VerifiedStatement``s: their signatures were verified by the request
/// handlers, which run on every core, so the single writer does not verify them again.
///
/// While the writer commits one batch, the submissions that arrive form the next one, so the
/// batch grows with the load and the fsync cost is shared. The writer runs on a dispatch queue
/// of its own: the blocking file I/O never occupies the Swift concurrency pool.
package final class GroupCommitter<Rules: LedgerRules, Store: LedgerStore>: Sendable {
    /// What became of one submission.
    package enum Outcome: Sendable {
        /// Appended and durable.
        case appended(StoreLedger<Rules, Store>.Appended)
        /// Refused by the ledger's rules; nothing of it was written.
        case refused(LedgerError)
        /// Refused as a replay: the entry at `index` already holds the statement.
        case duplicate(LedgerError, index: Int64?)
        /// The whole batch failed (the store could not be locked, read or written).
        case failed(LedgerError)
        /// The queue already holds ``GroupCommitter/maxPending`` submissions.
        case overloaded
    }

    private struct Pending: Sendable {
        let statement: VerifiedStatement
        let completion: @Sendable (Outcome) -> Void
    }

    private struct State: Sendable {
        var queue: [Pending] = []
        var isWriting = false
        var commits = 0
        var inCommit = 0
    }

    package let ledger: StoreLedger<Rules, Store>
    /// Most submissions waiting at once; one more is ``Outcome/overloaded``.
    package let maxPending: Int
    /// Most statements appended in one commit.
    package let maxBatch: Int
    /// Told after each commit how many entries it appended and how long it took (the
    /// metrics' appends and commit latency).
    private let observe: (@Sendable (_ appended: Int, _ seconds: Double) -> Void)?
    private let state = Mutex<State>(State())
    private let writer = DispatchQueue(label: "ledger.group-commit")

    package init(
        ledger: StoreLedger<Rules, Store>, maxPending: Int, maxBatch: Int = 4096,
        observe: (@Sendable (_ appended: Int, _ seconds: Double) -> Void)? = nil
    ) {
        precondition(maxPending >= 1 && maxBatch >= 1)
        self.ledger = ledger
        self.maxPending = maxPending
        self.maxBatch = maxBatch
        self.observe = observe
    }

    /// The number of commits (calls to ``StoreLedger/appendEach(verified:)``) made so far.
    package var commits: Int { state.withLock { $0.commits } }

    /// The number of submissions waiting for the writer.
    package var pending: Int { state.withLock { $0.queue.count } }

    /// The number of submissions in the commit under way.
    package var inCommit: Int { state.withLock { $0.inCommit } }

    /// Queues `statement` and returns once its batch is committed (or at once when the queue
    /// is full).
    package func submit(_ statement: VerifiedStatement) async -> Outcome {
        await withCheckedContinuation { continuation in
            submit(statement) { continuation.resume(returning: $0) }
        }
    }

    /// Queues `statement`; `completion` is called once with its outcome: on the writer's queue
    /// once its batch is committed, or at once, on the caller's thread, when the queue is full.
    package func submit(_ statement: VerifiedStatement, completion: @escaping @Sendable (Outcome) -> Void) {
        let start = state.withLock { s -> Bool? in
            guard s.queue.count < maxPending else { return nil }
            s.queue.append(Pending(statement: statement, completion: completion))
            guard !s.isWriting else { return false }
            s.isWriting = true
            return true
        }
        switch start {
        case nil: completion(.overloaded)
        case true?: writer.async { self.drain() }
        case false?: break
        }
    }

    /// Commits batches until the queue is empty.
    private func drain() {
        while true {
            let batch = state.withLock { s -> [Pending] in
                guard s.queue.count > maxBatch else {
                    let all = s.queue
                    s.queue = []
                    if all.isEmpty { s.isWriting = false }
                    s.inCommit = all.count
                    return all
                }
                let first = Array(s.queue.prefix(maxBatch))
                s.queue.removeFirst(maxBatch)
                s.inCommit = first.count
                return first
            }
            guard !batch.isEmpty else { return }
            let outcomes: [Outcome]
            let started = ContinuousClock.now
            do {
                outcomes = try ledger.appendEach(verified: batch.map(\.statement)).map { result in
                    switch result {
                    case .success(let appended): .appended(appended)
                    case .failure(let refusal) where refusal.error.code == .replay:
                        .duplicate(refusal.error, index: refusal.existingIndex)
                    case .failure(let refusal): .refused(refusal.error)
                    }
                }
            } catch {
                outcomes = Array(repeating: .failed(error), count: batch.count)
            }
            state.withLock {
                $0.commits += 1
                $0.inCommit = 0
            }
            if let observe {
                let elapsed = ContinuousClock.now - started
                let appended = outcomes.filter { if case .appended = $0 { true } else { false } }.count
                observe(appended, elapsed / .seconds(1))
            }
            for (pending, outcome) in zip(batch, outcomes) { pending.completion(outcome) }
        }
    }
}
