import LedgerCrypto
import Synchronization

/// A ledger store held in memory: for tests, tools, and as the model of the store contract
/// (specs/ledger-format.md §9.5). Nothing survives the process.
///
/// Every method may be called from any thread or task: the committed state lives behind a
/// `Mutex` and is replaced whole by an append, so a reader sees a batch entirely or not at
/// all; a second `Mutex` serializes writers.
public final class MemoryStore: LedgerStore, WitnessStateStore {
    /// The committed entries and their caches: immutable once taken.
    public struct Snapshot: StoreSnapshot {
        var leaves: [[UInt8]] = []
        var ends: [Int64] = []
        var statementHashes: [Digest] = []
        var hashes: [Digest] = []
        public internal(set) var commit: CommitRecord? = .empty

        public var size: Int64 { Int64(leaves.count) }
        public var committedEnd: Int64 { ends.last ?? 0 }
        public var recordCount: Int64 { Int64(ends.count) }
        public var storedHashCount: Int64 { Int64(hashes.count) }
        public func endOffset(_ i: Int64) -> Int64 { ends[Int(i)] }
        public func statementHash(_ i: Int64) -> Digest { statementHashes[Int(i)] }
        public func storedHash(at i: Int64) -> Digest { hashes[Int(i)] }
    }

    /// Proof that the caller holds the writer lock.
    public struct WriteSession: Sendable {
        fileprivate init() {}
    }

    struct Notes: Sendable {
        var checkpoints: [UInt64: String] = [:]
        var evidence: [String: String] = [:]
    }

    public let location: String
    public var repairAdvice: String { "the in-memory store \(location) cannot be repaired" }
    public var names: StoreNames {
        StoreNames(entries: "entries", index: "statement hashes", hashes: "stored hashes", commit: "commit record")
    }
    let current = Mutex(Snapshot())
    let notes = Mutex(Notes())
    let writer = Mutex(0)
    let witnessState = Mutex<[String: Checkpoint]>([:])

    /// An empty store; `name` appears in messages.
    public init(name: String = "memory") {
        self.location = name
    }

    public var snapshot: Snapshot { current.withLock { $0 } }

    /// Nothing to re-read: an append replaces the snapshot as it commits.
    public func refresh() throws(LedgerError) {}

    public func readCommitRecord() throws(LedgerError) -> CommitRecord {
        guard let c = snapshot.commit else { throw .chainBroken("\(location): no commit record") }
        return c
    }

    public func readHashes(_ indexes: [Int64]) throws(LedgerError) -> [Digest] {
        try readHashes(from: snapshot, indexes)
    }

    // MARK: Entries

    /// The lines are slices of the stored leaves; `buffer` is not used.
    public func lines(_ range: Range<Int64>, reusing buffer: inout [UInt8]) throws(LedgerError)
        -> [ArraySlice<UInt8>]
    {
        let snap = snapshot
        guard range.lowerBound >= 0, range.upperBound <= snap.size else {
            throw .notFound(
                "entries \(range.lowerBound)..<\(range.upperBound) do not exist (the ledger has \(snap.size) entries)")
        }
        return snap.leaves[Int(range.lowerBound)..<Int(range.upperBound)].map { $0[...] }
    }

    public func chunks(from: Int64, to: Int64, chunkBytes: Int) -> [Range<Int64>] {
        snapshot.chunks(from: from, to: to, chunkBytes: chunkBytes)
    }

    public func leaf(_ index: Int64) throws(LedgerError) -> [UInt8] {
        let snap = snapshot
        guard index >= 0, index < snap.size else {
            throw .notFound("entry \(index) does not exist (the ledger has \(snap.size) entries)")
        }
        return snap.leaves[Int(index)]
    }

    public func entryCursor(from offset: Int64, index: Int64, limit: Int64) -> Cursor {
        Cursor(snapshot: snapshot, offset: offset, nextIndex: index, limit: limit)
    }

    /// Nothing is ever stored past the commit point.
    public func storedEntryBytes() throws(LedgerError) -> Int64 { snapshot.committedEnd }

    public func recordsForAudit() -> AuditRecords<Snapshot> {
        AuditRecords(records: snapshot, hasIndex: true, hasHashes: true, notes: [])
    }

    /// Reads the committed lines of one snapshot in chunks of at most `chunkBytes`.
    public struct Cursor: EntryCursor {
        let snapshot: Snapshot
        public private(set) var offset: Int64
        public private(set) var nextIndex: Int64
        let limit: Int64
        let chunkBytes = FileStore.chunkBytes

