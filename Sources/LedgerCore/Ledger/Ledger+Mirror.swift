import LedgerCrypto
import Synchronization

extension StoreLedger {
    /// Appends entries that another copy of the log wrote, byte for byte, and stores the
    /// checkpoint that covers them: how `ledger sync URL DIR` extends an auditor's mirror.
    ///
    /// Nothing is written unless every check passes: each line must parse (canonical), carry a
    /// valid signature (``StoreAuditor``'s check), link to the one before (index, `prev`, time
    /// order, claimed time) and be accepted by the rules, replayed as any reader replays
    /// (``Replay``); the genesis entry must name `logKey`; and the tree over the stored
    /// entries and the new ones must have the checkpoint's root. Since the stored entries are
    /// a prefix of that tree, the new checkpoint is then consistent with every checkpoint
    /// stored before. The entries and the checkpoint are two commits: an interruption between
    /// them leaves entries that no stored checkpoint covers yet, which a local audit accepts
    /// and the next call completes.
    ///
    /// - Parameters:
    ///   - lines: the entries after the stored ones, each its line without the newline.
    ///   - checkpoint: the checkpoint of the stored size plus `lines.count`, signed by `logKey`.
    ///   - checkpointText: its note as served (with its cosignatures), stored as it is.
    /// - Throws: `.fork` when the root differs; the replay's error, naming the entry, when an
    ///   entry is refused.
    package func appendMirrored(
        _ lines: [[UInt8]], checkpoint: SignedCheckpoint, checkpointText: String, logKey: NoteVerifierKey
    ) throws(LedgerError) {
        try replayed.withLock { (rp: inout Replayed) throws(LedgerError) in
            try store.withWriteLock { session throws(LedgerError) in
                try replay(&rp, to: store.size)
                let newSize = store.size + Int64(lines.count)
                guard checkpoint.checkpoint.size == UInt64(newSize) else {
                    throw .malformed(
                        "the checkpoint is of size \(checkpoint.checkpoint.size), not \(store.size) + \(lines.count)")
                }
                _ = try SignedCheckpoint(parsing: checkpointText, logKey: logKey)
                var replay = rp.replay
                var storedHashes = [Digest]()
                var statementHashes = [Digest]()
                let slices = lines.map { $0[...] }
                let checked = StoreAuditor<Rules, Store>.checkInParallel(slices)
                for (k, line) in slices.enumerated() {
                    let c = checked[k]
                    let decoded: Result<Replay<Rules>.Decoded, LedgerError> =
                        c.error.map { .failure($0) }
                        ?? .success(.init(entry: c.entry!, leafHash: c.leafHash, statementHash: c.statementHash))
                    try replay.apply(
                        line, at: rp.size + Int64(k), decoded: decoded,
                        didApply: { step, replay throws(LedgerError) in
                            storedHashes += replay.added
                            statementHashes.append(step.statementHash)
                        })
                }
                guard let genesisKey = replay.rules.authority.operatorKey, genesisKey == logKey else {
                    throw .unauthorized(
                        "the genesis entry names the operator key "
                            + "\(replay.rules.authority.operatorKey?.description ?? "none"), not the log key \(logKey)")
                }
                let root = replay.range.root
                guard root == checkpoint.checkpoint.root else {
                    throw .fork(
                        "checkpoint \(newSize) is not consistent with the entries held: it has the root "
                            + "\(checkpoint.checkpoint.root.base64), but the \(store.size) entries held and the "
                            + "\(lines.count) new ones hash to \(root.base64)")
                }
                if !lines.isEmpty {
                    try store.append(
                        leaves: lines, storedHashes: storedHashes, statementHashes: statementHashes,
                        lastLeafHash: replay.chain.prev, root: root, in: session)
                    if rp.verifiedSize == rp.size { rp.verifiedSize = newSize }
                    rp.replay = replay
                    rp.end = store.committedEnd
                }
                try store.storeCheckpoint(checkpointText, size: UInt64(newSize), in: session)
            }
        }
    }
}

extension StoreLedger.Appended {
    /// Where a served log put a statement submitted to it: the index and leaf hash its reply
    /// gives, and an entry holding the statement (its `prev` and time are the log's, and not
    /// known to the client until the entry is published).
    package static func submitted(index: UInt64, leafHash: Digest, entry: Entry) -> Self {
        Self(index: index, leafHash: leafHash, entry: entry)
    }
}
