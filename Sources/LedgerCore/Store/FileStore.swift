import LedgerCrypto
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded store: a ledger directory (specs/ledger-format.md §9).
///
/// | file | content |
/// |---|---|
/// | `entries.jsonl` | one canonical entry per line, append-only; the source of truth |
/// | `commit` | the commit record: how many entries were acknowledged (``CommitRecord``) |
/// | `entries.idx` | 40 bytes per entry: u64 LE end offset of its line (after the `\n`), its 32-byte statement hash |
/// | `tree.hashes` | the Merkle tree's stored hashes, 32 bytes each, in ``StoredHashIndex`` order |
/// | `checkpoints/` | every signed checkpoint, `<size, 20 digits>.note` |
/// | `lock` | `flock` target that serializes writers |
///
/// An append writes `entries.jsonl`, `tree.hashes` and `entries.idx`, each followed by an
/// fsync, then the commit record, fsynced: the batch is acknowledged, all of it, only then.
/// The committed size is the commit record's; anything beyond it in the other files is an
/// unacknowledged crash tail, which the next append cuts. `entries.idx` and `tree.hashes`
/// are caches: opening checks them cheaply against the commit record and refuses when they
/// disagree (`ledger repair` rebuilds them from `entries.jsonl`).
///
/// The store is opened read-only; the first write opens the files for writing. Reading
/// commands never write. Every file is opened with `O_NOFOLLOW`.
public final class FileStore: LedgerStore {
    public static let entriesFile = "entries.jsonl"
    public static let indexFile = "entries.idx"
    public static let hashesFile = "tree.hashes"
    public static let commitFile = CommitRecord.fileName
    public static let checkpointsDirectory = "checkpoints"
    public static let lockFile = "lock"
    static let indexRecord = 40

    public let directory: String
    public var location: String { directory }
    public var names: StoreNames {
        StoreNames(
            entries: FileStore.entriesFile, index: FileStore.indexFile, hashes: FileStore.hashesFile,
            commit: FileStore.commitFile)
    }
    let entriesFD: Int32
    let indexFD: Int32
    let hashesFD: Int32
    let commitFD: Int32
    /// What the last ``refresh()`` saw. It is replaced whole, under the lock, so a reader on
    /// any thread sees one commit record with the maps that go with it.
    let current = Mutex<Snapshot>(Snapshot())
    /// The descriptors opened for writing, once a write needs them. Holding this lock also
    /// serializes the threads of this process that write, as `flock` serializes processes.
    let writer = Mutex<WriteHandles?>(nil)

    /// The committed state as one refresh saw it: immutable, so it can be read from any
    /// thread without a lock.
    public struct Snapshot: StoreSnapshot {
        let index: MappedFile
        let hashes: MappedFile
        /// Committed number of entries (the commit record's size).
        public let size: Int64
        /// The byte length of `entries.jsonl` that holds the committed entries.
        public let committedEnd: Int64
        /// The commit record.
        public let commit: CommitRecord?
        /// The `entries.idx` records mapped.
        public var recordCount: Int64 { Int64(index.count / FileStore.indexRecord) }
        /// The stored hashes mapped.
        public var storedHashCount: Int64 { Int64(hashes.count / 32) }

        init(
            index: MappedFile = .empty, hashes: MappedFile = .empty, size: Int64 = 0, committedEnd: Int64 = 0,
            commit: CommitRecord? = nil
        ) {
            self.index = index
            self.hashes = hashes
            self.size = size
            self.committedEnd = committedEnd
            self.commit = commit
        }

        /// Byte offset just past entry `i`'s newline, as the index records it.
        public func endOffset(_ i: Int64) -> Int64 {
            precondition(i >= 0 && i < recordCount)
            return index.indexEndOffset(i)
        }

        /// The statement hash recorded for entry `i` (a cache: compare before trusting it).
        public func statementHash(_ i: Int64) -> Digest { index.indexStatementHash(i) }

        /// The stored hash at position `i` (a cache: compare before trusting it).
        public func storedHash(at i: Int64) -> Digest { hashes.storedHash(at: i) }
    }

    /// The descriptors a write uses.
    struct WriteHandles: Sendable {
        let lock: Int32
        let entries: Int32
        let index: Int32
        let hashes: Int32
        let commit: Int32
    }

    /// Proof that the caller holds the writer lock: the descriptors to write with.
    public struct WriteSession: Sendable {
        let handles: WriteHandles
    }

