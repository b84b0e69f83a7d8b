import Dispatch
import LedgerCore
import LedgerCrypto
import Synchronization

extension Ledger where Rules == NegotiationRules {
    /// The negotiation state after the first `count` entries (all when nil), replayed with
    /// entry decoding spread over every core.
    ///
    /// Chunks of the entries file are read and decoded on all cores and applied in log order
    /// on this thread while the next chunk decodes. Positions are read by a ``LeafScanner``
    /// (the checks of `Entry(leaf:)`'s fast path, without building an entry) into
    /// ``NegotiationRules/PositionRecord``s; every other leaf, and any position the scanner
    /// is unsure of, is decoded by `Entry(leaf:)`. The result, and the first error, are those
    /// of `state(upTo:)`. Like that replay, it does not re-verify signatures: `ledger verify`
    /// does.
    public func parallelState(upTo count: Int64? = nil) throws(LedgerError) -> NegotiationRules {
        try parallelState(upTo: count, chunkBytes: FileStore.chunkBytes)
    }

    /// As ``parallelState(upTo:)``, reading chunks of about `chunkBytes`.
    func parallelState(upTo count: Int64?, chunkBytes: Int) throws(LedgerError) -> NegotiationRules {
        try store.refresh()
        let end = min(count ?? store.size, store.size)
        var replay = Replay<NegotiationRules>(checks: [])
        let helpers = Parallel.processorCount - 1
        var decoded: ParallelDecode.Job? = nil

        func applyDecoded() throws(LedgerError) {
            guard let job = decoded else { return }
            for k in 0..<job.count {
                // Moved out, not copied: the job no longer owns the slot.
                let slot = (job.slots + k).move()
                job.applied = k + 1
                try replay.apply(record: slot, line: job.lines[k], at: job.range.lowerBound + Int64(k))
            }
            decoded = nil
            // Free the chunk's entries on another thread: this one has the next chunk to apply.
            DispatchQueue.global().async { _ = job }
        }

        let store = self.store
        let pool = ParallelDecode.Pool()
        // The same chunks as `state(upTo:)`, so that a damaged file gives the same first error.
        for range in store.chunks(from: 0, to: end, chunkBytes: chunkBytes) {
            // A helper reads this chunk and the helpers decode it while the previous one is
            // applied here; then this thread helps them finish.
            let job = ParallelDecode.Job(range, pool: pool)
            let group = DispatchGroup()
            if helpers == 0 { job.load(from: store) }
            for h in 0..<helpers {
                DispatchQueue.global().async(group: group) {
                    if h == 0 { job.load(from: store) }
                    job.work()
                }
            }
            let applied = Result { () throws(LedgerError) in try applyDecoded() }
            job.work()
            group.wait()
            try applied.get()
            if let e = job.loadError { throw e }
            decoded = job
        }
        try applyDecoded()
        return replay.rules
    }
}

enum ParallelDecode {
    /// One decoded line: its index field and log time, kept apart so that the replay checks
    /// them without copying the rest, and what the rules apply.
    struct Slot {
        enum Decoded {
            /// A position, read without building its entry (nearly every entry of a negotiation).
            case position(NegotiationRules.PositionRecord)
            /// Any other entry (or a position the fast path did not take), decoded and prepared.
            case entry(Entry, NegotiationRules.Prepared)
            /// A line that did not decode.
            case failed(LedgerError)
        }

        let index: UInt64
        let time: Timestamp
        let decoded: Decoded

        /// Decodes one line.
        init(_ raw: UnsafeRawBufferPointer, scanner: inout LeafScanner, signers: inout SignerCache) {
            if let r = NegotiationRules.readPosition(raw, scanner: &scanner) {
                (index, time, decoded) = (r.header.index, r.header.time, .position(r))
                return
            }
            do throws(LedgerError) {
                let e = try Entry(leaf: raw, signers: &signers)
                (index, time, decoded) = (e.index, e.time, .entry(e, NegotiationRules.prepare(e)))
            } catch {
                (index, time, decoded) = (0, Timestamp(secondsSinceEpoch: 0), .failed(error))
            }
        }
    }

    /// One chunk of lines, decoded and prepared in pieces by whichever threads take them.
    ///
    /// `@unchecked Sendable`: `lines`, `loadError`, `count` and `buffer` are written only by
    /// ``load(from:)``, once, by one thread, before it leaves the `loaded` group, and read only
    /// after waiting on that group (the group's leave/wait orders the writes before the reads);
    /// each piece of `slots` is handed to exactly one thread by the atomic `nextPiece`, and
    /// `applied` is touched only by the one thread that applies the job, after `work()` has
    /// finished every piece; `slots` memory is freed only in `deinit`, when no thread holds the job.
    final class Job: @unchecked Sendable {
        let range: Range<Int64>
        /// Set by ``load(from:)`` before ``loaded`` is left.
        private(set) var lines: [ArraySlice<UInt8>] = []
        private(set) var loadError: LedgerError?
        /// Lines loaded (0 when loading failed).
        private(set) var count = 0
        let slots: UnsafeMutablePointer<Slot>
        let slotCapacity: Int
        /// Slots before this one were moved out by the thread that applies them.
        var applied = 0
        /// The bytes the lines are slices of.
        private var buffer: [UInt8]
        private let pool: Pool
        private let loaded = DispatchGroup()
        private let nextPiece = Atomic<Int>(0)
        static let pieceSize = 256

