import LedgerCrypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded store: a ledger directory (specs/ledger-format.md §Store).
///
/// | file | content |
/// |---|---|
/// | `entries.jsonl` | one canonical entry per line, append-only; the source of truth |
/// | `entries.idx` | 40 bytes per entry: u64 little-endian end offset of its line (after the `\n`), then its 32-byte statement hash |
/// | `tree.hashes` | the Merkle tree's stored hashes, 32 bytes each, in ``StoredHashIndex`` order |
/// | `checkpoints/` | every signed checkpoint, `<size, 20 digits>.note` |
/// | `lock` | `flock` target that serializes writers |
///
/// Appends write `entries.jsonl`, then `tree.hashes`, then `entries.idx`, each followed by an
/// fsync; an entry is acknowledged once all three are durable. The index is written last, so
/// its length defines the committed size; anything beyond it (a torn or unacknowledged tail)
/// is cut off by ``repair()`` on the next open for writing.
public final class FileStore: HashReader, @unchecked Sendable {
    public static let entriesFile = "entries.jsonl"
    public static let indexFile = "entries.idx"
    public static let hashesFile = "tree.hashes"
    public static let checkpointsDirectory = "checkpoints"
    public static let lockFile = "lock"
    static let indexRecord = 40

    public let directory: String
    let entriesFD: Int32
    let indexFD: Int32
    let hashesFD: Int32
    var lockFD: Int32 = -1
    var index: MappedFile
    var hashes: MappedFile
    /// Committed number of entries.
    public private(set) var size: Int64 = 0

    func path(_ name: String) -> String { directory + "/" + name }

    /// Whether `directory` holds a ledger.
    public static func exists(at directory: String) -> Bool {
        POSIX.exists(directory + "/" + entriesFile)
    }

    /// Creates an empty ledger directory. Fails if one is already there.
    public static func create(at directory: String) throws(LedgerError) {
        if POSIX.exists(directory + "/" + entriesFile) { throw .refused("\(directory): a ledger already exists here") }
        try POSIX.mkdir(directory)
        try POSIX.mkdir(directory + "/" + checkpointsDirectory)
        for f in [entriesFile, indexFile, hashesFile, lockFile] {
            let fd = try POSIX.open(directory + "/" + f, O_WRONLY | O_CREAT | O_TRUNC)
            try POSIX.fsync(fd, path: f)
            close(fd)
        }
        try POSIX.fsyncDirectory(directory)
    }

    /// Opens a ledger directory. Reading needs no lock: the committed size is read from the
    /// index, which is only ever extended after the data it points to is durable.
    public init(directory: String) throws(LedgerError) {
        guard FileStore.exists(at: directory) else {
            throw .notFound("\(directory): not a ledger directory (no \(FileStore.entriesFile))")
        }
        self.directory = directory
        entriesFD = try POSIX.open(directory + "/" + FileStore.entriesFile, O_RDWR | O_APPEND)
        indexFD = try POSIX.open(directory + "/" + FileStore.indexFile, O_RDWR | O_APPEND | O_CREAT)
        hashesFD = try POSIX.open(directory + "/" + FileStore.hashesFile, O_RDWR | O_APPEND | O_CREAT)
        index = try MappedFile(fd: indexFD, count: 0, path: "")
        hashes = try MappedFile(fd: hashesFD, count: 0, path: "")
        try refresh()
    }

    deinit {
        close(entriesFD)
        close(indexFD)
        close(hashesFD)
        if lockFD >= 0 { close(lockFD) }
    }

    /// Re-reads the committed size and re-maps the index and hashes (after another process appended).
    public func refresh() throws(LedgerError) {
        let idxBytes = try POSIX.size(indexFD, path: path(FileStore.indexFile))
        let n = idxBytes / Int64(FileStore.indexRecord)
        let hashBytes = try POSIX.size(hashesFD, path: path(FileStore.hashesFile))
        let needed = StoredHashIndex.count(size: n) * 32
        guard hashBytes >= needed else {
            throw .io(
                "\(path(FileStore.hashesFile)): has \(hashBytes / 32) hashes, \(needed / 32) needed for \(n) entries; run `ledger repair`"
            )
        }
        index = try MappedFile(fd: indexFD, count: Int(n) * FileStore.indexRecord, path: path(FileStore.indexFile))
        hashes = try MappedFile(fd: hashesFD, count: Int(needed), path: path(FileStore.hashesFile))
        size = n
    }