    /// The committed state as the last ``refresh()`` saw it.
    public var snapshot: Snapshot { current.withLock { $0 } }

    func path(_ name: String) -> String { directory + "/" + name }

    /// Whether `directory` holds a ledger.
    public static func exists(at directory: String) -> Bool {
        POSIX.exists(directory + "/" + entriesFile)
    }

    /// Creates an empty ledger directory with its commit record. Fails if one is already there.
    public static func create(at directory: String) throws(LedgerError) {
        if POSIX.exists(directory + "/" + entriesFile) { throw .refused("\(directory): a ledger already exists here") }
        try POSIX.mkdir(directory)
        try POSIX.mkdir(directory + "/" + checkpointsDirectory)
        for f in [entriesFile, indexFile, hashesFile, lockFile, commitFile] {
            let fd = try POSIX.open(directory + "/" + f, O_WRONLY | O_CREAT | O_EXCL)
            if f == commitFile { try POSIX.writeAll(fd, CommitRecord.empty.fileBytes, path: f) }
            try POSIX.fsync(fd, path: f)
            close(fd)
        }
        try POSIX.fsyncDirectory(directory)
    }

    /// Opens a ledger directory for reading and reads the commit record, checking the derived
    /// files against it (``refresh()``).
    ///
    /// - Parameter checkingCaches: false opens the files without reading or checking
    ///   anything, for an audit or a repair that must work whatever state the caches are in.
    public init(directory: String, checkingCaches: Bool = true) throws(LedgerError) {
        guard FileStore.exists(at: directory) else {
            throw .notFound("\(directory): not a ledger directory (no \(FileStore.entriesFile))")
        }
        self.directory = directory
        // O_NONBLOCK: a FIFO planted under a ledger file's name must not hang a reader; it is
        // then refused as not a regular file.
        var fds = [Int32]()
        do throws(LedgerError) {
            fds.append(try POSIX.open(directory + "/" + FileStore.entriesFile, O_RDONLY | O_NONBLOCK))
            for name in [FileStore.indexFile, FileStore.hashesFile, FileStore.commitFile] {
                fds.append(try POSIX.openIfExists(directory + "/" + name, O_RDONLY | O_NONBLOCK) ?? -1)
            }
            for (fd, name) in zip(
                fds, [FileStore.entriesFile, FileStore.indexFile, FileStore.hashesFile, FileStore.commitFile])
            where fd >= 0 {
                try POSIX.requireRegularFile(fd, path: directory + "/" + name)
            }
        } catch {
            for fd in fds where fd >= 0 { close(fd) }
            throw error
        }
        entriesFD = fds[0]
        indexFD = fds[1]
        hashesFD = fds[2]
        commitFD = fds[3]
        if checkingCaches { try refresh() }
    }

    deinit {
        for fd in [entriesFD, indexFD, hashesFD, commitFD] where fd >= 0 { close(fd) }
        if let w = writer.withLock({ $0 }) { for fd in [w.lock, w.entries, w.index, w.hashes, w.commit] { close(fd) } }
    }

    /// The advice that every damaged-cache error ends with.
    public var repairAdvice: String { "run `ledger repair \(directory)`" }

    /// Throws when the commit record is of a format version this code does not know (and only
    /// then: a missing or damaged record is not this check's business).
    public func checkFormatVersion() throws(LedgerError) {
        do { _ = try readCommitRecord() } catch { if error.code == .malformed { throw error } }
    }

    /// Reads the commit record, or throws why there is none.
    public func readCommitRecord() throws(LedgerError) -> CommitRecord {
        guard commitFD >= 0 else {
            throw .chainBroken(
                "\(path(FileStore.commitFile)): missing, so what was acknowledged is unknown; \(repairAdvice)")
        }
        let n = try POSIX.size(commitFD, path: path(FileStore.commitFile))
        guard n <= 8192 else { throw .chainBroken("\(path(FileStore.commitFile)): is \(n) bytes, not a commit record") }
        let bytes = try POSIX.readAll(commitFD, at: 0, count: Int(n), path: path(FileStore.commitFile))
        do { return try CommitRecord.read(fileBytes: bytes, path: path(FileStore.commitFile)) } catch {
            if error.code == .malformed { throw error }
            throw LedgerError(code: error.code, message: error.message + "; " + repairAdvice)
        }
    }