        init(_ range: Range<Int64>, pool: Pool) {
            self.range = range
            self.pool = pool
            (slots, slotCapacity) = pool.takeSlots(max(1, range.count))
            buffer = pool.takeBuffer()
            loaded.enter()
        }

        /// Reads the chunk's lines; called once, by one thread, before or while others wait in
        /// ``work()``.
        func load<Store: LedgerStore>(from store: Store) {
            do throws(LedgerError) {
                lines = try store.lines(range, reusing: &buffer)
                count = lines.count
            } catch {
                loadError = error
            }
            loaded.leave()
        }

        /// Decodes pieces until none is left to take. Each piece is written by one thread, and
        /// the results are read only after every thread that worked on the job has returned.
        func work() {
            loaded.wait()
            var signers = SignerCache()
            var scanner = LeafScanner()
            let pieces = (count + Job.pieceSize - 1) / Job.pieceSize
            while true {
                let p = nextPiece.wrappingAdd(1, ordering: .relaxed).oldValue
                guard p < pieces else { return }
                for k in (p * Job.pieceSize)..<min(count, (p + 1) * Job.pieceSize) {
                    let slot = lines[k].withUnsafeBytes { Slot($0, scanner: &scanner, signers: &signers) }
                    (slots + k).initialize(to: slot)
                }
            }
        }

        deinit {
            // work() ran to the end on some thread, so every slot not moved out is initialized.
            (slots + applied).deinitialize(count: count - applied)
            pool.give(slots: slots, capacity: slotCapacity)
            // Give the buffer away only once nothing here refers to it, so that the next job
            // finds it unshared and reads into it without a copy.
            lines = []
            var unshared = [UInt8]()
            swap(&unshared, &buffer)
            pool.give(buffer: consume unshared)
        }
    }

    /// Line buffers and slot memory of jobs that were freed, for the next jobs of the same
    /// replay: a replay keeps about three chunks alive, and reusing their memory saves
    /// touching fresh pages for every chunk.
    final class Pool: Sendable {
        /// `@unchecked Sendable`: the slot pointers are not `Sendable`, but a `Free` lives only
        /// inside the `Mutex` below and is only touched under its lock; each pointer's memory
        /// belongs to the pool alone while it is kept here (a job gives it up before).
        private struct Free: @unchecked Sendable {
            var buffers: [[UInt8]] = []
            var slots: [(UnsafeMutablePointer<Slot>, Int)] = []
        }
        private let free = Mutex(Free())

        func takeBuffer() -> [UInt8] { free.withLock { $0.buffers.popLast() } ?? [] }

        /// Keeps `buffer`, taking it over: the caller holds no reference once it is kept.
        func give(buffer: consuming [UInt8]) {
            var owned: [UInt8]? = consume buffer
            free.withLock { f in
                if f.buffers.count < 4, let b = owned.take() { f.buffers.append(b) }
            }
        }

        /// Uninitialized memory for at least `count` slots, and its capacity.
        func takeSlots(_ count: Int) -> (UnsafeMutablePointer<Slot>, Int) {
            let reused = free.withLock { f -> (UnsafeMutablePointer<Slot>, Int)? in
                guard let k = f.slots.firstIndex(where: { $0.1 >= count }) else { return nil }
                return f.slots.remove(at: k)
            }
            // Room to spare, so that the next chunks (of about the same size) fit.
            return reused ?? (.allocate(capacity: count + count / 4), count + count / 4)
        }

        func give(slots: UnsafeMutablePointer<Slot>, capacity: Int) {
            let kept = free.withLock { f in
                guard f.slots.count < 4 else { return false }
                f.slots.append((slots, capacity))
                return true
            }
            if !kept { slots.deallocate() }
        }

        deinit {
            free.withLock { f in for (p, _) in f.slots { p.deallocate() } }
        }
    }
}

extension ParallelDecode.Slot: ReplayRecord {
    typealias Rules = NegotiationRules

    func header() throws(LedgerError) -> (index: UInt64, time: Timestamp) {
        if case .failed(let error) = decoded { throw error }
        return (index, time)
    }

    consuming func apply(to rules: inout NegotiationRules, line: () -> ArraySlice<UInt8>) throws(LedgerError) {
        switch decoded {
        case .position(let r):
            try rules.apply(r) { () throws(LedgerError) in try Entry(leaf: Array(line())) }
        case .entry(let e, let prepared):
            // The leaf hash from the line itself, not from tree.hashes (a cache).
            try rules.apply(e, prepared: prepared, leafHash: line().withUnsafeBytes { MerkleHash.leaf($0) })
        case .failed(let error):
            throw error
        }
    }
}
