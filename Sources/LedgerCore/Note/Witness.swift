import LedgerCrypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A witness: it cosigns a log's checkpoint only after checking the log's signature and, when
/// it keeps state, that the checkpoint is consistent with the last one it cosigned.
public struct Witness: Sendable {
    public let key: NoteSignerKey
    /// Where the last cosigned checkpoint per log is kept, or nil for a stateless witness.
    public let state: (any WitnessStateStore)?

    public init(key: NoteSignerKey, state: (any WitnessStateStore)?) {
        self.key = key
        self.state = state
    }

    /// A witness whose state is a directory (``FileWitnessState``), or stateless.
    public init(key: NoteSignerKey, stateDirectory: String?) {
        self.init(key: key, state: stateDirectory.map { FileWitnessState(directory: $0) })
    }

    /// Verifies and cosigns `noteText`, returning the note with one more cosignature.
    ///
    /// With a state, the check and the update are one atomic step
    /// (``WitnessStateStore/updateLastCosigned(origin:_:)``), so two concurrent runs can never
    /// cosign two different roots at one size. The note is returned (and may be printed) only
    /// after the new state is durable.
    /// - Parameters:
    ///   - logKey: the log's verifier key; the checkpoint must be signed by it.
    ///   - proof: a consistency proof from the last cosigned checkpoint, when the size grew.
    ///   - time: the cosignature timestamp (seconds since the epoch), at most 2^63 − 1.
    public func cosign(_ noteText: String, logKey: NoteVerifierKey, proof: ConsistencyProof?, time: UInt64)
        throws(LedgerError) -> SignedNote
    {
        guard time <= SignedNote.maxTimestamp else { throw .malformed("cosignature time \(time) exceeds 2^63-1") }
        var cp = try SignedCheckpoint(parsing: noteText, logKey: logKey)
        guard !key.cosignerKey.hasSamePublicKey(as: logKey) else {
            throw .refused("the witness key is the log's own key; a log cannot witness itself")
        }
        if let state {
            let new = cp.checkpoint
            try state.updateLastCosigned(origin: new.origin) { old throws(LedgerError) -> Checkpoint in
                if let old { try checkAgainst(old: old, new: new, proof: proof) }
                return new
            }
        }
        cp.note.cosign(with: key, time: time)
        return cp.note
    }

    /// Refuses `new` unless it extends (or equals) `old`, the last cosigned checkpoint.
    func checkAgainst(old: Checkpoint, new: Checkpoint, proof: ConsistencyProof?) throws(LedgerError) {
        if new.size < old.size {
            throw .fork("checkpoint size \(new.size) is smaller than the last cosigned size \(old.size)")
        } else if new.size == old.size {
            guard new.root == old.root else {
                throw .fork(
                    "checkpoint of size \(new.size) has root \(new.root.base64), but this witness cosigned "
                        + "\(old.root.base64) at the same size"
                )
            }
        } else if old.size > 0 {
            guard let proof else {
                throw LedgerError.proofInvalid("a consistency proof from size \(old.size) to \(new.size) is required")
                    .concerning(.consistencyProof)
            }
            guard proof.size1 == old.size, proof.size2 == new.size else {
                throw .proofInvalid(
                    "the proof is from \(proof.size1) to \(proof.size2), not from \(old.size) to \(new.size)")
            }
            do throws(LedgerError) { try proof.verify(root1: old.root, root2: new.root) } catch {
                throw .fork(
                    "checkpoint is not consistent with the last cosigned one (size \(old.size)): \(error.message)")
            }
        }
    }
}

/// A type that keeps a witness's state: the last checkpoint it cosigned for each log origin.
///
/// The contract (specs/ledger-format.md §9.5): ``updateLastCosigned(origin:_:)`` is one
/// atomic step against every other update of the same store, from any thread or process;
/// when it returns, the new checkpoint is durable; when `body` throws, nothing changes.
public protocol WitnessStateStore: Sendable {
    /// Calls `body` with the checkpoint last cosigned for `origin` (nil when none) and stores
    /// the checkpoint it returns in its place, holding the store's lock throughout.
    func updateLastCosigned(origin: String, _ body: (Checkpoint?) throws(LedgerError) -> Checkpoint)
        throws(LedgerError)
}