    /// Re-reads the commit record and re-maps the index and stored hashes (after another
    /// process appended). Throws, naming the file and what is wrong, when `entries.jsonl` is
    /// shorter than what was acknowledged or a derived file disagrees with the commit record.
    /// Reads only; a tail beyond the committed size is left for the next append to cut.
    public func refresh() throws(LedgerError) {
        let c = try readCommitRecord()
        let entriesBytes = try entriesFileSize()
        guard entriesBytes >= c.entriesEnd else {
            throw .chainBroken(
                "\(path(FileStore.entriesFile)): is \(entriesBytes) bytes but the commit record acknowledges \(c.size) "
                    + "entries in \(c.entriesEnd) bytes: acknowledged entries are missing"
            )
        }
        let idxPath = path(FileStore.indexFile)
        let idxBytes = indexFD >= 0 ? try POSIX.size(indexFD, path: idxPath) : -1
        guard idxBytes >= 0 else { throw .chainBroken("\(idxPath): missing; \(repairAdvice)") }
        guard idxBytes / Int64(FileStore.indexRecord) >= c.size else {
            throw .chainBroken(
                "\(idxPath): holds \(idxBytes / Int64(FileStore.indexRecord)) records but \(c.size) entries are "
                    + "committed; \(repairAdvice)"
            )
        }
        let hashPath = path(FileStore.hashesFile)
        let hashBytes = hashesFD >= 0 ? try POSIX.size(hashesFD, path: hashPath) : -1
        guard hashBytes >= 0 else { throw .chainBroken("\(hashPath): missing; \(repairAdvice)") }
        let needed = StoredHashIndex.count(size: c.size) * 32
        guard hashBytes >= needed else {
            throw .chainBroken(
                "\(hashPath): holds \(hashBytes / 32) hashes, \(needed / 32) needed for \(c.size) entries; "
                    + "\(repairAdvice)"
            )
        }
        let newIndex = try MappedFile(fd: indexFD, count: Int(c.size) * FileStore.indexRecord, path: idxPath)
        let newHashes = try MappedFile(fd: hashesFD, count: Int(needed), path: hashPath)
        if c.size > 0 {
            let end = newIndex.indexEndOffset(c.size - 1)
            guard end == c.entriesEnd else {
                throw .chainBroken(
                    "\(idxPath): entry \(c.size - 1) ends at byte \(end), but the commit record says \(c.entriesEnd); "
                        + "\(repairAdvice)"
                )
            }
            let last = newHashes.storedHash(at: StoredHashIndex.index(level: 0, n: c.size - 1))
            guard last == c.lastLeafHash else {
                throw .chainBroken(
                    "\(hashPath): the leaf hash of entry \(c.size - 1) differs from the commit record's; "
                        + "\(repairAdvice)"
                )
            }
        }
        install(Snapshot(index: newIndex, hashes: newHashes, size: c.size, committedEnd: c.entriesEnd, commit: c))
    }

    /// Makes `fresh` what readers see, unless a larger committed size is already seen.
    ///
    /// Two refreshes can run at once in one process (a server's reader and its writer, which
    /// refreshes under the lock and after each append): the one that read an older commit
    /// record must not replace the other's newer snapshot. The committed size only grows; a
    /// writer that read a stale size trapped on its hash count (`ledger serve` died under load),
    /// and would otherwise cut acknowledged entries as an unacknowledged tail.
    package func install(_ fresh: Snapshot) {
        current.withLock { snapshot in
            if fresh.size >= snapshot.size { snapshot = fresh }
        }
    }

    // MARK: Reading

    /// Byte offset just past entry `i`'s newline, as the index records it (checked by the
    /// readers against the file: see ``lines(_:reusing:)``). Loops read a ``snapshot`` once.
    public func endOffset(_ i: Int64) -> Int64 { snapshot.endOffset(i) }

    /// Byte offset where entry `i`'s line starts.
    public func startOffset(_ i: Int64) -> Int64 { snapshot.startOffset(i) }

    /// The statement hash recorded for entry `i` (a cache: compare before trusting it).
    public func statementHash(_ i: Int64) -> Digest { snapshot.statementHash(i) }

    /// The stored hash at position `i` of the committed tree (a cache: compare before
    /// trusting it). The position must be below the stored-hash count.
    public func storedHash(at i: Int64) -> Digest { snapshot.storedHash(at: i) }

