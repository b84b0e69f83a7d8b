import LedgerCrypto
import Synchronization

extension StoreLedger {
    /// The witness keys the ledger knows, as cosigner (type 0x04) keys: every key registered
    /// with role `witness` and not revoked, as of `authority`.
    static func registeredWitnesses(_ authority: Authority) -> [NoteVerifierKey] {
        authority.keys.values.filter { $0.role == "witness" && $0.revokedAt == nil }.map(\.key.asCosigner)
            .sorted { ($0.name, $0.keyID) < ($1.name, $1.keyID) }
    }

    /// The witness keys registered in the ledger with role `witness` (not revoked), as cosigner
    /// (type 0x04) keys.
    public func registeredWitnesses() throws(LedgerError) -> [NoteVerifierKey] {
        StoreLedger.registeredWitnesses(try currentState().authority)
    }

    /// Attaches the cosignatures of `noteText` to the stored checkpoint of the same size.
    ///
    /// Every signature line other than the log's own must be a valid tlog-cosignature/v1 by a
    /// known witness: a key registered in the ledger with role `witness`, or one of
    /// `witnesses` (a type-0x01 key stands for its type-0x04 cosigner key). Its timestamp must
    /// be at most 2^63 − 1 and at most ``CosignaturePolicy/futureTolerance`` ahead of the
    /// ledger's clock. A valid cosignature replaces the stored one of the same key. Anything
    /// else refuses the whole attach and nothing is written; so does a result of more than
    /// ``CosignaturePolicy/maxCosignatures`` cosignatures.
    ///
    /// A checkpoint signed by the log but disagreeing with the tree is refused with `.fork`;
    /// the pair is kept under `checkpoints/conflicts/` as evidence.
    @discardableResult
    public func attach(_ noteText: String, witnesses: [NoteVerifierKey] = []) throws(LedgerError) -> SignedCheckpoint {
        let now = UInt64(max(0, clock().secondsSinceEpoch))
        return try replayed.withLock { (rp: inout Replayed) throws(LedgerError) -> SignedCheckpoint in
            try store.withWriteLock { session throws(LedgerError) -> SignedCheckpoint in
                let op = try operatorKeyLocked(&rp)
                let incoming = try SignedCheckpoint(parsing: noteText, logKey: op)
                let limit = 1 + CosignaturePolicy.maxCosignatures
                guard incoming.note.signatures.count <= limit else {
                    throw .refused(
                        "the note has \(incoming.note.signatures.count) signature lines; at most \(limit) are accepted "
                            + "(the log's and \(CosignaturePolicy.maxCosignatures) cosignatures)"
                    )
                }
                let size = incoming.checkpoint.size
                guard size <= UInt64(store.size) else {
                    throw .fork("checkpoint size \(size) is beyond the log size \(store.size)")
                }
                let root = try store.tree.root(treeSize: Int64(size))
                guard root == incoming.checkpoint.root else {
                    let path = try store.keepForkEvidence(
                        incoming.note.serialized, size: size, root: incoming.checkpoint.root, in: session)
                    throw .fork(
                        "checkpoint of size \(size) has root \(incoming.checkpoint.root.base64) but the log's tree has "
                            + "\(root.base64): evidence kept in \(path)"
                    )
                }
                let known = CosignaturePolicy.cosignerKeys(
                    StoreLedger.registeredWitnesses(rp.state.authority) + witnesses, logKey: op)
                var cosignatures = [SignedNote.Signature]()
                for (i, s) in incoming.note.signatures.enumerated() {
                    if s.name == op.name && s.keyID == op.keyID { continue }
                    let line = "signature line \(i + 1) (\(s.name)+\(NoteName.hex8(s.keyID)))"
                    guard let key = known.first(where: { $0.name == s.name && $0.keyID == s.keyID }) else {
                        throw LedgerError.refused(
                            "\(line): not a cosignature by a known witness (register the witness with role witness)"
                        ).concerning(.witnessKeys)
                    }
                    let time: UInt64?
                    do throws(LedgerError) { time = try incoming.note.verify(s, by: key) } catch {
                        throw error.prefixed("\(line): witness \(key.name): ")
                    }
                    if let time, CosignaturePolicy.isFuture(time, now: now) {
                        throw .refused(
                            "\(line): witness \(key.name): cosignature timestamp \(time) is more than "
                                + "\(CosignaturePolicy.futureTolerance) s ahead of the log's clock (\(now))"
                        )
                    }
                    cosignatures.append(s)
                }
                var merged = incoming
                if let existing = try store.checkpointText(size: size) {
                    merged = try SignedCheckpoint(parsing: existing, logKey: op)
                    // A stored line under a known witness key that does not verify (written before
                    // cosignatures were checked) is dropped: it was never a cosignature.
                    let stored = merged.note
                    merged.note.removeSignatures { s in
                        guard let key = known.first(where: { $0.name == s.name && $0.keyID == s.keyID }) else {
                            return false
                        }
                        return (try? stored.verify(s, by: key)) == nil
                    }
                }
                // The incoming log signature was checked above; only its valid cosignatures are merged.
                for s in cosignatures { merged.note.add(s) }
                guard merged.note.signatures.count <= limit else {
                    throw .refused(
                        "checkpoint \(size) would carry \(merged.note.signatures.count) signature lines; at most "
                            + "\(limit) are kept (the log's and \(CosignaturePolicy.maxCosignatures) cosignatures)"
                    )
                }
                // Never store a note that the next command could not parse and verify.
                let text = merged.note.serialized
                let check = try SignedCheckpoint(parsing: text, logKey: op)
                _ = try check.cosignatures(witnesses: known, logKey: op, now: SignedNote.maxTimestamp)
                try store.storeCheckpoint(text, size: size, in: session)
                return merged
            }
        }
    }
}