/// A witness state directory: one `<origin, made file-safe>+<8 hex digits of SHA-256(origin)>.checkpoint`
/// file per log, and a `lock` file. An update holds an exclusive `flock` on `lock` while the
/// old checkpoint is read and the new one written (temporary file, fsync, rename, fsync of
/// the directory).
public struct FileWitnessState: WitnessStateStore {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    func path(origin: String) -> String {
        let safe = String(
            origin.unicodeScalars.map { c -> Character in
                let ok =
                    (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "." || c == "-"
                    || c == "_"
                return ok ? Character(c) : "_"
            })
        return directory + "/" + safe + "+" + Hex.encode(SHA256.hash(origin).bytes.prefix(4)) + ".checkpoint"
    }

    public func updateLastCosigned(origin: String, _ body: (Checkpoint?) throws(LedgerError) -> Checkpoint)
        throws(LedgerError)
    {
        let path = path(origin: origin)
        try WitnessStateFiles.makeDirectory(directory)
        let lock = try WitnessStateFiles.lockExclusive(directory + "/lock")
        defer { WitnessStateFiles.unlock(lock) }
        var old: Checkpoint?
        if let oldBytes = try WitnessStateFiles.read(path) {
            old = try Checkpoint(text: try StrictUTF8.decode(oldBytes, what: path))
        }
        let new = try body(old)
        try WitnessStateFiles.writeAtomically(Array(new.text.utf8), to: path, directory: directory)
    }
}

/// The witness state directory's file operations, on Glibc directly: files are opened with
/// `O_NOFOLLOW | O_CLOEXEC`, temporary files with `O_CREAT | O_EXCL | O_NOFOLLOW`.
enum WitnessStateFiles {
    static func failure(_ path: String, _ what: String) -> LedgerError {
        .io("\(path): \(what): \(String(cString: strerror(errno)))")
    }

    static func makeDirectory(_ path: String) throws(LedgerError) {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw failure(path, "cannot create directory") }
    }

    /// Opens (creating) `path` and takes an exclusive `flock` on it; returns the descriptor.
    static func lockExclusive(_ path: String) throws(LedgerError) -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(path, "cannot open the witness lock") }
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let e = failure(path, "cannot lock")
            close(fd)
            throw e
        }
        return fd
    }

    static func unlock(_ fd: Int32) {
        _ = flock(fd, LOCK_UN)
        close(fd)
    }

    /// The file's bytes, or nil when it does not exist.
    static func read(_ path: String) throws(LedgerError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw failure(path, "cannot open")
        }
        defer { close(fd) }
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(path, "read failed")
            }
            if n == 0 { return out }
            out += buf[0..<n]
            guard out.count <= 1 << 20 else { throw .tooLarge("\(path): witness state is larger than 1 MiB") }
        }
    }

    /// Writes `bytes` to `path` atomically: a new temporary file beside it (the caller holds the
    /// lock, so a leftover one is stale and removed), fsync, rename, fsync of `directory`.
    static func writeAtomically(_ bytes: [UInt8], to path: String, directory: String) throws(LedgerError) {
        let tmp = path + ".tmp"
        unlink(tmp)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(tmp, "cannot create") }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = failure(tmp, "write failed")
                close(fd)
                unlink(tmp)
                throw e
            }
            off += n
        }
        guard fsync(fd) == 0 else {
            let e = failure(tmp, "fsync failed")
            close(fd)
            unlink(tmp)
            throw e
        }
        close(fd)
        guard rename(tmp, path) == 0 else {
            let e = failure(path, "rename failed")
            unlink(tmp)
            throw e
        }
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { throw failure(directory, "cannot open") }
        defer { close(dfd) }
        guard fsync(dfd) == 0 else { throw failure(directory, "fsync failed") }
    }
}
