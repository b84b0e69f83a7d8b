import LedgerCrypto

/// A type that keeps a ledger: its entries, the Merkle tree's stored hashes, the commit
/// record, and the signed checkpoints with their cosignatures (specs/ledger-format.md §9.5,
/// "The store contract").
///
/// ``Ledger`` and ``Auditor`` work over any conforming store. ``FileStore`` keeps a ledger
/// directory; ``MemoryStore`` keeps everything in memory. Every method may be called from
/// any thread or task.
///
/// **What a store decides, and what it does not.** A store never judges an entry: the
/// ledger checks signatures and rules and computes every hash before it calls
/// ``append(leaves:storedHashes:statementHashes:lastLeafHash:root:in:)``, and a reader
/// recomputes what it needs from the entries (``Snapshot`` holds caches, compared and never
/// believed). A store guarantees durability, atomicity of a batch, and a consistent view.
///
/// **Byte offsets.** An entry's *end offset* is the length of the concatenation of every
/// line up to and including it, each line being the leaf bytes followed by `\n`. It is the
/// byte offset in `entries.jsonl` for the file store, and the same number for any other
/// store, so that ``CommitRecord`` means one thing everywhere.
public protocol LedgerStore: HashReader, Sendable {
    /// The committed state as one ``refresh()`` saw it.
    associatedtype Snapshot: StoreSnapshot
    /// Proof that the caller holds the writer lock (``withWriteLock(_:)``).
    associatedtype WriteSession: Sendable
    /// A reader of the stored lines that trusts no cache.
    associatedtype Cursor: EntryCursor

    /// Where the store is, for messages: a directory, or a name.
    var location: String { get }
    /// How to rebuild damaged caches, appended to the errors that report one.
    var repairAdvice: String { get }
    /// What the parts of the store are called in messages.
    var names: StoreNames { get }

    /// The committed state as the last ``refresh()`` saw it. A snapshot is immutable: an
    /// append after it was taken does not change what it returns.
    var snapshot: Snapshot { get }

    /// Re-reads what is committed (after another process or task appended) and checks the
    /// caches cheaply against it. Throws, naming what is wrong, when an acknowledged entry is
    /// missing or a cache disagrees with the commit record; a reader never sees a batch in
    /// part.
    func refresh() throws(LedgerError)

    /// The commit record as stored now: how many entries were acknowledged, their byte
    /// length, the last leaf hash and the root. Throws `.malformed` for a record of a format
    /// version this code does not know, and `.chainBroken` when there is none.
    func readCommitRecord() throws(LedgerError) -> CommitRecord

    // MARK: Entries

    /// The lines of entries `range` (leaf bytes without the newline), as slices of `buffer`,
    /// which grows when it is too small. Throws `.notFound` for entries beyond the committed
    /// size, and `.chainBroken` when the stored lines do not match their recorded ends.
    func lines(_ range: Range<Int64>, reusing buffer: inout [UInt8]) throws(LedgerError) -> [ArraySlice<UInt8>]

    /// Entries `from..<to` (clamped to the committed size) cut into consecutive ranges of
    /// about `chunkBytes` of lines each, at least one entry each. The cuts depend only on
    /// the entries, so every replay meets a damaged entry in the same chunk.
    func chunks(from: Int64, to: Int64, chunkBytes: Int) -> [Range<Int64>]

    /// The leaf bytes of entry `index`; `.notFound` beyond the committed size.
    func leaf(_ index: Int64) throws(LedgerError) -> [UInt8]

    /// A cursor over the stored lines from line `index`, which starts at byte `offset`, up to
    /// byte `limit`, that finds the lines by their newlines and trusts no cache.
    func entryCursor(from offset: Int64, index: Int64, limit: Int64) -> Cursor

    /// The number of entry bytes stored, committed or not: past ``StoreSnapshot/committedEnd``
    /// lies an unacknowledged crash tail (a store that cannot be torn holds none).
    func storedEntryBytes() throws(LedgerError) -> Int64

