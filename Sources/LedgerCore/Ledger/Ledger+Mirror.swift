import LedgerCrypto

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
        _ = try SignedCheckpoint(parsing: checkpointText, logKey: logKey)
        var check = try mirrorCheck(logKey: logKey)
        guard checkpoint.checkpoint.size == UInt64(check.size + Int64(lines.count)) else {
            throw .malformed(
                "the checkpoint is of size \(checkpoint.checkpoint.size), not \(check.size) + \(lines.count)")
        }
        try check.check(lines)
        var pending: [[UInt8]]? = lines
        try appendMirrored(
            check,
            lines: {
                defer { pending = nil }
                return pending
            }, checkpoint: checkpoint,
            checkpointText: checkpointText, logKey: logKey)
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