    public func readHashes(_ indexes: [Int64]) throws(LedgerError) -> [Digest] {
        try readHashes(from: snapshot, indexes)
    }

    /// The leaf hash of entry `i`, from the stored hashes.
    public func leafHash(_ i: Int64) -> Digest { storedHash(at: StoredHashIndex.index(level: 0, n: i)) }

    /// Checks the index's offsets for entries `range`: each line is 1 to `Entry.maxBytes` + 1
    /// bytes, the offsets increase, and the last one is within the committed bytes. So no
    /// offset read from the index can make a reader allocate or read more than the file holds.
    func checkedSpan(_ range: Range<Int64>, in snap: Snapshot) throws(LedgerError) -> (start: Int64, end: Int64) {
        var prev = snap.startOffset(range.lowerBound)
        let first = prev
        guard first >= 0, first <= snap.committedEnd else {
            throw .chainBroken(
                "entry \(range.lowerBound): \(path(FileStore.indexFile)) puts its line at byte \(first), outside the "
                    + "\(snap.committedEnd) committed bytes of \(FileStore.entriesFile); \(repairAdvice)"
            )
        }
        for k in range {
            let e = snap.endOffset(k)
            guard e > prev, e - prev <= Int64(Entry.maxBytes) + 1, e <= snap.committedEnd else {
                throw .chainBroken(
                    "entry \(k): \(path(FileStore.indexFile)) gives the line bytes \(prev)..<\(e), which cannot hold "
                        + "an entry of \(path(FileStore.entriesFile)) (\(snap.committedEnd) committed bytes); "
                        + "\(repairAdvice)"
                )
            }
            prev = e
        }
        return (first, prev)
    }

    /// The leaf bytes of entry `i` (its line without the newline).
    public func leaf(_ i: Int64) throws(LedgerError) -> [UInt8] {
        let snap = snapshot
        guard i >= 0 && i < snap.size else {
            throw .notFound("entry \(i) does not exist (the ledger has \(snap.size) entries)")
        }
        let (start, end) = try checkedSpan(i..<(i + 1), in: snap)
        var bytes = try POSIX.readAll(entriesFD, at: start, count: Int(end - start), path: path(FileStore.entriesFile))
        guard bytes.last == 0x0a, !bytes.dropLast().contains(0x0a) else {
            throw .chainBroken(
                "entry \(i): \(FileStore.entriesFile) does not match \(FileStore.indexFile) here (the line the index "
                    + "names does not end at its newline): \(FileStore.entriesFile) was changed at or before entry "
                    + "\(i), or the index is damaged; \(repairAdvice)"
            )
        }
        bytes.removeLast()
        return bytes
    }

    /// The size of the chunks that replays read: every replay cuts the file at the same
    /// entries, so a damaged file gives every replay the same first error (a chunk with a
    /// broken line is refused before any of its entries is applied).
    public static let chunkBytes = 8 << 20

    /// Entries `from..<to` cut into consecutive ranges of about `chunkBytes` of lines each
    /// (at least one entry each): the chunks that `forEachChunk(from:to:chunkBytes:_:)` reads.
    public func chunks(from: Int64, to: Int64, chunkBytes: Int = FileStore.chunkBytes) -> [Range<Int64>] {
        snapshot.chunks(from: from, to: to, chunkBytes: chunkBytes)
    }

    /// The lines of entries `range` (without their newlines), read with one `pread` into
    /// `buffer`, which grows when it is too small: the lines
    /// are slices of it. A buffer that no slice refers to any more is reused without
    /// allocating (or touching new pages). The index's offsets are checked first
    /// (``checkedSpan(_:)``), and each line must end at the newline the index names.
    public func lines(_ range: Range<Int64>, reusing buffer: inout [UInt8]) throws(LedgerError)
        -> [ArraySlice<UInt8>]
    {
        guard !range.isEmpty else { return [] }
        let snap = snapshot
        guard range.lowerBound >= 0, range.upperBound <= snap.size else {
            throw .notFound(
                "entries \(range.lowerBound)..<\(range.upperBound) do not exist (the ledger has \(snap.size) entries)")
        }
        let (start, end) = try checkedSpan(range, in: snap)
        let count = Int(end - start)
        if buffer.count < count { buffer = [UInt8](repeating: 0, count: count) }
        let path = path(FileStore.entriesFile)
        try buffer.withUnsafeMutableBytes { raw in
            Result { () throws(LedgerError) in
                try POSIX.readAll(
                    entriesFD, at: start, into: UnsafeMutableRawBufferPointer(rebasing: raw[..<count]), path: path)
            }
        }.get()
        var lines = [ArraySlice<UInt8>]()
        lines.reserveCapacity(range.count)
        var s = 0
        for k in range {
            let e = Int(snap.endOffset(k) - start)
            guard buffer[e - 1] == 0x0a else {
                throw .chainBroken(
                    "entry \(k): line does not end with a newline at byte \(start + Int64(e)), where "
                        + "\(FileStore.indexFile) puts its end: \(FileStore.entriesFile) was changed at or before "
                        + "entry \(k), or the index is damaged; `ledger verify` finds which, \(repairAdvice)"
                )
            }
            lines.append(buffer[s..<(e - 1)])
            s = e
        }
        return lines
    }