    /// The caches as they are, for an audit to compare with what it recomputes, with notes on
    /// what is missing. Nothing in them is believed, and nothing is checked before.
    func recordsForAudit() -> AuditRecords<Snapshot>

    // MARK: Writing

    /// Takes the writer lock (threads of this process and other processes alike), refreshes,
    /// runs `body` with the session that writing methods require, and releases the lock.
    /// Nothing is written except through the session.
    func withWriteLock<R: Sendable>(_ body: (WriteSession) throws(LedgerError) -> R) throws(LedgerError) -> R

    /// Appends entries durably as one batch, with one commit point: when it returns, all of
    /// the batch is durable and every later ``refresh()`` sees it; when it throws, or the
    /// machine stops before it returns, a reader sees none of it (anything written past the
    /// old commit is an unacknowledged tail, cut by the next append).
    ///
    /// - Parameters:
    ///   - leaves: the canonical leaf bytes of the new entries.
    ///   - storedHashes: the stored hashes that the new leaves add, in ``StoredHashIndex``
    ///     order, computed by the caller from the leaves (``CompactRange``).
    ///   - statementHashes: one per leaf.
    ///   - lastLeafHash: the leaf hash of the last new entry.
    ///   - root: the Merkle root after the batch.
    func append(
        leaves: [[UInt8]], storedHashes: [Digest], statementHashes: [Digest], lastLeafHash: Digest, root: Digest,
        in session: WriteSession
    ) throws(LedgerError)

    // MARK: Checkpoints and cosignatures

    /// Sizes of the stored checkpoints, ascending.
    func checkpointSizes() throws(LedgerError) -> [UInt64]

    /// The stored checkpoint note of `size` with the cosignatures attached so far, or nil.
    func checkpointText(size: UInt64) throws(LedgerError) -> String?

    /// Stores the note of the checkpoint of `size`, replacing the stored one atomically: a
    /// reader sees the old note or the new one, whole. Durable when it returns.
    func storeCheckpoint(_ text: String, size: UInt64, in session: WriteSession) throws(LedgerError)

    /// Keeps a log-signed checkpoint that disagrees with the tree, as evidence of a fork, and
    /// returns where it was kept.
    func keepForkEvidence(_ text: String, size: UInt64, root: Digest, in session: WriteSession) throws(LedgerError)
        -> String
}

/// What the parts of a store are called in messages (file names for the file store).
public struct StoreNames: Sendable {
    /// The stored lines.
    public let entries: String
    /// The recorded end offsets and statement hashes.
    public let index: String
    /// The stored hashes.
    public let hashes: String
    /// The commit record.
    public let commit: String

    public init(entries: String, index: String, hashes: String, commit: String) {
        self.entries = entries
        self.index = index
        self.hashes = hashes
        self.commit = commit
    }
}

/// A type that holds the committed state of a ``LedgerStore`` as one refresh saw it, and the
/// caches recorded with the entries: each entry's end offset and statement hash, and the
/// stored hashes. Accessors take positions below the counts; callers check them first.
public protocol StoreSnapshot: Sendable {
    /// Committed number of entries.
    var size: Int64 { get }
    /// The byte length of the committed lines.
    var committedEnd: Int64 { get }
    /// The commit record behind ``size`` (nil before the first refresh).
    var commit: CommitRecord? { get }
    /// Entries with a recorded end offset and statement hash.
    var recordCount: Int64 { get }
    /// Stored hashes held.
    var storedHashCount: Int64 { get }
    /// Byte offset just past entry `i`'s newline, as recorded (`i < recordCount`).
    func endOffset(_ i: Int64) -> Int64
    /// The statement hash recorded for entry `i` (`i < recordCount`).
    func statementHash(_ i: Int64) -> Digest
    /// The stored hash at position `i` (`i < storedHashCount`).
    func storedHash(at i: Int64) -> Digest
}

