import LedgerCrypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `ledger repair` did.
public struct RepairReport: Sendable {
    /// Entries kept.
    public var kept: Int64 = 0
    /// What said how many entries were acknowledged: the commit record, or (without one) the
    /// complete lines that form a valid chain.
    public var acknowledgedBy = ""
    /// Complete lines cut after the kept entries (an unacknowledged tail), and their bytes.
    public var cutEntries: Int64 = 0
    public var cutBytes: Int64 = 0
    /// Bytes of a torn last line that were cut.
    public var tornBytes: Int64 = 0
    /// Why the first line that was not kept could not be kept, if one was not.
    public var firstCutReason: String?
    public var indexRecords: Int64 = 0
    public var storedHashes: Int64 = 0
    /// Stored checkpoints whose signed root equals the rebuilt root at their size.
    public var checkpointsChecked = 0
    public var root = MerkleHash.emptyRoot
}

extension FileStore {
    /// Rebuilds every derived file (`entries.idx`, `tree.hashes`, the commit record) from
    /// `entries.jsonl`, under the writer lock.
    ///
    /// It never cuts an acknowledged entry: with a valid commit record it keeps exactly the
    /// entries the record acknowledges (and refuses if one of them is missing or broken);
    /// without one it keeps every complete line of the valid chain. It never cuts an entry a
    /// stored checkpoint covers, and every stored checkpoint (signed by the genesis operator
    /// key) must match the rebuilt root at its size. When any of that fails, nothing is
    /// written. Otherwise the unacknowledged tail and a torn line are cut.
    public static func repair(directory: String) throws(LedgerError) -> RepairReport {
        guard exists(at: directory) else {
            throw .notFound("\(directory): not a ledger directory (no \(entriesFile))")
        }
        let store = try FileStore(directory: directory, checkingCaches: false)
        let lock = try POSIX.open(store.path(lockFile), O_RDWR | O_CREAT)
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0 {
            guard errno == EINTR else { throw .locked("\(store.path(lockFile)): cannot lock: \(POSIX.errorText())") }
        }
        defer { flock(lock, LOCK_UN) }
        return try store.rebuild()
    }

