import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// The one place that spreads work over the machine's cores.
///
/// Every parallel loop in the package (signature checks on append and audit, the Merkle
/// build, consensus replay and status, the benchmarks) goes through here, so the processor
/// count and the unsafe buffer sharing are written once.
package enum Parallel {
    /// Online processors (at least 1).
    package static var processorCount: Int {
        #if canImport(Glibc)
            return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
            return 1
        #endif
    }

    /// Calls `body(worker)` for every worker in `0..<workers` on Dispatch's pool and returns
    /// when all have returned.
    package static func forEachWorker(_ workers: Int, _ body: @Sendable (Int) -> Void) {
        guard workers > 1 else {
            if workers == 1 { body(0) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers, execute: body)
    }

    /// `(0..<count).map(transform)`, computed by up to `workers` threads. Worker `w` takes
    /// indexes `w, w + workers, …`, so uneven work spreads evenly.
    package static func map<T: Sendable>(
        _ count: Int, workers: Int = processorCount, _ transform: @Sendable (Int) -> T
    ) -> [T] {
        let workers = max(1, min(workers, count))
        guard workers > 1 else { return (0..<count).map(transform) }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            // Each index is initialized by exactly one worker, and no worker reads another's
            // slots; concurrentPerform returns only after every worker has finished.
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var k = w
                while k < count {
                    (out.baseAddress! + k).initialize(to: transform(k))
                    k += workers
                }
            }
            initialized = count
        }
    }

    /// As ``map(_:workers:_:)``, with worker `w` taking the contiguous range
    /// `count * w / parts ..< count * (w + 1) / parts` (better locality for uniform work).
    package static func mapChunked<T: Sendable>(
        _ count: Int, parts: Int = processorCount, _ transform: @Sendable (Int) -> T
    ) -> [T] {
        let parts = max(1, min(parts, count))
        guard parts > 1 else { return (0..<count).map(transform) }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            // Disjoint ranges, one per part; see map(_:workers:_:).
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                for k in (count * part / parts)..<(count * (part + 1) / parts) {
                    (out.baseAddress! + k).initialize(to: transform(k))
                }
            }
            initialized = count
        }
    }
}
