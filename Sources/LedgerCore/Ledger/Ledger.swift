import Dispatch
import LedgerCrypto

#if canImport(Glibc)
    import Glibc
#endif

/// An open ledger: the store plus the state its rules derive from the entries.
///
/// Appends check each statement's signature, replay, claimed time and the signer's rights
/// (through `Rules`) before anything is written; a refused statement leaves the files
/// byte-for-byte unchanged.
public final class Ledger<Rules: LedgerRules>: @unchecked Sendable {
    /// How far an author's claimed time may be from the log's integration time, in seconds.
    public static var timeTolerance: Int64 { 600 }

    public let store: FileStore
    let clock: @Sendable () -> Timestamp
    /// State derived from the first `stateSize` entries.
    var state = Rules()
    var stateSize: Int64 = 0
    var lastLeaf = Digest.zero
    var lastTime = Timestamp(secondsSinceEpoch: 0)
    var statementHashes: Set<Digest> = []
    var statementHashesSize: Int64 = 0

    /// Opens the ledger in `directory`.
    public init(directory: String, clock: @escaping @Sendable () -> Timestamp = { .now() }) throws(LedgerError) {
        self.store = try FileStore(directory: directory)
        self.clock = clock
    }

    /// Creates a ledger in `directory` and appends its genesis entry, signed by the operator
    /// key, whose name becomes the origin.
    @discardableResult
    public static func create(
        directory: String, operatorKey: NoteSignerKey, clock: @escaping @Sendable () -> Timestamp = { .now() }
    ) throws(LedgerError) -> Ledger {
        try FileStore.create(at: directory)
        let ledger = try Ledger(directory: directory, clock: clock)
        let body: JSONValue = [
            "origin": .string(operatorKey.name), "operator": .string(operatorKey.verifierKey.description),
        ]
        _ = try ledger.append([try Statement.make(kind: "genesis", body: body, key: operatorKey, time: clock())])
        return ledger
    }

    /// Number of committed entries.
    public var size: Int64 { store.size }

    /// The origin (from the genesis entry).
    public func origin() throws(LedgerError) -> String {
        guard let o = try currentState().authority.origin else { throw .chainBroken("ledger has no genesis entry") }
        return o
    }

    /// The operator's verifier key, as named by the genesis entry.
    public func operatorKey() throws(LedgerError) -> NoteVerifierKey {
        guard let k = try currentState().authority.operatorKey else {
            throw .chainBroken("ledger has no genesis entry")
        }
        return k
    }

    /// The entry at `index`.
    public func entry(_ index: Int64) throws(LedgerError) -> Entry {
        do { return try Entry(leaf: try store.leaf(index)) } catch { throw error.prefixed("entry \(index): ") }
    }

    /// The rules' state after replaying every committed entry. Entries were checked when they
    /// were appended, so replay parses and applies them without re-verifying signatures;
    /// ``Auditor`` is the full check.
    public func currentState() throws(LedgerError) -> Rules {
        try store.refresh()
        try replay(to: store.size)
        return state
    }

    /// The rules' state after the first `count` entries (for "as of" questions).
    public func state(upTo count: Int64) throws(LedgerError) -> Rules {
        try state(upTo: count, chunkBytes: FileStore.chunkBytes)
    }

    /// As ``state(upTo:)``, reading chunks of about `chunkBytes`.
    package func state(upTo count: Int64, chunkBytes: Int) throws(LedgerError) -> Rules {
        var s = Rules()
        var signers = SignerCache()
        try store.forEachChunk(from: 0, to: min(count, store.size), chunkBytes: chunkBytes) {
            first, lines throws(LedgerError) in
            for (k, line) in lines.enumerated() {
                let i = first + Int64(k)
                do throws(LedgerError) {
                    let e = try line.withUnsafeBytes { raw in
                        Result { () throws(LedgerError) in try Entry(leaf: raw, signers: &signers) }
                    }.get()
                    try s.apply(e, leafHash: store.leafHash(i))
                } catch { throw error.prefixed("entry \(i): ") }
            }
        }
        return s
    }