    /// Size of the entries file in bytes.
    public func entriesFileSize() throws(LedgerError) -> Int64 {
        try POSIX.size(entriesFD, path: path(FileStore.entriesFile))
    }

    public func storedEntryBytes() throws(LedgerError) -> Int64 { try entriesFileSize() }

    /// A reader of `entries.jsonl` that finds lines by their newlines, from line `index`
    /// starting at byte `offset`, up to byte `limit`.
    public func entryCursor(from offset: Int64 = 0, index: Int64 = 0, limit: Int64) -> EntryLineReader {
        EntryLineReader(fd: entriesFD, path: path(FileStore.entriesFile), offset: offset, index: index, limit: limit)
    }

    /// Maps `entries.idx` and `tree.hashes` whole, as they are (or notes that one is missing).
    public func recordsForAudit() -> AuditRecords<Snapshot> {
        var maps = [MappedFile.empty, MappedFile.empty]
        var present = [false, false]
        var notes = [String]()
        for (k, (fd, name, record)) in [
            (indexFD, FileStore.indexFile, FileStore.indexRecord), (hashesFD, FileStore.hashesFile, 32),
        ].enumerated() {
            guard fd >= 0 else {
                notes.append("\(name) is missing (a cache: `ledger repair` rebuilds it)")
                continue
            }
            guard let bytes = try? POSIX.size(fd, path: path(name)),
                let m = try? MappedFile(fd: fd, count: Int(bytes / Int64(record)) * record, path: path(name))
            else { continue }
            maps[k] = m
            present[k] = true
        }
        return AuditRecords(
            records: Snapshot(index: maps[0], hashes: maps[1]), hasIndex: present[0], hasHashes: present[1],
            notes: notes)
    }

    // MARK: Writing

    /// Opens the lock file (creating it if it is missing) and the files for writing. A
    /// missing data file is not created: that is `ledger repair`'s job.
    func openForWriting() throws(LedgerError) -> WriteHandles {
        var fds = [Int32]()
        do throws(LedgerError) {
            fds.append(try POSIX.open(path(FileStore.lockFile), O_RDWR | O_CREAT))
            fds.append(try POSIX.open(path(FileStore.entriesFile), O_RDWR | O_APPEND))
            // Not O_APPEND for the commit record: it is written in place, slot by slot.
            for (name, flags) in [
                (FileStore.indexFile, O_RDWR | O_APPEND), (FileStore.hashesFile, O_RDWR | O_APPEND),
                (FileStore.commitFile, O_RDWR),
            ] {
                guard let fd = try POSIX.openIfExists(path(name), flags) else {
                    throw .chainBroken("\(path(name)): missing; \(repairAdvice)")
                }
                fds.append(fd)
            }
            for (fd, name) in zip(
                fds.dropFirst(),
                [FileStore.entriesFile, FileStore.indexFile, FileStore.hashesFile, FileStore.commitFile])
            {
                try POSIX.requireSoleRegularFile(fd, path: path(name))
            }
        } catch {
            for fd in fds { close(fd) }
            throw error
        }
        return WriteHandles(lock: fds[0], entries: fds[1], index: fds[2], hashes: fds[3], commit: fds[4])
    }

