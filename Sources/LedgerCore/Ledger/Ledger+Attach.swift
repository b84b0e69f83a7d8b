import LedgerCrypto

extension Ledger {
    /// Attaches the cosignatures of `note` to the stored checkpoint of the same size.
    ///
    /// A checkpoint signed by the log but disagreeing with the tree is refused with `.fork`;
    /// the pair is kept under `checkpoints/conflicts/` as evidence.
    @discardableResult
    public func attach(_ noteText: String) throws(LedgerError) -> SignedCheckpoint {
        try store.withWriteLock { () throws(LedgerError) -> SignedCheckpoint in
            let op = try operatorKeyLocked()
            let incoming = try SignedCheckpoint(parsing: noteText, logKey: op)
            let size = incoming.checkpoint.size
            guard size <= UInt64(store.size) else {
                throw .fork("checkpoint size \(size) is beyond the log size \(store.size)")
            }
            let root = try store.tree.root(treeSize: Int64(size))
            guard root == incoming.checkpoint.root else {
                let evidence = store.directory + "/" + FileStore.checkpointsDirectory + "/conflicts"
                try POSIX.mkdir(evidence)
                let path = evidence + "/\(size)-\(incoming.checkpoint.root.hex.prefix(16)).note"
                try POSIX.writeAtomically(Array(incoming.note.serialized.utf8), to: path)
                throw .fork(
                    "checkpoint of size \(size) has root \(incoming.checkpoint.root.base64) but the log's tree has \(root.base64): evidence kept in \(path)"
                )
            }
            var merged = incoming
            if let existing = try store.checkpointText(size: size) {
                merged = try SignedCheckpoint(parsing: existing, logKey: op)
                try merged.note.merge(incoming.note)
            }
            try store.storeCheckpoint(merged.note.serialized, size: size)
            return merged
        }
    }
}