extension StoreSnapshot {
    /// Byte offset where entry `i`'s line starts.
    public func startOffset(_ i: Int64) -> Int64 { i == 0 ? 0 : endOffset(i - 1) }
}

/// A store's caches as found, for an audit: which are present, and notes on the others.
public struct AuditRecords<Records: StoreSnapshot>: Sendable {
    public var records: Records
    /// Whether the end offsets and statement hashes are there at all.
    public var hasIndex: Bool
    /// Whether the stored hashes are there at all.
    public var hasHashes: Bool
    /// What is missing, for the report.
    public var notes: [String]

    public init(records: Records, hasIndex: Bool, hasHashes: Bool, notes: [String]) {
        self.records = records
        self.hasIndex = hasIndex
        self.hasHashes = hasHashes
        self.notes = notes
    }
}

/// A type that reads stored lines front to back in chunks of whole lines, finding them by
/// their newlines (it trusts no cache). Memory stays bounded by the chunk size.
public protocol EntryCursor {
    /// The next byte to read: the start of the next line.
    var offset: Int64 { get }
    /// The index of the next line.
    var nextIndex: Int64 { get }
    /// The bytes between ``offset`` and the limit once every complete line has been read: a
    /// last line without its newline (a torn write), or nothing.
    var remainingBytes: Int64 { get }
    /// The next chunk of at most `maxLines` complete lines, or nil when none is left. Throws
    /// when a line is longer than an entry may be.
    mutating func next(maxLines: Int64) throws(LedgerError) -> EntryChunk?
}

/// Consecutive stored lines: without their newlines, with the end offset of each.
public struct EntryChunk {
    public let firstIndex: Int64
    public let lines: [ArraySlice<UInt8>]
    public let ends: [Int64]

    public init(firstIndex: Int64, lines: [ArraySlice<UInt8>], ends: [Int64]) {
        self.firstIndex = firstIndex
        self.lines = lines
        self.ends = ends
    }
}

extension LedgerStore {
    /// Committed number of entries.
    public var size: Int64 { snapshot.size }
    /// The byte length of the committed lines.
    public var committedEnd: Int64 { snapshot.committedEnd }
    /// The commit record read by the last ``refresh()``.
    public var commit: CommitRecord? { snapshot.commit }

    /// The tree view over the committed entries.
    public var tree: MerkleTree<Self> { MerkleTree(reader: self, size: size) }

    /// The lines of entries `range`.
    public func lines(_ range: Range<Int64>) throws(LedgerError) -> [ArraySlice<UInt8>] {
        var buffer = [UInt8]()
        return try lines(range, reusing: &buffer)
    }

    /// Calls `body` with consecutive chunks of whole lines covering entries `from..<to`,
    /// reading about `chunkBytes` at a time (``chunks(from:to:chunkBytes:)``): memory stays
    /// bounded.
    public func forEachChunk(
        from: Int64, to: Int64, chunkBytes: Int = FileStore.chunkBytes,
        _ body: (_ firstIndex: Int64, _ lines: [ArraySlice<UInt8>]) throws(LedgerError) -> Void
    ) throws(LedgerError) {
        var buffer = [UInt8]()
        for range in chunks(from: from, to: to, chunkBytes: chunkBytes) {
            try body(range.lowerBound, try lines(range, reusing: &buffer))
        }
    }

    /// The stored hashes at `indexes` from ``snapshot``: `.notFound` for a position it does
    /// not hold. For stores whose snapshot holds the hashes in memory.
    public func readHashes(from snap: Snapshot, _ indexes: [Int64]) throws(LedgerError) -> [Digest] {
        var out = [Digest]()
        out.reserveCapacity(indexes.count)
        let count = snap.storedHashCount
        for i in indexes {
            guard i >= 0, i < count else {
                throw .notFound("stored hash \(i) does not exist (\(location) holds \(count) for \(snap.size) entries)")
            }
            out.append(snap.storedHash(at: i))
        }
        return out
    }
}