    /// Takes the writer lock (blocking: threads of this process, then processes with
    /// `flock`), re-reads the commit record and checks the derived files against it
    /// (``refresh()``), runs `body`, and releases the lock. Nothing is written before `body`
    /// writes, through the session it is given.
    public func withWriteLock<R: Sendable>(_ body: (WriteSession) throws(LedgerError) -> R) throws(LedgerError) -> R {
        try writer.withLock { (handles: inout WriteHandles?) throws(LedgerError) -> R in
            if handles == nil { handles = try openForWriting() }
            let h = handles!
            while flock(h.lock, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    throw .locked("\(path(FileStore.lockFile)): cannot lock: \(POSIX.errorText())")
                }
            }
            defer { flock(h.lock, LOCK_UN) }
            try refresh()
            return try body(WriteSession(handles: h))
        }
    }

    /// Cuts what lies beyond the committed size in each file: the unacknowledged tail of a
    /// batch that a crash interrupted. Call with the lock held, after ``refresh()`` (which
    /// refuses when a file is shorter than the committed size). Returns the bytes cut from
    /// `entries.jsonl`.
    @discardableResult
    func cutUnacknowledgedTail(_ session: WriteSession) throws(LedgerError) -> Int64 {
        let w = session.handles
        let size = self.size
        let committedEnd = self.committedEnd
        // A signed checkpoint beyond the commit record means the record is stale or damaged,
        // not that a crash left a tail: nothing a checkpoint covers is ever cut.
        if let covered = checkpointSizes().last, covered > UInt64(size) {
            throw .chainBroken(
                "\(path(FileStore.commitFile)): acknowledges \(size) entries but the stored checkpoint of size "
                    + "\(covered) covers more; nothing was cut; \(repairAdvice)"
            )
        }
        let files: [(Int32, String, Int64)] = [
            (w.entries, FileStore.entriesFile, committedEnd),
            (w.hashes, FileStore.hashesFile, StoredHashIndex.count(size: size) * 32),
            (w.index, FileStore.indexFile, size * Int64(FileStore.indexRecord)),
        ]
        var cut: Int64 = 0
        for (fd, name, keep) in files {
            let have = try POSIX.size(fd, path: path(name))
            if have > keep {
                try POSIX.truncate(fd, to: keep, path: path(name))
                try POSIX.fsync(fd, path: path(name))
                if name == FileStore.entriesFile { cut = have - keep }
            }
        }
        return cut
    }

    /// Appends entries durably as one batch: the unacknowledged tail of an earlier crash is
    /// cut, then the lines, stored hashes and index records are written and fsynced, and last
    /// the commit record. Call with the lock held. On an I/O failure the files are cut back;
    /// whatever is left past the old commit record is an unacknowledged tail.
    ///
    /// - Parameters:
    ///   - leaves: the canonical leaf bytes of the new entries.
    ///   - storedHashes: the stored hashes that the new leaves add, in order, computed by the
    ///     caller from the leaves (``CompactRange``), not read back from this store.
    ///   - statementHashes: one per leaf.
    ///   - lastLeafHash: the leaf hash of the last new entry.
    ///   - root: the Merkle root after the batch.
    public func append(
        leaves: [[UInt8]], storedHashes newHashes: [Digest], statementHashes: [Digest], lastLeafHash: Digest,
        root: Digest, in session: WriteSession
    ) throws(LedgerError) {
        precondition(leaves.count == statementHashes.count)
        guard !leaves.isEmpty else { return }
        let w = session.handles
        let snap = snapshot
        guard let old = snap.commit else { throw .io("\(directory): no commit record read") }
        let oldSize = snap.size
        let oldEnd = snap.committedEnd
        let newSize = oldSize + Int64(leaves.count)
        precondition(
            StoredHashIndex.count(size: newSize) - StoredHashIndex.count(size: oldSize) == Int64(newHashes.count))
        try cutUnacknowledgedTail(session)
        var data = [UInt8]()
        data.reserveCapacity(leaves.reduce(0) { $0 + $1.count + 1 })
        var idx = [UInt8]()
        idx.reserveCapacity(leaves.count * FileStore.indexRecord)
        var end = oldEnd
        for (k, leaf) in leaves.enumerated() {
            data.append(contentsOf: leaf)
            data.append(0x0a)
            end += Int64(leaf.count + 1)
            withUnsafeBytes(of: end.littleEndian) { idx.append(contentsOf: $0) }
            statementHashes[k].withBytes { idx.append(contentsOf: $0) }
        }
        var hashBytes = [UInt8]()
        hashBytes.reserveCapacity(newHashes.count * 32)
        for h in newHashes { h.withBytes { hashBytes.append(contentsOf: $0) } }
        let record = CommitRecord(
            sequence: old.sequence &+ 1, size: newSize, entriesEnd: end, lastLeafHash: lastLeafHash, root: root)
        do {
            try POSIX.writeAll(w.entries, data, path: path(FileStore.entriesFile))
            try POSIX.fsync(w.entries, path: path(FileStore.entriesFile))
            try POSIX.writeAll(w.hashes, hashBytes, path: path(FileStore.hashesFile))
            try POSIX.fsync(w.hashes, path: path(FileStore.hashesFile))
            try POSIX.writeAll(w.index, idx, path: path(FileStore.indexFile))
            try POSIX.fsync(w.index, path: path(FileStore.indexFile))
            try writeCommitRecord(record, fd: w.commit)
        } catch {
            _ = ftruncate(w.index, off_t(oldSize * Int64(FileStore.indexRecord)))
            _ = ftruncate(w.hashes, off_t(StoredHashIndex.count(size: oldSize) * 32))
            _ = ftruncate(w.entries, off_t(oldEnd))
            throw error
        }
        try refresh()
    }

    /// Writes `record` into the slot its sequence number selects and fsyncs it: the commit point.
    func writeCommitRecord(_ record: CommitRecord, fd: Int32) throws(LedgerError) {
        let slot = CommitRecord.slotOffsets[Int(record.sequence % 2)]
        let bytes = record.encoded
        let p = path(FileStore.commitFile)
        try POSIX.writeAll(fd, bytes, at: slot, path: p)
        try POSIX.fsync(fd, path: p)
    }

    // MARK: Checkpoints

    func checkpointPath(size: UInt64) -> String {
        var s = String(size)
        while s.count < 20 { s = "0" + s }
        return path(FileStore.checkpointsDirectory) + "/" + s + ".note"
    }

    /// Sizes of the stored checkpoints, ascending: files named by exactly 20 decimal digits
    /// and `.note`. Any other file in the directory is not a stored checkpoint.
    public func checkpointSizes() -> [UInt64] {
        POSIX.listDirectory(path(FileStore.checkpointsDirectory)).compactMap { name in
            let u = Array(name.utf8)
            guard u.count == 25, name.hasSuffix(".note"), u[0..<20].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                return nil
            }
            return UInt64(String(decoding: u[0..<20], as: UTF8.self))
        }.sorted()
    }

    /// The stored checkpoint note of `size`, as text (at most 64 KiB; strict UTF-8).
    public func checkpointText(size: UInt64) throws(LedgerError) -> String? {
        let p = checkpointPath(size: size)
        guard POSIX.exists(p) else { return nil }
        let bytes = try POSIX.readFile(p, limit: 64 << 10)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformed("\(p): not valid UTF-8")
        }
        return text
    }

    /// Stores a checkpoint note atomically (temp file, fsync, rename). Call with the lock held.
    public func storeCheckpoint(_ text: String, size: UInt64) throws(LedgerError) {
        try POSIX.mkdir(path(FileStore.checkpointsDirectory))
        try POSIX.requireRealDirectory(path(FileStore.checkpointsDirectory))
        try POSIX.writeAtomically(Array(text.utf8), to: checkpointPath(size: size))
    }

    public func storeCheckpoint(_ text: String, size: UInt64, in session: WriteSession) throws(LedgerError) {
        try storeCheckpoint(text, size: size)
    }

    /// Keeps the note under `checkpoints/conflicts/<size>-<root hex, 16 digits>.note`.
    public func keepForkEvidence(_ text: String, size: UInt64, root: Digest, in session: WriteSession)
        throws(LedgerError) -> String
    {
        let evidence = path(FileStore.checkpointsDirectory) + "/conflicts"
        try POSIX.requireRealDirectory(path(FileStore.checkpointsDirectory))
        try POSIX.mkdir(evidence)
        try POSIX.requireRealDirectory(evidence)
        let file = evidence + "/\(size)-\(root.hex.prefix(16)).note"
        try POSIX.writeAtomically(Array(text.utf8), to: file)
        return file
    }
}