    func replay(to n: Int64) throws(LedgerError) {
        guard stateSize < n else { return }
        var signers = SignerCache()
        try store.forEachChunk(from: stateSize, to: n) { first, lines throws(LedgerError) in
            for (k, line) in lines.enumerated() {
                let i = first + Int64(k)
                do throws(LedgerError) {
                    let e = try line.withUnsafeBytes { raw in
                        Result { () throws(LedgerError) in try Entry(leaf: raw, signers: &signers) }
                    }.get()
                    try state.apply(e, leafHash: store.leafHash(i))
                    lastTime = e.time
                } catch { throw error.prefixed("entry \(i): ") }
            }
        }
        stateSize = n
        lastLeaf = n == 0 ? .zero : store.leafHash(n - 1)
    }

    func loadStatementHashes() {
        guard statementHashesSize < store.size else { return }
        statementHashes.reserveCapacity(Int(store.size))
        for i in statementHashesSize..<store.size { statementHashes.insert(store.statementHash(i)) }
        statementHashesSize = store.size
    }

    /// The position and leaf hash of an appended entry.
    public struct Appended: Sendable, Hashable {
        public let index: UInt64
        public let leafHash: Digest
        public let entry: Entry
    }

    /// Appends signed statements as one batch: all of them or none. Signatures are verified in
    /// parallel, and the batch is made durable with one fsync per file (group commit).
    ///
    /// If any statement is refused, nothing is written and the error's ``LedgerError/details``
    /// name every refused line (1-based) and why.
    public func append(_ statements: [SignedStatement]) throws(LedgerError) -> [Appended] {
        try store.withWriteLock { () throws(LedgerError) -> [Appended] in
            try replay(to: store.size)
            loadStatementHashes()
            let now = max(clock(), lastTime)
            let checked = Ledger.verifyInParallel(statements)
            var failures = [(Int, LedgerError)]()
            var appended = [Appended]()
            var leaves = [[UInt8]]()
            var leafHashes = [Digest]()
            var stmtHashes = [Digest]()
            var seen = Set<Digest>()
            var prev = lastLeaf
            var working = state
            for (k, signed) in statements.enumerated() {
                let index = UInt64(store.size) + UInt64(appended.count)
                do throws(LedgerError) {
                    let (ok, hash, _) = checked[k]
                    guard ok else {
                        throw LedgerError.badSignature(
                            "signature does not verify for signer \(signed.statement.signer.name)")
                    }
                    guard !statementHashes.contains(hash), !seen.contains(hash) else {
                        throw LedgerError.replay("statement \(hash.base64) is already in the ledger (replay)")
                    }
                    let skew = signed.statement.time.secondsSinceEpoch - now.secondsSinceEpoch
                    guard abs(skew) <= Ledger.timeTolerance else {
                        throw LedgerError.timeSkew(
                            "claimed time \(signed.statement.time) is \(abs(skew)) s from the log time \(now), over the \(Ledger.timeTolerance) s tolerance"
                        )
                    }
                    let entry = Entry(index: index, prev: prev, time: now, signed: signed)
                    let leaf = entry.canonicalBytes(statementBytes: checked[k].2[Statement.domain.count...])
                    guard leaf.count <= Entry.maxBytes else {
                        throw LedgerError.tooLarge("entry would be \(leaf.count) bytes, over \(Entry.maxBytes)")
                    }
                    let lh = MerkleHash.leaf(leaf)
                    try working.apply(entry, leafHash: lh)
                    leaves.append(leaf)
                    leafHashes.append(lh)
                    stmtHashes.append(hash)
                    seen.insert(hash)
                    appended.append(Appended(index: index, leafHash: lh, entry: entry))
                    prev = lh
                } catch {
                    failures.append((k + 1, error))
                }
            }
            if !failures.isEmpty {
                let (line, first) = failures[0]
                var e =
                    statements.count == 1
                    ? first
                    : first.prefixed(
                        "batch refused, nothing appended (\(failures.count) of \(statements.count) bad); line \(line): "
                    )
                if statements.count > 1 { e.details = failures.map { "line \($0.0): \($0.1.message)" } }
                throw e
            }
            try store.append(leaves: leaves, leafHashes: leafHashes, statementHashes: stmtHashes)
            state = working
            stateSize = store.size
            lastLeaf = prev
            lastTime = now
            statementHashes.formUnion(seen)
            statementHashesSize = store.size
            return appended
        }
    }

