import LedgerCrypto

extension StoreLedger {
    /// The root of the Merkle tree over the first `count` entries as they stand in the store,
    /// read by their newlines with no cache believed (a hash-only pass), or nil when the store
    /// holds fewer entries.
    package func hashOnlyRoot(count: Int64) throws(LedgerError) -> Digest? {
        let snap = store.snapshot
        var range = CompactRange()
        var cursor = store.entryCursor(from: 0, index: 0, limit: snap.committedEnd)
        while range.size < count, let chunk = try cursor.next(maxLines: count - range.size) {
            for line in chunk.lines { _ = range.append(line.withUnsafeBytes { MerkleHash.leaf($0) }) }
        }
        return range.size == count ? range.root : nil
    }

    /// The signer set as `checkpoint` shows it: the first `checkpoint.size` entries of this
    /// copy of the ledger, which must hash to the checkpoint's root, replayed under the rules.
    ///
    /// An offline auditor passes it to ``ProvenEntry`` to check that the signer of an entry the
    /// checkpoint covers was registered, and not revoked, at that entry. The replay does not
    /// re-check signatures (``Auditor`` does); that the entries hash to a root the log signed
    /// is what ties this copy to the log.
    /// - Throws: `.chainBroken` when this copy holds fewer entries than the checkpoint covers
    ///   or they do not hash to its root; the replay's errors.
    public func authority(asOf checkpoint: Checkpoint) throws(LedgerError) -> Authority {
        try store.refresh()
        guard let n = Int64(exactly: checkpoint.size), n <= store.size else {
            throw .chainBroken(
                "\(store.location) holds \(store.size) entries, fewer than the checkpoint's \(checkpoint.size)")
        }
        guard try hashOnlyRoot(count: n) == checkpoint.root else {
            throw .chainBroken(
                "the first \(n) entries of \(store.location) do not hash to the checkpoint's root: "
                    + "it is not a copy of this log")
        }
        return try state(upTo: n).authority
    }
}