    // MARK: Reading

    /// Byte offset just past entry `i`'s newline.
    public func endOffset(_ i: Int64) -> Int64 {
        precondition(i >= 0 && i < size)
        return Int64(
            littleEndian: index.buffer.loadUnaligned(fromByteOffset: Int(i) * FileStore.indexRecord, as: Int64.self))
    }

    /// Byte offset where entry `i`'s line starts.
    public func startOffset(_ i: Int64) -> Int64 { i == 0 ? 0 : endOffset(i - 1) }

    /// The statement hash recorded for entry `i`.
    public func statementHash(_ i: Int64) -> Digest {
        Digest(unsafeBytes: UnsafeRawBufferPointer(rebasing: index.buffer[(Int(i) * FileStore.indexRecord + 8)...]))
    }

    public func storedHash(at i: Int64) -> Digest {
        Digest(unsafeBytes: UnsafeRawBufferPointer(rebasing: hashes.buffer[(Int(i) * 32)...]))
    }

    /// The leaf hash of entry `i`, from the stored hashes.
    public func leafHash(_ i: Int64) -> Digest { storedHash(at: StoredHashIndex.index(level: 0, n: i)) }

    /// The tree view over the committed entries.
    public var tree: MerkleTree<FileStore> { MerkleTree(reader: self, size: size) }

    /// The leaf bytes of entry `i` (its line without the newline).
    public func leaf(_ i: Int64) throws(LedgerError) -> [UInt8] {
        guard i >= 0 && i < size else { throw .notFound("entry \(i) does not exist (the ledger has \(size) entries)") }
        let start = startOffset(i)
        let end = endOffset(i)
        guard end > start else { throw .io("\(path(FileStore.indexFile)): entry \(i) has an empty line") }
        var bytes = try POSIX.readAll(entriesFD, at: start, count: Int(end - start), path: path(FileStore.entriesFile))
        guard bytes.last == 0x0a else { throw .chainBroken("entry \(i): line does not end with a newline") }
        bytes.removeLast()
        return bytes
    }

    /// The size of the chunks that replays read: every replay cuts the file at the same
    /// entries, so a damaged file gives every replay the same first error (a chunk with a
    /// broken line is refused before any of its entries is applied).
    public static let chunkBytes = 8 << 20

    /// Calls `body` with consecutive chunks of whole lines (each ending in `\n`) covering
    /// entries `from..<to`, reading about `chunkBytes` at a time: memory stays bounded.
    public func forEachChunk(
        from: Int64, to: Int64, chunkBytes: Int = FileStore.chunkBytes,
        _ body: (_ firstIndex: Int64, _ lines: [ArraySlice<UInt8>]) throws(LedgerError) -> Void
    ) throws(LedgerError) {
        for range in chunks(from: from, to: to, chunkBytes: chunkBytes) {
            try body(range.lowerBound, try lines(range))
        }
    }

