import LedgerCrypto
import Synchronization

extension StoreLedger {
    /// Entries served by another copy of the log, checked one at a time as they arrive, before
    /// ``appendMirrored(_:lines:checkpoint:checkpointText:logKey:)`` appends them: how a mirror
    /// stops a hostile server at its first bad entry, holding none of the entries in memory.
    ///
    /// Each entry is checked as ``appendMirrored(_:checkpoint:checkpointText:logKey:)`` checks
    /// it: it must parse (canonical), carry a valid signature (``StoreAuditor``'s check), link
    /// to the one before and be accepted by the rules, replayed from the ledger's state
    /// (``Replay``); entry 0 must name `logKey`. What grows with the entries is the replay's
    /// state (the rules' state and one statement hash per entry), as for any replay.
    package struct MirrorCheck: Sendable {
        /// The replay over the ledger's entries and the ones checked so far.
        package private(set) var replay: Replay<Rules>
        /// The ledger's size and last leaf hash when the check started.
        let baseSize: Int64
        let baseLeaf: Digest
        let logKey: NoteVerifierKey

        /// A check from the first entry, of a log signed by `logKey` (no ledger behind it).
        package init(logKey: NoteVerifierKey) {
            self.init(replay: Replay(checks: .all), baseSize: 0, baseLeaf: .zero, logKey: logKey)
        }

        init(replay: Replay<Rules>, baseSize: Int64, baseLeaf: Digest, logKey: NoteVerifierKey) {
            self.replay = replay
            self.baseSize = baseSize
            self.baseLeaf = baseLeaf
            self.logKey = logKey
        }

        /// The number of entries, the ledger's and the checked ones: the next entry's index.
        package var size: Int64 { replay.size }
        /// The root of the tree over the ledger's entries and the checked ones.
        package var root: Digest { replay.range.root }

        /// Checks `lines`, the next entries in order (signatures in parallel), and stops at the
        /// first one refused: the error names it, `entry N: …`.
        package mutating func check(_ lines: [[UInt8]]) throws(LedgerError) {
            let slices = lines.map { $0[...] }
            let checked = StoreAuditor<Rules, Store>.checkInParallel(slices)
            for (k, line) in slices.enumerated() {
                let c = checked[k]
                let decoded: Result<Replay<Rules>.Decoded, LedgerError> =
                    c.error.map { .failure($0) }
                    ?? .success(.init(entry: c.entry!, leafHash: c.leafHash, statementHash: c.statementHash))
                let i = replay.size
                try replay.apply(line, at: i, decoded: decoded)
                if i == 0 { try checkGenesisKey() }
            }
        }

        /// Checks that the genesis entry names the log key.
        func checkGenesisKey() throws(LedgerError) {
            guard let genesisKey = replay.rules.authority.operatorKey, genesisKey == logKey else {
                throw .unauthorized(
                    "entry 0: the genesis entry names the operator key "
                        + "\(replay.rules.authority.operatorKey?.description ?? "none"), not the log key \(logKey)")
            }
        }
    }

    /// A check of the entries after the committed ones, served by another copy of the log
    /// signed by `logKey`.
    package func mirrorCheck(logKey: NoteVerifierKey) throws(LedgerError) -> MirrorCheck {
        try replayed.withLock { (rp: inout Replayed) throws(LedgerError) in
            try store.refresh()
            try replay(&rp, to: store.size)
            return MirrorCheck(replay: rp.replay, baseSize: rp.size, baseLeaf: rp.lastLeaf, logKey: logKey)
        }
    }

    /// Appends the entries that `check` checked, byte for byte, and stores the checkpoint
    /// that covers them; `next` gives the entries' lines again, in order, a chunk at a time
    /// (nil at the end), as they were checked.
    ///
    /// Nothing is written unless the ledger is still where the check started, the checkpoint
    /// is signed by the log key and of `check`'s size, and `check`'s tree has its root; the
    /// entries are then written a chunk at a time, each chunk one commit of the store (so
    /// that no more than a chunk is held in memory), and the checkpoint last. The chunks'
    /// lines are hashed again and must give `check`'s root, or nothing more is written. An
    /// interruption (a crash, a disk error) leaves a prefix of these entries, which are
    /// checked entries of the log that no stored checkpoint covers yet, as
    /// ``appendMirrored(_:checkpoint:checkpointText:logKey:)`` can.
    ///
    /// - Throws: `.fork` when the root differs; `.refused` when the ledger changed since the
    ///   check started.
    package func appendMirrored(
        _ check: MirrorCheck, lines next: () throws(LedgerError) -> [[UInt8]]?, checkpoint: SignedCheckpoint,
        checkpointText: String, logKey: NoteVerifierKey
    ) throws(LedgerError) {
        try replayed.withLock { (rp: inout Replayed) throws(LedgerError) in
            try store.withWriteLock { session throws(LedgerError) in
                try replay(&rp, to: store.size)
                guard rp.size == check.baseSize, rp.lastLeaf == check.baseLeaf, store.size == check.baseSize else {
                    throw .refused(
                        "\(store.location): the ledger changed while the served entries were fetched "
                            + "(\(check.baseSize) entries then, \(store.size) now); nothing was appended")
                }
                let newSize = check.size
                guard checkpoint.checkpoint.size == UInt64(newSize) else {
                    throw .malformed(
                        "the checkpoint is of size \(checkpoint.checkpoint.size), not \(store.size) + "
                            + "\(newSize - store.size)")
                }
                _ = try SignedCheckpoint(parsing: checkpointText, logKey: logKey)
                if newSize > 0 { try check.checkGenesisKey() }
                guard check.root == checkpoint.checkpoint.root else {
                    throw .fork(
                        "checkpoint \(newSize) is not consistent with the entries held: it has the root "
                            + "\(checkpoint.checkpoint.root.base64), but the \(store.size) entries held and the "
                            + "\(newSize - store.size) new ones hash to \(check.root.base64)")
                }
                var range = rp.replay.range
                while let lines = try next(), !lines.isEmpty {
                    var storedHashes = [Digest]()
                    var statementHashes = [Digest]()
                    var last = Digest.zero
                    for line in lines {
                        last = MerkleHash.leaf(line)
                        range.append(last) { storedHashes.append($0) }
                        guard let sh = Entry.statementHash(inCanonicalLeaf: line[...]) else {
                            throw .malformed("entry \(range.size - 1): no statement found in the leaf")
                        }
                        statementHashes.append(sh)
                    }
                    guard range.size <= newSize else {
                        throw .io("more entries were staged than were checked; nothing more was appended")
                    }
                    if range.size == newSize, range.root != check.root {
                        throw .io("the staged entries are not the ones checked; nothing more was appended")
                    }
                    try store.append(
                        leaves: lines, storedHashes: storedHashes, statementHashes: statementHashes,
                        lastLeafHash: last, root: range.root, in: session)
                }
                guard range.size == newSize else {
                    throw .io("fewer entries were staged than were checked; the checkpoint was not stored")
                }
                if newSize > check.baseSize {
                    if rp.verifiedSize == rp.size { rp.verifiedSize = newSize }
                    rp.replay = check.replay
                    rp.end = store.committedEnd
                    publishSigners(rp)
                }
                try store.storeCheckpoint(checkpointText, size: UInt64(newSize), in: session)
            }
        }
    }
}
