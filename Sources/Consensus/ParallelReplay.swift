import Dispatch
import LedgerCore
import LedgerCrypto

extension Ledger where Rules == NegotiationRules {
    /// The negotiation state after the first `count` entries (all when nil), replayed with
    /// entry decoding spread over every core.
    ///
    /// Entries are decoded with the core's own parser (`Entry(leaf:)`), a chunk at a time on
    /// all cores, and applied in log order on one thread, so the result is the same as
    /// `state(upTo:)`. Like that replay, it does not re-verify signatures: `ledger verify` does.
    public func parallelState(upTo count: Int64? = nil) throws(LedgerError) -> NegotiationRules {
        try store.refresh()
        let end = min(count ?? store.size, store.size)
        var rules = NegotiationRules()
        let workers = ParallelDecode.cores
        try store.forEachChunk(from: 0, to: end, chunkBytes: 16 << 20) { first, lines throws(LedgerError) in
            let decoded = ParallelDecode.entries(lines, workers: workers)
            for (k, result) in decoded.enumerated() {
                let i = first + Int64(k)
                do throws(LedgerError) {
                    try rules.apply(try result.get(), leafHash: store.leafHash(i))
                } catch { throw error.prefixed("entry \(i): ") }
            }
        }
        return rules
    }
}

enum ParallelDecode {
    static var cores: Int {
        #if canImport(Glibc)
            return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
            return 1
        #endif
    }

    /// Decodes every line with `Entry(leaf:)` on `workers` threads.
    static func entries(_ lines: [ArraySlice<UInt8>], workers: Int) -> [Result<Entry, LedgerError>] {
        var out = [Result<Entry, LedgerError>](repeating: .failure(.io("not decoded")), count: lines.count)
        let n = lines.count
        let w = min(workers, max(1, n / 256))
        out.withUnsafeMutableBufferPointer { buf in
            nonisolated(unsafe) let b = buf
            DispatchQueue.concurrentPerform(iterations: w) { t in
                // Contiguous slices per thread keep each thread's reads sequential.
                let lo = n * t / w
                let hi = n * (t + 1) / w
                for k in lo..<hi {
                    b[k] = lines[k].withUnsafeBytes { raw in Result { () throws(LedgerError) in try Entry(leaf: raw) } }
                }
            }
        }
        return out
    }
}

#if canImport(Glibc)
    import Glibc
#endif