    /// Entries `from..<to` cut into consecutive ranges of about `chunkBytes` of lines each
    /// (at least one entry each): the chunks that ``forEachChunk(from:to:chunkBytes:_:)`` reads.
    public func chunks(from: Int64, to: Int64, chunkBytes: Int = FileStore.chunkBytes) -> [Range<Int64>] {
        var out = [Range<Int64>]()
        var i = from
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

    /// The lines of entries `range` (without their newlines), read with one `pread`. Safe to
    /// call from any thread while no entry is appended.
    public func lines(_ range: Range<Int64>) throws(LedgerError) -> [ArraySlice<UInt8>] {
        var buffer = [UInt8]()
        return try lines(range, reusing: &buffer)
    }

    /// As ``lines(_:)``, reading into `buffer`, which grows when it is too small: the lines
    /// are slices of it. A buffer that no slice refers to any more is reused without
    /// allocating (or touching new pages).
    public func lines(_ range: Range<Int64>, reusing buffer: inout [UInt8]) throws(LedgerError)
        -> [ArraySlice<UInt8>]
    {
        guard !range.isEmpty else { return [] }
        let start = startOffset(range.lowerBound)
        let count = Int(endOffset(range.upperBound - 1) - start)
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
            let e = Int(endOffset(k) - start)
            guard e > s, buffer[e - 1] == 0x0a else {
                throw .chainBroken("entry \(k): line does not end with a newline")
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

    // MARK: Writing

    /// Takes the writer lock (blocking), runs `body`, and releases it. Another process that
    /// appended in between is picked up by the ``refresh()`` and ``repair()`` done first.
    public func withWriteLock<R>(_ body: () throws(LedgerError) -> R) throws(LedgerError) -> R {
        if lockFD < 0 { lockFD = try POSIX.open(path(FileStore.lockFile), O_RDWR | O_CREAT) }
        while flock(lockFD, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw .locked("\(path(FileStore.lockFile)): cannot lock: \(POSIX.errorText())")
            }
        }
        defer { flock(lockFD, LOCK_UN) }
        try repair()
        return try body()
    }

    /// Cuts off whatever lies beyond the committed size: a torn last line, or lines, hashes
    /// and index records of an append that was never acknowledged. Call with the lock held.
    /// Returns the number of bytes removed from `entries.jsonl`.
    @discardableResult
    public func repair() throws(LedgerError) -> Int64 {
        let idxBytes = try POSIX.size(indexFD, path: path(FileStore.indexFile))
        let n = idxBytes / Int64(FileStore.indexRecord)
        if idxBytes != n * Int64(FileStore.indexRecord) {
            try POSIX.truncate(indexFD, to: n * Int64(FileStore.indexRecord), path: path(FileStore.indexFile))
            try POSIX.fsync(indexFD, path: path(FileStore.indexFile))
        }
        let needed = StoredHashIndex.count(size: n) * 32
        let hashBytes = try POSIX.size(hashesFD, path: path(FileStore.hashesFile))
        if hashBytes > needed {
            try POSIX.truncate(hashesFD, to: needed, path: path(FileStore.hashesFile))
            try POSIX.fsync(hashesFD, path: path(FileStore.hashesFile))
        }
        try refresh()
        let committedEnd = size == 0 ? 0 : endOffset(size - 1)
        let fileSize = try entriesFileSize()
        guard fileSize >= committedEnd else {
            throw .chainBroken(
                "\(path(FileStore.entriesFile)) is \(fileSize) bytes but its index commits \(committedEnd): acknowledged entries are missing"
            )
        }
        if fileSize > committedEnd {
            try POSIX.truncate(entriesFD, to: committedEnd, path: path(FileStore.entriesFile))
            try POSIX.fsync(entriesFD, path: path(FileStore.entriesFile))
        }
        return fileSize - committedEnd
    }

    /// Appends entries durably, with one fsync per file for the whole batch (group commit).
    /// Call with the lock held. On an I/O failure the files are cut back to their previous
    /// committed sizes.
    public func append(leaves: [[UInt8]], leafHashes: [Digest], statementHashes: [Digest]) throws(LedgerError) {
        precondition(leaves.count == leafHashes.count && leaves.count == statementHashes.count)
        guard !leaves.isEmpty else { return }
        let oldSize = size
        let oldEnd = size == 0 ? 0 : endOffset(size - 1)
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
        // New stored hashes: reads of earlier hashes come from the map or from this batch.
        var newHashes = [Digest]()
        let base = StoredHashIndex.count(size: oldSize)
        for (k, h) in leafHashes.enumerated() {
            let added = MerkleHash.newStoredHashes(index: oldSize + Int64(k), leafHash: h) { i in
                i < base ? storedHash(at: i) : newHashes[Int(i - base)]
            }
            newHashes.append(contentsOf: added)
        }
        var hashBytes = [UInt8]()
        hashBytes.reserveCapacity(newHashes.count * 32)
        for h in newHashes { h.withBytes { hashBytes.append(contentsOf: $0) } }
        do {
            try POSIX.writeAll(entriesFD, data, path: path(FileStore.entriesFile))
            try POSIX.fsync(entriesFD, path: path(FileStore.entriesFile))
            try POSIX.writeAll(hashesFD, hashBytes, path: path(FileStore.hashesFile))
            try POSIX.fsync(hashesFD, path: path(FileStore.hashesFile))
            try POSIX.writeAll(indexFD, idx, path: path(FileStore.indexFile))
            try POSIX.fsync(indexFD, path: path(FileStore.indexFile))
        } catch {
            _ = ftruncate(indexFD, off_t(oldSize * Int64(FileStore.indexRecord)))
            _ = ftruncate(hashesFD, off_t(base * 32))
            _ = ftruncate(entriesFD, off_t(oldEnd))
            throw error
        }
        try refresh()
    }

    // MARK: Checkpoints

    func checkpointPath(size: UInt64) -> String {
        var s = String(size)
        while s.count < 20 { s = "0" + s }
        return path(FileStore.checkpointsDirectory) + "/" + s + ".note"
    }

    /// Sizes of the stored checkpoints, ascending.
    public func checkpointSizes() -> [UInt64] {
        POSIX.listDirectory(path(FileStore.checkpointsDirectory)).compactMap { name in
            name.hasSuffix(".note") ? UInt64(name.dropLast(5)) : nil
        }.sorted()
    }

    /// The stored checkpoint note of `size`, as text.
    public func checkpointText(size: UInt64) throws(LedgerError) -> String? {
        let p = checkpointPath(size: size)
        guard POSIX.exists(p) else { return nil }
        return String(decoding: try POSIX.readFile(p), as: UTF8.self)
    }

    /// Stores a checkpoint note atomically (temp file, fsync, rename).
    public func storeCheckpoint(_ text: String, size: UInt64) throws(LedgerError) {
        try POSIX.mkdir(path(FileStore.checkpointsDirectory))
        try POSIX.writeAtomically(Array(text.utf8), to: checkpointPath(size: size))
    }
}

/// File helpers for the CLI and tools, kept with the rest of the I/O.
public enum LedgerFiles {
    /// Reads a whole file.
    public static func read(_ path: String) throws(LedgerError) -> [UInt8] {
        guard POSIX.exists(path) else { throw .notFound("\(path): no such file") }
        return try POSIX.readFile(path)
    }

    /// Writes a private key file with mode 0600; refuses to overwrite.
    public static func writePrivateKey(_ key: NoteSignerKey, to path: String) throws(LedgerError) {
        guard !POSIX.exists(path) else { throw .refused("\(path): already exists; refusing to overwrite a key") }
        try POSIX.writeNew(Array((key.privateKeyText + "\n").utf8), to: path, mode: 0o600)
    }

    /// Reads a private key file.
    public static func readPrivateKey(_ path: String) throws(LedgerError) -> NoteSignerKey {
        let text = String(decoding: try read(path), as: UTF8.self)
        do { return try NoteSignerKey(parsing: text) } catch { throw .malformed("\(path): \(error.message)") }
    }

    /// Writes a file atomically.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(LedgerError) {
        try POSIX.writeAtomically(bytes, to: path)
    }

    public static func isDirectory(_ path: String) -> Bool { POSIX.isDirectory(path) }
    public static func exists(_ path: String) -> Bool { POSIX.exists(path) }
    public static func makeDirectory(_ path: String) throws(LedgerError) { try POSIX.mkdir(path) }
}

/// A proof server over a ledger directory for one tree size: the right-edge hashes are
/// computed once, and every proof is a few stored-hash reads. (Concrete, so that the tree
/// code is specialized for the file store.)
public struct FileProofServer: Sendable {
    let tree: MerkleTree<MappedHashReader>
    public let treeSize: Int64

    public init(store: FileStore, treeSize: Int64) throws(LedgerError) {
        guard treeSize >= 0, treeSize <= store.size else {
            throw .notFound("tree size \(treeSize) is beyond the log size \(store.size)")
        }
        let reader = MappedHashReader(file: store.hashes)
        self.tree = MerkleTree(reader: reader, size: store.size).cachingEdge(treeSize: treeSize)
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
struct MappedHashReader: HashReader, @unchecked Sendable {
    let file: MappedFile
    let base: UnsafeRawPointer?

    init(file: MappedFile) {
        self.file = file
        self.base = file.base
    }

    @inline(__always)
    func storedHash(at index: Int64) -> Digest {
        base!.loadUnaligned(fromByteOffset: Int(index) &* 32, as: Digest.self)
    }
}
