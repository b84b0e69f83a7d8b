import Dispatch
import LedgerCore
import LedgerCrypto
import Synchronization

extension Ledger where Rules == NegotiationRules {
    /// The negotiation state after the first `count` entries (all when nil), replayed with
    /// entry decoding spread over every core.
    ///
    /// Entries are decoded with the core's own parser (`Entry(leaf:)`), a chunk at a time on
    /// all cores, and applied in log order on this thread while the next chunk decodes, so
    /// the result is the same as `state(upTo:)`. Like that replay, it does not re-verify
    /// signatures: `ledger verify` does.
    public func parallelState(upTo count: Int64? = nil) throws(LedgerError) -> NegotiationRules {
        try store.refresh()
        let end = min(count ?? store.size, store.size)
        var rules = NegotiationRules()
        let helpers = ParallelDecode.cores - 1
        var decoded: ParallelDecode.Job? = nil

        func applyDecoded() throws(LedgerError) {
            guard let job = decoded else { return }
            for k in 0..<job.count {
                let i = job.first + Int64(k)
                do throws(LedgerError) {
                    try rules.apply(try job.entries[k].get(), prepared: job.prepared[k], leafHash: store.leafHash(i))
                } catch { throw error.prefixed("entry \(i): ") }
            }
            decoded = nil
            // Free the chunk's entries on another thread: this one has the next chunk to apply.
            DispatchQueue.global().async { _ = job }
        }

        try store.forEachChunk(from: 0, to: end, chunkBytes: 8 << 20) { first, lines throws(LedgerError) in
            // The helpers decode this chunk while the previous one is applied here; then this
            // thread helps them finish.
            let job = ParallelDecode.Job(lines, first: first)
            let group = DispatchGroup()
            for _ in 0..<helpers { DispatchQueue.global().async(group: group) { job.work() } }
            let applied = Result { () throws(LedgerError) in try applyDecoded() }
            job.work()
            group.wait()
            try applied.get()
            decoded = job
        }
        try applyDecoded()
        return rules
    }
}

enum ParallelDecode {
    /// One chunk of lines, decoded and prepared in pieces by whichever threads take them.
    final class Job: @unchecked Sendable {
        let lines: [ArraySlice<UInt8>]
        let first: Int64
        let count: Int
        let entries: UnsafeMutablePointer<Result<Entry, LedgerError>>
        let prepared: UnsafeMutablePointer<NegotiationRules.Prepared>
        private let nextPiece = Atomic<Int>(0)
        static let pieceSize = 256

        init(_ lines: [ArraySlice<UInt8>], first: Int64) {
            self.lines = lines
            self.first = first
            count = lines.count
            entries = .allocate(capacity: max(1, count))
            prepared = .allocate(capacity: max(1, count))
        }

        /// Decodes pieces until none is left to take. Each piece is written by one thread, and
        /// the results are read only after every thread that worked on the job has returned.
        func work() {
            var signers = SignerCache()
            let pieces = (count + Job.pieceSize - 1) / Job.pieceSize
            while true {
                let p = nextPiece.wrappingAdd(1, ordering: .relaxed).oldValue
                guard p < pieces else { return }
                for k in (p * Job.pieceSize)..<min(count, (p + 1) * Job.pieceSize) {
                    let e = lines[k].withUnsafeBytes { raw in
                        Result { () throws(LedgerError) in try Entry(leaf: raw, signers: &signers) }
                    }
                    (prepared + k).initialize(to: (try? e.get()).map(NegotiationRules.prepare) ?? .none)
                    (entries + k).initialize(to: e)
                }
            }
        }

        deinit {
            // work() ran to the end on some thread, so every slot is initialized.
            entries.deinitialize(count: count)
            prepared.deinitialize(count: count)
            entries.deallocate()
            prepared.deallocate()
        }
    }

    static var cores: Int {
        #if canImport(Glibc)
            return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
            return 1
        #endif
    }
}

#if canImport(Glibc)
    import Glibc
#endif
