import LedgerCore
import LedgerCrypto
import Synchronization

/// What the server publishes of a ledger: its latest signed checkpoint and the Merkle tree
/// that checkpoint covers, checked before anything is served.
///
/// **What is served, and why it can be trusted.** A ``refresh()`` reads the latest stored
/// checkpoint, checks its signature under the log key, hashes the entries up to its size
/// itself (through the store's cursor over `entries.jsonl`, never from `tree.hashes`) and
/// publishes the result only when those entries hash to the checkpoint's root. Tiles are cut
/// from these recomputed hashes; entry bundles are read from the store when first asked for,
/// and each entry is checked against its recomputed leaf hash before it is sent. So every byte
/// served is covered by the signed checkpoint, whatever happens to the store's files after
/// the check. Built tiles and checked bundles are kept in a bounded cache, and served from it
/// only while the published tree commits to them (``tileBody(_:)``).
///
/// **Coverage.** Only the entries that the latest signed checkpoint covers are served: a
/// client never sees an entry that no checkpoint commits to. Entries appended since are
/// published by the next refresh after a checkpoint covers them.
///
/// Memory: the stored hashes of the covered tree, about 64 bytes an entry, and the
/// ``TileCache`` of tiles already served (at most its budget, 64 MiB by default).
package final class PublishedLog<Store: LedgerStore>: Sendable {
    package let store: Store
    /// The key the checkpoints must be signed with (the genesis entry's operator key).
    package let logKey: NoteVerifierKey
    /// What requests see: replaced whole by a refresh.
    private let current = Mutex<View>(View())
    /// Held for the whole of a refresh, so that two never interleave.
    private let refreshing = Mutex<Void>(())
    /// Tiles and entry bundles already built and checked (``tileBody(_:)``).
    package let tileCache: TileCache

    /// A published log over `store`, whose checkpoints `logKey` signs, caching at most
    /// `tileCacheBytes` of tiles. Nothing is published before the first ``refresh()``.
    package init(store: Store, logKey: NoteVerifierKey, tileCacheBytes: Int = TileCache.defaultBudgetBytes) {
        self.store = store
        self.logKey = logKey
        self.tileCache = TileCache(budgetBytes: tileCacheBytes)
    }

    /// A published log over `ledger`'s store, with the operator key its genesis entry names.
    package convenience init<Rules: LedgerRules>(ledger: StoreLedger<Rules, Store>) throws(LedgerError) {
        self.init(store: ledger.store, logKey: try ledger.operatorKey())
    }

    /// What is published now.
    package var view: View { current.withLock { $0 } }

    /// Publishes the latest stored checkpoint when it is new (a larger size, or the same
    /// checkpoint with more cosignatures), after the checks described above, and returns what
    /// is published. When a check fails, nothing changes and the error says what is wrong.
    @discardableResult
    package func refresh() throws(LedgerError) -> View {
        try refreshing.withLock { _ throws(LedgerError) -> View in
            let old = view
            try store.refresh()
            guard let size = try store.checkpointSizes().last else { return old }
            guard let text = try store.checkpointText(size: size) else {
                throw .notFound("checkpoint \(size) was listed but cannot be read")
            }
            if let published = old.checkpoint, published.checkpoint.size == size, old.checkpointText == text {
                return old
            }
            let signed: SignedCheckpoint
            do throws(LedgerError) { signed = try SignedCheckpoint(parsing: text, logKey: logKey) } catch {
                throw error.prefixed("checkpoint \(size): ")
            }
            guard signed.checkpoint.size == size else {
                throw .checkpointInvalid("checkpoint \(size): the note is of size \(signed.checkpoint.size)")
            }
            guard let treeSize = Int64(exactly: size), treeSize >= old.size else {
                throw .fork("the latest stored checkpoint (size \(size)) is older than the published one (\(old.size))")
            }
            guard treeSize <= store.size else {
                throw .fork("checkpoint \(size) is beyond the \(store.size) committed entries")
            }
            var hashes = old.hashes
            try store.forEachChunk(from: hashes.size, to: treeSize) { _, lines throws(LedgerError) in
                for line in lines { hashes.append(leafHash: line.withUnsafeBytes { MerkleHash.leaf($0) }) }
            }
            guard hashes.size == treeSize else {
                throw .chainBroken(
                    "\(store.names.entries) holds \(hashes.size) entries, checkpoint \(size) covers more")
            }
            let root = try hashes.tree.root(treeSize: treeSize)
            guard root == signed.checkpoint.root else {
                throw .fork(
                    "checkpoint \(size) has the root \(signed.checkpoint.root.base64) "
                        + "but the entries hash to \(root.base64)")
            }
            let fresh = View(checkpoint: signed, checkpointText: text, hashes: hashes)
            current.withLock { $0 = fresh }
            return fresh
        }
    }
}
