import Dispatch
import LedgerCrypto
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// An open ledger over a ledger directory (``FileStore``): ``StoreLedger`` with the file store.
public typealias Ledger<Rules: LedgerRules> = StoreLedger<Rules, FileStore>

/// An open ledger: a store (any ``LedgerStore``) plus the state its rules derive from the
/// entries.
///
/// Appends check each statement's signature, replay, claimed time and the signer's rights
/// (through `Rules`) before anything is written; a refused statement leaves the files
/// byte-for-byte unchanged.
///
/// Safe to share between threads and tasks: the replayed state lives behind a `Mutex`, taken
/// before the store's writer lock, so calls are serialized in this process as `flock`
/// serializes processes.
public final class StoreLedger<Rules: LedgerRules, Store: LedgerStore>: Sendable {
    /// How far an author's claimed time may be from the log's integration time, in seconds.
    public static var timeTolerance: Int64 { TimeRule.toleranceSeconds }

    public let store: Store
    /// The log clock: what "now" is for appends and for views as of now.
    package let clock: @Sendable () -> Timestamp
    /// What this process has replayed and checked of the entries.
    let replayed = Mutex<Replayed>(Replayed())
    /// The signer set after the entries this process last replayed or appended, and their
    /// number: read without waiting for a commit (``signerRefusal(_:)``).
    let signers = Mutex<(size: Int64, authority: Authority)>((0, Authority()))

    /// The state derived from the first `size` entries, and what was computed on the way.
    struct Replayed: Sendable {
        /// The rules' state, the chain's end, the statement hashes and the Merkle tree's right
        /// edge, all computed from the entries themselves: the root the log signs comes from
        /// here, never from `tree.hashes`.
        var replay = Replay<Rules>(checks: .all)
        /// The byte offset in `entries.jsonl` just past entry `size - 1`.
        var end: Int64 = 0
        /// Entries `0..<verifiedSize` had their signatures verified by this process (it
        /// appended them, or checked them before signing a checkpoint).
        var verifiedSize: Int64 = 0

        var state: Rules { replay.rules }
        var size: Int64 { replay.size }
        var lastLeaf: Digest { replay.chain.prev }
        var lastTime: Timestamp? { replay.chain.lastTime }
        var statementIndexes: [Digest: Int64] { replay.statementIndexes }
        var range: CompactRange { replay.range }
    }

    /// A ledger over `store`.
    public init(store: Store, clock: @escaping @Sendable () -> Timestamp = { .now() }) {
        self.store = store
        self.clock = clock
    }

