import Dispatch
import LedgerCore
import Synchronization

/// Runs `operation` on the concurrency pool and waits for it on this thread: the bridge from
/// the synchronous readers of `LedgerCore` (the audit's entry cursor, the CLI's commands) to
/// the asynchronous HTTP client.
///
/// Call it only from a thread outside the concurrency pool (the main thread of a command, or
/// a thread of its own), never from a task: waiting there could starve the pool.
package func runBlocking<T: Sendable>(
    _ operation: @escaping @Sendable () async throws(LedgerError) -> T
) throws(LedgerError) -> T {
    let result = Mutex<Result<T, LedgerError>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        let outcome: Result<T, LedgerError>
        do throws(LedgerError) { outcome = .success(try await operation()) } catch { outcome = .failure(error) }
        result.withLock { $0 = outcome }
        done.signal()
    }
    done.wait()
    return try result.withLock { $0 }!.get()
}