    /// Verifies signatures and computes statement hashes on all cores.
    static func verifyInParallel(_ statements: [SignedStatement]) -> [(Bool, Digest, [UInt8])] {
        var results = [(Bool, Digest, [UInt8])](repeating: (false, .zero, []), count: statements.count)
        results.withUnsafeMutableBufferPointer { buf in
            nonisolated(unsafe) let out = buf
            let workers = min(ProcessInfoLite.activeProcessorCount, max(1, statements.count / 64))
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var k = w
                while k < statements.count {
                    let msg = statements[k].statement.signingMessage
                    let ok = statements[k].statement.signer.publicKey.isValidSignature(
                        statements[k].signature, for: msg)
                    out[k] = (ok, SHA256.hash(msg), msg)
                    k += workers
                }
            }
        }
        return results
    }

    // MARK: Checkpoints

    /// Signs a checkpoint of the current size with the operator key, stores it and returns it.
    /// Refuses when any stored checkpoint disagrees with the tree (fork evidence).
    public func signCheckpoint(key: NoteSignerKey) throws(LedgerError) -> SignedCheckpoint {
        try store.withWriteLock { () throws(LedgerError) -> SignedCheckpoint in
            let op = try operatorKeyLocked()
            guard key.verifierKey == op else {
                throw .unauthorized("checkpoints must be signed by the operator key \(op)")
            }
            let tree = store.tree
            try checkStoredCheckpoints(tree: tree, logKey: op)
            let cp = Checkpoint(origin: op.name, size: UInt64(store.size), root: try tree.root(treeSize: store.size))
            if let existing = try store.checkpointText(size: cp.size) {
                let old = try SignedCheckpoint(parsing: existing, logKey: op)
                guard old.checkpoint == cp else {
                    throw .fork(
                        "stored checkpoint \(cp.size) has root \(old.checkpoint.root.base64), tree has \(cp.root.base64)"
                    )
                }
                return old
            }
            var note = try SignedNote(text: cp.text)
            note.sign(with: key)
            let signed = try SignedCheckpoint(note: note)
            try store.storeCheckpoint(note.serialized, size: cp.size)
            return signed
        }
    }

    func operatorKeyLocked() throws(LedgerError) -> NoteVerifierKey {
        try replay(to: store.size)
        guard let k = state.authority.operatorKey else { throw .chainBroken("ledger has no genesis entry") }
        return k
    }

    /// Every stored checkpoint must be signed by the log and match the tree; otherwise throws
    /// `.fork` naming the checkpoint and both roots.
    func checkStoredCheckpoints(tree: MerkleTree<FileStore>, logKey: NoteVerifierKey) throws(LedgerError) {
        for size in store.checkpointSizes() {
            guard let text = try store.checkpointText(size: size) else { continue }
            let cp = try SignedCheckpoint(parsing: text, logKey: logKey)
            guard cp.checkpoint.size <= UInt64(tree.size) else {
                throw .fork("stored checkpoint of size \(cp.checkpoint.size) is beyond the log size \(tree.size)")
            }
            let root = try tree.root(treeSize: Int64(cp.checkpoint.size))
            guard root == cp.checkpoint.root else {
                throw .fork(
                    "stored checkpoint of size \(size) has root \(cp.checkpoint.root.base64) but the tree has \(root.base64)"
                )
            }
        }
    }

    /// The stored checkpoint of `size` (or the latest one).
    public func checkpoint(size: UInt64? = nil) throws(LedgerError) -> SignedCheckpoint {
        let sizes = store.checkpointSizes()
        guard let s = size ?? sizes.last else { throw .notFound("no checkpoint has been signed yet") }
        guard let text = try store.checkpointText(size: s) else { throw .notFound("no stored checkpoint of size \(s)") }
        return try SignedCheckpoint(parsing: text, logKey: try operatorKey())
    }
}

/// Processor count without Foundation.
enum ProcessInfoLite {
    static var activeProcessorCount: Int {
        #if canImport(Glibc)
            return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
            return 1
        #endif
    }
}