    private func rebuild() throws(LedgerError) -> RepairReport {
        var report = RepairReport()
        var commit: CommitRecord?
        do throws(LedgerError) { commit = try readCommitRecord() } catch {
            if error.code == .malformed { throw error }
        }
        let fileSize = try entriesFileSize()
        // What must be kept: the acknowledged entries, and every entry a stored checkpoint
        // covers (a checkpoint beyond the commit record means the record is stale).
        let covered = Int64(clamping: checkpointSizes().last ?? 0)
        let mustKeep = max(commit?.size ?? 0, covered)
        let limit = commit == nil ? Int64.max : mustKeep
        var reader = entryCursor(limit: fileSize)
        var idx = [UInt8]()
        var hashes = [UInt8]()
        var range = CompactRange()
        var prev = Digest.zero
        var lastTime: Timestamp?
        var operatorKey: NoteVerifierKey?
        var rootsAt = [Int64: Digest]()
        let checkpointFiles = checkpointSizes()
        let wanted = Set(checkpointFiles.map { Int64(clamping: $0) })
        if wanted.contains(0) { rootsAt[0] = MerkleHash.emptyRoot }
        var done: Int64 = 0
        var keptEnd: Int64 = 0
        var recordCheck: (end: Int64, leaf: Digest, root: Digest)? =
            commit?.size == 0 ? (0, .zero, MerkleHash.emptyRoot) : nil
        scan: while done < limit {
            let chunk: EntryChunk?
            do throws(LedgerError) { chunk = try reader.next(maxLines: limit - done) } catch {
                report.firstCutReason = error.message
                break
            }
            guard let chunk else { break }
            for (k, line) in chunk.lines.enumerated() {
                let i = chunk.firstIndex + Int64(k)
                do throws(LedgerError) {
                    let e = try line.withUnsafeBytes { raw in Result { () throws(LedgerError) in try Entry(leaf: raw) }
                    }
                    .get()
                    try ChainLinker(next: i, prev: prev, lastTime: lastTime).check(e)
                    if i == 0 {
                        var core = CoreRules()
                        try core.apply(e, leafHash: .zero)
                        operatorKey = core.authority.operatorKey
                    }
                    guard let sh = Entry.statementHash(inCanonicalLeaf: line) else {
                        throw LedgerError.malformed("no statement found in the leaf")
                    }
                    let lh = line.withUnsafeBytes { MerkleHash.leaf($0) }
                    range.append(lh) { h in h.withBytes { hashes.append(contentsOf: $0) } }
                    withUnsafeBytes(of: chunk.ends[k].littleEndian) { idx.append(contentsOf: $0) }
                    sh.withBytes { idx.append(contentsOf: $0) }
                    prev = lh
                    lastTime = e.time
                    done = i + 1
                    keptEnd = chunk.ends[k]
                    if wanted.contains(done) { rootsAt[done] = range.root }
                    if let commit, done == commit.size { recordCheck = (keptEnd, lh, range.root) }
                } catch {
                    report.firstCutReason = "entry \(i): \(error.message)"
                    break scan
                }
            }
        }
        if let commit {
            guard done >= commit.size else {
                throw .chainBroken(
                    "the commit record acknowledges \(commit.size) entries, but "
                        + "\(report.firstCutReason ?? "\(FileStore.entriesFile) holds only \(done) complete entries"); "
                        + "repair cannot cut or restore acknowledged entries, so nothing was changed"
                )
            }
            guard let at = recordCheck, at.end == commit.entriesEnd, at.leaf == commit.lastLeafHash,
                at.root == commit.root
            else {
                throw .chainBroken(
                    "the commit record does not match the first \(commit.size) entries of \(FileStore.entriesFile) "
                        + "(bytes, last leaf hash or root); nothing was changed"
                )
            }
            report.acknowledgedBy =
                commit.size >= covered
                ? "the commit record"
                : "the stored checkpoint of size \(covered), beyond the commit record's \(commit.size)"
        } else {
            report.acknowledgedBy = "no commit record: every complete line of the valid chain"
        }
        // Every stored checkpoint must be covered and match.
        for s in checkpointFiles {
            guard let text = try checkpointText(size: s) else { continue }
            let cp: SignedCheckpoint
            do throws(LedgerError) { cp = try SignedCheckpoint(parsing: text, logKey: operatorKey) } catch {
                throw error.prefixed("checkpoint \(s): ")
            }
            guard cp.checkpoint.size == s else {
                throw .checkpointInvalid(
                    "checkpoint \(s): the file holds a checkpoint of size \(cp.checkpoint.size); nothing was changed")
            }
            guard let root = rootsAt[Int64(clamping: s)] else {
                throw .chainBroken(
                    "checkpoint \(s) covers \(s) entries, but only \(done) can be kept "
                        + "(\(report.firstCutReason ?? "the file ends")); repair never cuts what a checkpoint covers, "
                        + "so nothing was changed"
                )
            }
            guard root == cp.checkpoint.root else {
                throw .fork(
                    "checkpoint \(s): signed root \(cp.checkpoint.root.base64) differs from the rebuilt root "
                        + "\(root.base64); nothing was changed"
                )
            }
            report.checkpointsChecked += 1
        }
        // The tail beyond what is kept.
        var cutLines: Int64 = 0
        var tailReader = entryCursor(from: keptEnd, index: done, limit: fileSize)
        while let chunk = try? tailReader.next() { cutLines += Int64(chunk.lines.count) }
        report.cutEntries = cutLines
        report.cutBytes = tailReader.offset - keptEnd
        report.tornBytes = fileSize - tailReader.offset
        report.kept = done
        report.indexRecords = done
        report.storedHashes = Int64(hashes.count / 32)
        report.root = range.root
        // Write: derived files first, the cut, then the commit record (the commit point). Each
        // file is rewritten in place, never replaced by a rename: a writer that opened the
        // files before it waited for the lock must find this content when it gets the lock,
        // not write into a file that is no longer the ledger's.
        try rewriteInPlace(path(FileStore.indexFile), idx)
        try rewriteInPlace(path(FileStore.hashesFile), hashes)
        if fileSize > keptEnd {
            let fd = try POSIX.open(path(FileStore.entriesFile), O_RDWR)
            defer { close(fd) }
            try POSIX.truncate(fd, to: keptEnd, path: path(FileStore.entriesFile))
            try POSIX.fsync(fd, path: path(FileStore.entriesFile))
        }
        let record = CommitRecord(
            sequence: (commit?.sequence ?? 0) &+ 1, size: done, entriesEnd: keptEnd, lastLeafHash: prev,
            root: range.root)
        try writeCommitInPlace(record)
        try POSIX.mkdir(path(FileStore.checkpointsDirectory))
        return report
    }

    /// Opens a cache file for rewriting: the file itself, or a new one where it was missing or
    /// was a symbolic link (the link is removed, never followed).
    private func openForRewrite(_ p: String) throws(LedgerError) -> Int32 {
        if let fd = try? POSIX.openIfExists(p, O_RDWR) {
            do throws(LedgerError) { try POSIX.requireSoleRegularFile(fd, path: p) } catch {
                close(fd)
                throw error
            }
            return fd
        }
        if unlink(p) != 0 && errno != ENOENT { throw .io("\(p): cannot remove: \(POSIX.errorText())") }
        return try POSIX.open(p, O_RDWR | O_CREAT | O_EXCL)
    }

    /// Overwrites `p` from byte 0 with `bytes`, then cuts it to their length, and fsyncs.
    private func rewriteInPlace(_ p: String, _ bytes: [UInt8]) throws(LedgerError) {
        let fd = try openForRewrite(p)
        defer { close(fd) }
        try POSIX.writeAll(fd, bytes, at: 0, path: p)
        try POSIX.truncate(fd, to: Int64(bytes.count), path: p)
        try POSIX.fsync(fd, path: p)
    }

    /// Writes `record` into its slot of the commit file in place (the other slot keeps the
    /// previous record, if there is one), and fsyncs.
    private func writeCommitInPlace(_ record: CommitRecord) throws(LedgerError) {
        let p = path(FileStore.commitFile)
        let fd = try openForRewrite(p)
        defer { close(fd) }
        let size = try POSIX.size(fd, path: p)
        if size < Int64(record.fileBytes.count) { try POSIX.truncate(fd, to: Int64(record.fileBytes.count), path: p) }
        try POSIX.writeAll(fd, record.encoded, at: CommitRecord.slotOffsets[Int(record.sequence % 2)], path: p)
        try POSIX.fsync(fd, path: p)
        try POSIX.fsyncDirectory(directory)
    }
}