/// File helpers for the CLI and tools, kept with the rest of the I/O.
package enum LedgerFiles {
    /// Reads a whole file.
    package static func read(_ path: String) throws(LedgerError) -> [UInt8] {
        guard POSIX.exists(path) else { throw .notFound("\(path): no such file") }
        return try POSIX.readFile(path)
    }

    /// Writes a private key file with mode 0600; refuses to overwrite.
    package static func writePrivateKey(_ key: NoteSignerKey, to path: String) throws(LedgerError) {
        guard !POSIX.exists(path) else { throw .refused("\(path): already exists; refusing to overwrite a key") }
        try POSIX.writeNew(Array((key.privateKeyText + "\n").utf8), to: path, mode: 0o600)
    }

    /// Reads a private key file.
    package static func readPrivateKey(_ path: String) throws(LedgerError) -> NoteSignerKey {
        let text = try StrictUTF8.decode(try read(path), what: path)
        do { return try NoteSignerKey(parsing: text) } catch { throw .malformed("\(path): \(error.message)") }
    }

    /// Writes a file atomically.
    package static func writeAtomically(_ bytes: [UInt8], to path: String) throws(LedgerError) {
        try POSIX.writeAtomically(bytes, to: path)
    }

    package static func isDirectory(_ path: String) -> Bool { POSIX.isDirectory(path) }
    package static func exists(_ path: String) -> Bool { POSIX.exists(path) }
    package static func makeDirectory(_ path: String) throws(LedgerError) { try POSIX.mkdir(path) }
}