    /// Creates a ledger in the empty `store` and appends its genesis entry, signed by the
    /// operator key, whose name becomes the origin.
    @discardableResult
    public static func create(
        store: Store, operatorKey: NoteSignerKey, clock: @escaping @Sendable () -> Timestamp = { .now() }
    ) throws(LedgerError) -> StoreLedger {
        let ledger = StoreLedger(store: store, clock: clock)
        guard ledger.size == 0 else { throw .refused("\(store.location): a ledger already exists here") }
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
    /// ``Auditor`` is the full check. The replay recomputes every leaf hash, statement hash
    /// and stored hash from `entries.jsonl` and refuses when a derived file disagrees.
    public func currentState() throws(LedgerError) -> Rules {
        try replayed.withLock { (r: inout Replayed) throws(LedgerError) -> Rules in
            try store.refresh()
            try replay(&r, to: store.size)
            return r.state
        }
    }

    /// The rules' state after the first `count` entries (for "as of" questions).
    public func state(upTo count: Int64) throws(LedgerError) -> Rules {
        try state(upTo: count, chunkBytes: FileStore.chunkBytes)
    }

    /// As ``state(upTo:)``, reading chunks of about `chunkBytes`.
    package func state(upTo count: Int64, chunkBytes: Int) throws(LedgerError) -> Rules {
        var replay = Replay<Rules>(checks: [])
        try store.forEachChunk(from: 0, to: min(count, store.size), chunkBytes: chunkBytes) {
            first, lines throws(LedgerError) in
            try replay.apply(lines, first: first)
        }
        return replay.rules
    }

    /// Replays entries `stateSize..<n`, reading `entries.jsonl` by its newlines. For each
    /// entry it checks the index field, the `prev` link and the time order, computes the leaf
    /// hash, the statement hash and the stored hashes, compares them with `entries.idx` and
    /// `tree.hashes` (refusing on a difference: those files are caches), and applies the
    /// rules. On an error the replayed state is dropped, so that the next call starts over.
    func replay(_ r: inout Replayed, to n: Int64) throws(LedgerError) {
        guard r.size < n else { return }
        do throws(LedgerError) {
            try replayChecked(&r, to: n)
            publishSigners(r)
        } catch {
            r = Replayed()
            throw error
        }
    }

    private func replayChecked(_ r: inout Replayed, to n: Int64) throws(LedgerError) {
        let snap = store.snapshot
        var reader = store.entryCursor(from: r.end, index: r.size, limit: snap.committedEnd)
        let stored = snap.storedHashCount
        let advice = store.repairAdvice
        let names = store.names
        while r.size < n, let chunk = try reader.next(maxLines: n - r.size) {
            for (k, line) in chunk.lines.enumerated() {
                try r.replay.apply(
                    line, at: chunk.firstIndex + Int64(k),
                    willApply: { step, replay throws(LedgerError) in
                        // The caches must agree with what the entries give.
                        guard snap.endOffset(step.index) == chunk.ends[k],
                            snap.statementHash(step.index) == step.statementHash
                        else {
                            throw .chainBroken(
                                "\(names.index) disagrees with \(names.entries); \(advice)")
                        }
                        let cached = { (p: Int64) in p < stored ? snap.storedHash(at: p) : nil }
                        guard replay.addedHashesAgree(with: cached, absentAgrees: false) else {
                            throw .chainBroken(
                                "\(names.hashes) disagrees with \(names.entries); \(advice)")
                        }
                    })
                r.end = chunk.ends[k]
            }
        }
        guard r.size == n else {
            throw .chainBroken(
                "entry \(r.size): \(store.names.entries) holds only \(r.size) complete entries, but \(n) are committed"
            )
        }
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
    /// - Parameters:
    ///   - lines: the line number of each statement in the file it came from, to name refused
    ///     lines by; by default their 1-based position in the batch.
    public func append(_ statements: [SignedStatement], lines: [Int]? = nil) throws(LedgerError) -> [Appended] {
        precondition(lines == nil || lines!.count == statements.count)
        return try appendStaged(statements) { staged throws(LedgerError) -> [Appended] in
            let failures = staged.results.enumerated().compactMap { k, result -> (Int, LedgerError)? in
                guard case .failure(let error) = result else { return nil }
                return (lines?[k] ?? k + 1, error)
            }
            if !failures.isEmpty {
                let (line, first) = failures[0]
                var e =
                    statements.count == 1
                    ? first
                    : first.prefixed(
                        "batch refused, nothing appended (\(failures.count) of \(statements.count) bad); line "
                            + "\(line): "
                    )
                if statements.count > 1 { e.details = failures.map { "line \($0.0): \($0.1.message)" } }
                throw e
            }
            return staged.appended
        }
    }

    /// Appends the statements that the ledger accepts and refuses the others, one by one: the
    /// result for each statement is its ``Appended`` or the error that refused it, exactly the
    /// error ``append(_:lines:)`` would give for it at its position, where the earlier accepted
    /// statements of the batch count and the refused ones do not (a statement repeated in the
    /// batch is a `.replay` of its first accepted copy). The accepted statements are made
    /// durable together, with one fsync per file; nothing of a refused one is written. When
    /// none is accepted nothing is written at all.
    ///
    /// - Throws: only what stops the whole batch: the store cannot be read, locked or written.
    public func appendEach(_ statements: [SignedStatement]) throws(LedgerError) -> [Result<Appended, LedgerError>] {
        guard !statements.isEmpty else { return [] }
        return try appendStaged(statements) { staged throws(LedgerError) in staged.results }
    }

    /// As ``appendEach(_:)`` for statements whose signatures this process has verified
    /// already (the only way to make a ``VerifiedStatement``): the signatures are not checked
    /// again, and everything else is, in the same order with the same errors. A statement
    /// that an entry already holds (`.replay`) is refused with that entry's index, found in
    /// O(1).
    ///
    /// - Throws: only what stops the whole batch: the store cannot be read, locked or written.
    package func appendEach(verified statements: [VerifiedStatement]) throws(LedgerError) -> [Result<
        Appended, AppendRefusal
    >] {
        guard !statements.isEmpty else { return [] }
        let checked = statements.map {
            CheckedStatement(signed: $0.signed, hasValidSignature: true, hash: $0.hash, message: $0.signingMessage)
        }
        return try appendStaged(checked) { staged throws(LedgerError) in
            staged.results.enumerated().map { k, result in
                result.mapError { AppendRefusal(error: $0, existingIndex: staged.replayed[k]) }
            }
        }
    }

    /// Why one statement of ``appendEach(verified:)`` was refused.
    package struct AppendRefusal: Error, Sendable {
        /// The error ``append(_:lines:)`` would give for the statement at its position.
        package let error: LedgerError
        /// For a `.replay`, the index of the entry that holds the statement (an earlier entry,
        /// or one accepted before it in the same batch).
        package let existingIndex: Int64?
    }

    /// A statement with its signature's verdict, its hash and its signing message.
    struct CheckedStatement: Sendable {
        let signed: SignedStatement
        let hasValidSignature: Bool
        let hash: Digest
        let message: [UInt8]
    }

    /// A batch checked against the replayed state: per statement its entry or refusal, and
    /// what the accepted statements add to the store.
    struct StagedBatch {
        var results: [Result<Appended, LedgerError>] = []
        var leaves = [[UInt8]]()
        var statementHashes = [Digest]()
        var newStored = [Digest]()
        /// The statement hashes accepted in this batch, with their entries' indexes.
        var seen = [Digest: Int64]()
        /// For each statement refused as a replay, by its position in the batch: the index of
        /// the entry that holds it.
        var replayed = [Int: Int64]()
        var prev: Digest
        var working: Rules
        var range: CompactRange
        let time: Timestamp

        var appended: [Appended] { results.compactMap { try? $0.get() } }
    }

    /// Checks `statements` one by one with the locks held, lets `decide` return the result or
    /// refuse the batch (by throwing, before anything is written), then commits the accepted
    /// statements, if any, as one batch.
    private func appendStaged<R: Sendable>(
        _ statements: [SignedStatement], decide: (StagedBatch) throws(LedgerError) -> R
    ) throws(LedgerError) -> R {
        try appendStaged(StoreLedger.verifyInParallel(statements), decide: decide)
    }

    /// As ``appendStaged(_:decide:)`` for statements whose signatures have been checked.
    private func appendStaged<R: Sendable>(
        _ statements: [CheckedStatement], decide: (StagedBatch) throws(LedgerError) -> R
    ) throws(LedgerError) -> R {
        try replayed.withLock { (rp: inout Replayed) throws(LedgerError) -> R in
            try store.withWriteLock { (session) throws(LedgerError) -> R in
                try replay(&rp, to: store.size)
                let staged = stage(statements, after: rp)
                let result = try decide(staged)
                // Nothing accepted of a non-empty batch: nothing to commit (`append` threw already).
                if staged.leaves.isEmpty && !statements.isEmpty { return result }
                let before = store.size
                try store.append(
                    leaves: staged.leaves, storedHashes: staged.newStored, statementHashes: staged.statementHashes,
                    lastLeafHash: staged.prev, root: staged.range.root, in: session)
                if rp.verifiedSize == before { rp.verifiedSize = store.size }
                rp.replay.takeAppended(
                    rules: staged.working,
                    chain: ChainLinker(next: store.size, prev: staged.prev, lastTime: staged.time),
                    range: staged.range, statementIndexes: staged.seen)
                rp.end = store.committedEnd
                publishSigners(rp)
                return result
            }
        }
    }

    /// Checks each statement against the state after `rp` and the statements accepted before
    /// it in the batch: signature, replay, claimed time, size, encoding and the rules. Writes
    /// nothing.
    private func stage(_ statements: [CheckedStatement], after rp: Replayed) -> StagedBatch {
        let clockNow = clock()
        var b = StagedBatch(
            prev: rp.lastLeaf, working: rp.state, range: rp.range,
            time: TimeRule.integrationTime(clock: clockNow, previous: rp.lastTime))
        b.results.reserveCapacity(statements.count)
        for (k, checked) in statements.enumerated() {
            let signed = checked.signed
            let hash = checked.hash
            let index = UInt64(store.size) + UInt64(b.leaves.count)
            do throws(LedgerError) {
                guard checked.hasValidSignature else { throw VerifiedStatement.badSignature(signed) }
                if let existing = rp.statementIndexes[hash] ?? b.seen[hash] {
                    b.replayed[k] = existing
                    throw LedgerError.replay("statement \(hash.base64) is already in the ledger (replay)")
                }
                try TimeRule.checkOnAppend(claimed: signed.statement.time, clock: clockNow)
                let entry = Entry(index: index, prev: b.prev, time: b.time, signed: signed)
                let leaf = entry.canonicalBytes(statementBytes: checked.message[Statement.domain.count...])
                guard leaf.count <= Entry.maxBytes else {
                    throw LedgerError.tooLarge("entry would be \(leaf.count) bytes, over \(Entry.maxBytes)")
                }
                // The leaf must parse as `ledger verify` parses it (depth, limits, canonical
                // form): the log never writes what an audit refuses.
                _ = try Entry(leaf: leaf)
                let lh = MerkleHash.leaf(leaf)
                // `apply` leaves the state unchanged when it throws (LedgerRules).
                try b.working.apply(entry, leafHash: lh)
                var added = [Digest]()
                b.range.append(lh) { added.append($0) }
                b.newStored += added
                b.leaves.append(leaf)
                b.statementHashes.append(hash)
                b.seen[hash] = Int64(index)
                b.results.append(.success(Appended(index: index, leafHash: lh, entry: entry)))
                b.prev = lh
            } catch {
                b.results.append(.failure(error))
            }
        }
        return b
    }

    /// Verifies signatures and computes statement hashes on all cores.
    static func verifyInParallel(_ statements: [SignedStatement]) -> [CheckedStatement] {
        Parallel.map(statements.count, workers: min(Parallel.processorCount, max(1, statements.count / 64))) { k in
            let msg = statements[k].statement.signingMessage
            let ok = statements[k].statement.signer.publicKey.isValidSignature(statements[k].signature, for: msg)
            return CheckedStatement(signed: statements[k], hasValidSignature: ok, hash: SHA256.hash(msg), message: msg)
        }
    }

    // MARK: Checkpoints

    /// Signs a checkpoint of the current size with the operator key, stores it and returns it.
    ///
    /// The root it signs is the one this process computed from the entries themselves
    /// (``replay(to:)`` recomputes every leaf and stored hash from `entries.jsonl`), never one
    /// read from `tree.hashes`; the stored hashes and the commit record must agree with it,
    /// and every stored checkpoint must agree with the tree. Otherwise nothing is signed.
    public func signCheckpoint(key: NoteSignerKey) throws(LedgerError) -> SignedCheckpoint {
        try replayed.withLock { (rp: inout Replayed) throws(LedgerError) -> SignedCheckpoint in
            try store.withWriteLock { session throws(LedgerError) -> SignedCheckpoint in
                let op = try operatorKeyLocked(&rp)
                guard key.verifierKey == op else {
                    throw .unauthorized("checkpoints must be signed by the operator key \(op)")
                }
                let root = try authenticatedRoot(rp)
                let signedSize = try checkStoredCheckpoints(tree: store.tree, logKey: op)
                try verifySignatures(from: max(signedSize, rp.verifiedSize))
                rp.verifiedSize = store.size
                let cp = Checkpoint(origin: op.name, size: UInt64(store.size), root: root)
                if let existing = try store.checkpointText(size: cp.size) {
                    let old = try SignedCheckpoint(parsing: existing, logKey: op)
                    guard old.checkpoint == cp else {
                        throw .fork(
                            "stored checkpoint \(cp.size) has root \(old.checkpoint.root.base64), tree has "
                                + "\(cp.root.base64)"
                        )
                    }
                    return old
                }
                var note = try SignedNote(text: cp.text)
                note.sign(with: key)
                let signed = try SignedCheckpoint(note: note)
                try store.storeCheckpoint(note.serialized, size: cp.size, in: session)
                return signed
            }
        }
    }

    /// The root of the committed entries as this process recomputed it from `entries.jsonl`,
    /// after checking that the stored hashes and the commit record give the same root. Call
    /// with the lock held, after ``replay(to:)``.
    func authenticatedRoot(_ r: Replayed) throws(LedgerError) -> Digest {
        guard r.size == store.size else { throw .io("internal: the state is not at the committed size") }
        let root = r.range.root
        let stored = try store.tree.root(treeSize: store.size)
        guard stored == root else {
            throw .chainBroken(
                "\(store.names.hashes) gives the root \(stored.base64) but the entries hash to \(root.base64); "
                    + "\(store.repairAdvice)"
            )
        }
        if let c = store.commit, c.size == store.size, c.root != root {
            throw .chainBroken(
                "\(store.names.commit) records the root \(c.root.base64) but the entries hash to \(root.base64); "
                    + "\(store.repairAdvice)"
            )
        }
        return root
    }

    func operatorKeyLocked(_ r: inout Replayed) throws(LedgerError) -> NoteVerifierKey {
        try replay(&r, to: store.size)
        guard let k = r.state.authority.operatorKey else { throw .chainBroken("ledger has no genesis entry") }
        return k
    }

    /// Every stored checkpoint must be signed by the log and match the tree; otherwise throws
    /// `.fork` naming the checkpoint and both roots.
    /// Returns the largest stored checkpoint's size (0 when there is none).
    @discardableResult
    func checkStoredCheckpoints(tree: MerkleTree<Store>, logKey: NoteVerifierKey) throws(LedgerError) -> Int64 {
        var largest: Int64 = 0
        for size in try store.checkpointSizes() {
            guard let text = try store.checkpointText(size: size) else { continue }
            let cp: SignedCheckpoint
            do throws(LedgerError) { cp = try SignedCheckpoint(parsing: text, logKey: logKey) } catch {
                throw error.prefixed("checkpoint \(size): ")
            }
            guard cp.checkpoint.size == size else {
                throw .checkpointInvalid(
                    "checkpoint \(size): the file for size \(size) holds a checkpoint of size \(cp.checkpoint.size)")
            }
            largest = max(largest, Int64(size))
            guard cp.checkpoint.size <= UInt64(tree.size) else {
                throw .fork("stored checkpoint of size \(cp.checkpoint.size) is beyond the log size \(tree.size)")
            }
            let root = try tree.root(treeSize: Int64(cp.checkpoint.size))
            guard root == cp.checkpoint.root else {
                throw .fork(
                    "stored checkpoint of size \(size) has root \(cp.checkpoint.root.base64) but the tree has "
                        + "\(root.base64)"
                )
            }
        }
        return largest
    }

    /// Verifies the signatures of entries `from..<store.size` on all cores: the log signs no
    /// checkpoint over an entry whose signature it has not verified in this process or under
    /// an earlier checkpoint of its own. Call with the lock held, after ``replay(to:)``.
    func verifySignatures(from: Int64) throws(LedgerError) {
        try store.forEachChunk(from: from, to: store.size) { first, lines throws(LedgerError) in
            for (k, c) in StoreAuditor<Rules, Store>.checkInParallel(lines).enumerated() {
                if let e = c.error { throw e.prefixed("entry \(first + Int64(k)): ") }
            }
        }
    }

    /// The stored checkpoint of `size` (or the latest one).
    public func checkpoint(size: UInt64? = nil) throws(LedgerError) -> SignedCheckpoint {
        let sizes = try store.checkpointSizes()
        guard let s = size ?? sizes.last else { throw .notFound("no checkpoint has been signed yet") }
        guard let text = try store.checkpointText(size: s) else { throw .notFound("no stored checkpoint of size \(s)") }
        return try SignedCheckpoint(parsing: text, logKey: try operatorKey())
    }
}

extension StoreLedger where Store == FileStore {
    /// Opens the ledger in `directory` (for reading; a write takes the lock and opens the
    /// files for writing).
    public convenience init(directory: String, clock: @escaping @Sendable () -> Timestamp = { .now() })
        throws(LedgerError)
    {
        self.init(store: try FileStore(directory: directory), clock: clock)
    }

    /// Creates a ledger in `directory` and appends its genesis entry, signed by the operator
    /// key, whose name becomes the origin.
    @discardableResult
    public static func create(
        directory: String, operatorKey: NoteSignerKey, clock: @escaping @Sendable () -> Timestamp = { .now() }
    ) throws(LedgerError) -> Ledger<Rules> {
        try FileStore.create(at: directory)
        return try create(store: try FileStore(directory: directory), operatorKey: operatorKey, clock: clock)
    }
}