        public var remainingBytes: Int64 { limit - offset }

        public mutating func next(maxLines: Int64) throws(LedgerError) -> EntryChunk? {
            var lines = [ArraySlice<UInt8>]()
            var ends = [Int64]()
            let first = nextIndex
            while nextIndex < snapshot.size, Int64(lines.count) < maxLines {
                let end = snapshot.ends[Int(nextIndex)]
                guard end <= limit, lines.isEmpty || end - offset <= Int64(chunkBytes) else { break }
                lines.append(snapshot.leaves[Int(nextIndex)][...])
                ends.append(end)
                nextIndex += 1
            }
            guard let last = ends.last else { return nil }
            offset = last
            return EntryChunk(firstIndex: first, lines: lines, ends: ends)
        }
    }

    // MARK: Writing

    public func withWriteLock<R: Sendable>(_ body: (WriteSession) throws(LedgerError) -> R) throws(LedgerError) -> R {
        try writer.withLock { (sessions: inout Int) throws(LedgerError) -> R in
            sessions += 1
            return try body(WriteSession())
        }
    }

    /// Commits the batch by replacing the snapshot under the lock: atomic, and durable for
    /// as long as the process lives.
    public func append(
        leaves: [[UInt8]], storedHashes newHashes: [Digest], statementHashes: [Digest], lastLeafHash: Digest,
        root: Digest, in session: WriteSession
    ) throws(LedgerError) {
        guard leaves.count == statementHashes.count else {
            throw .malformed("\(leaves.count) leaves but \(statementHashes.count) statement hashes")
        }
        guard !leaves.isEmpty else { return }
        var next = snapshot
        let newSize = next.size + Int64(leaves.count)
        guard StoredHashIndex.count(size: newSize) - StoredHashIndex.count(size: next.size) == Int64(newHashes.count)
        else {
            throw .malformed("\(newHashes.count) stored hashes do not fit \(leaves.count) new leaves")
        }
        var end = next.committedEnd
        for leaf in leaves {
            end += Int64(leaf.count + 1)
            next.ends.append(end)
        }
        next.leaves.append(contentsOf: leaves)
        next.statementHashes.append(contentsOf: statementHashes)
        next.hashes.append(contentsOf: newHashes)
        next.commit = CommitRecord(
            sequence: (next.commit?.sequence ?? 0) &+ 1, size: newSize, entriesEnd: end, lastLeafHash: lastLeafHash,
            root: root)
        current.withLock { $0 = next }
    }

    // MARK: Checkpoints

    public func checkpointSizes() throws(LedgerError) -> [UInt64] {
        notes.withLock { $0.checkpoints.keys.sorted() }
    }

    public func checkpointText(size: UInt64) throws(LedgerError) -> String? {
        notes.withLock { $0.checkpoints[size] }
    }

    public func storeCheckpoint(_ text: String, size: UInt64, in session: WriteSession) throws(LedgerError) {
        notes.withLock { $0.checkpoints[size] = text }
    }

    public func keepForkEvidence(_ text: String, size: UInt64, root: Digest, in session: WriteSession)
        throws(LedgerError) -> String
    {
        let name = "\(location)/conflicts/\(size)-\(root.hex.prefix(16))"
        notes.withLock { $0.evidence[name] = text }
        return name
    }

    /// The fork evidence kept, by the name ``keepForkEvidence(_:size:root:in:)`` returned.
    public var forkEvidence: [String: String] { notes.withLock { $0.evidence } }

    // MARK: Witness state

    public func updateLastCosigned(origin: String, _ body: (Checkpoint?) throws(LedgerError) -> Checkpoint)
        throws(LedgerError)
    {
        try witnessState.withLock { (state: inout [String: Checkpoint]) throws(LedgerError) in
            state[origin] = try body(state[origin])
        }
    }
}

extension StoreSnapshot {
    /// Entries `from..<to` (clamped to the committed size) cut into consecutive ranges of
    /// about `chunkBytes` of lines each, at least one entry each, by the recorded ends.
    func chunks(from: Int64, to: Int64, chunkBytes: Int) -> [Range<Int64>] {
        var out = [Range<Int64>]()
        var i = max(0, from)
        let to = min(to, size)
        while i < to {
            let start = startOffset(i)
            var j = i
            while j < to && endOffset(j) - start < Int64(chunkBytes) { j += 1 }
            if j == i { j = i + 1 }
            out.append(i..<j)
            i = j
        }
        return out
    }
}