/// A proof server over a ledger directory for one tree size: the right-edge hashes are
/// computed once, and every proof is a few stored-hash reads. (Concrete, so that the tree
/// code is specialized for the file store.)
public struct FileProofServer: Sendable {
    let tree: MerkleTree<MappedHashReader>
    public let treeSize: Int64

    public init(store: FileStore, treeSize: Int64) throws(LedgerError) {
        let snap = store.snapshot
        guard treeSize >= 0, treeSize <= snap.size else {
            throw .notFound("tree size \(treeSize) is beyond the log size \(snap.size)")
        }
        let reader = MappedHashReader(file: snap.hashes)
        self.tree = try MerkleTree(reader: reader, size: snap.size).cachingEdge(treeSize: treeSize)
        self.treeSize = treeSize
    }

    public func inclusionProof(index: Int64) throws(LedgerError) -> [Digest] {
        try tree.inclusionProof(index: index, treeSize: treeSize)
    }

    public func consistencyProof(oldSize: Int64) throws(LedgerError) -> [Digest] {
        try tree.consistencyProof(oldSize: oldSize, newSize: treeSize)
    }

    public func root() throws(LedgerError) -> Digest { try tree.root(treeSize: treeSize) }
}

/// Reads stored hashes straight from one memory map (no class property access per read).
///
/// `@unchecked Sendable` is safe: every stored property is a `let`; `base` points into the
/// read-only map that `file` (itself immutable) owns and keeps alive, and the map is only
/// read.
struct MappedHashReader: HashReader, @unchecked Sendable {
    let file: MappedFile
    let base: UnsafeRawPointer?
    let count: Int64

    init(file: MappedFile) {
        self.file = file
        self.base = file.base
        self.count = Int64(file.count / 32)
    }

    func readHashes(_ indexes: [Int64]) throws(LedgerError) -> [Digest] {
        try [Digest](unsafeUninitializedCapacity: indexes.count) { out, initialized throws(LedgerError) in
            for (k, i) in indexes.enumerated() {
                guard i >= 0, i < count, let base else {
                    throw .notFound("stored hash \(i) does not exist (\(count) are stored)")
                }
                (out.baseAddress! + k).initialize(to: base.loadUnaligned(fromByteOffset: Int(i) &* 32, as: Digest.self))
                initialized = k + 1
            }
        }
    }
}

/// The record layouts of the two cache files, read from their maps in one place.
extension MappedFile {
    /// `entries.idx` record `i`: the byte offset just past its line's newline.
    func indexEndOffset(_ i: Int64) -> Int64 {
        Int64(littleEndian: buffer.loadUnaligned(fromByteOffset: Int(i) * FileStore.indexRecord, as: Int64.self))
    }

    /// `entries.idx` record `i`: its statement hash.
    func indexStatementHash(_ i: Int64) -> Digest {
        Digest(unsafeBytes: UnsafeRawBufferPointer(rebasing: buffer[(Int(i) * FileStore.indexRecord + 8)...]))
    }

    /// `tree.hashes` position `i`.
    func storedHash(at i: Int64) -> Digest {
        Digest(unsafeBytes: UnsafeRawBufferPointer(rebasing: buffer[(Int(i) * 32)...]))
    }
}
