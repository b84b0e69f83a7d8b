import LedgerCrypto

/// What a receipt's evidence shows (``ReceiptEvidence/evaluate(_:)``).
public enum ReceiptVerdict: Sendable, Hashable {
    /// The promised entry is at the promised index, under a checkpoint signed by the log key,
    /// with a verified inclusion proof; its log time is not after include-by.
    /// `witnessedBy` is the earliest counted cosignature of that checkpoint by the witnesses
    /// given, if any: with a time ≤ include-by it shows the checkpoint existed in time.
    case included(checkpointSize: UInt64, witnessedBy: CosignatureSet.Cosignature?)
    /// The promise was broken.
    case broken(ReceiptBreach)
    /// Not covered by the checkpoint, and include-by has not passed: nothing is decided yet.
    case pending(checkpointSize: UInt64)
}

/// How a receipt's promise was broken.
public enum ReceiptBreach: Sendable, Hashable {
    /// A checkpoint signed by the log key covers the index, and the verified inclusion proof
    /// shows another entry there (another statement, or the same statement in another entry).
    /// Portable: the receipt, the checkpoint, the leaf and the proof convince anyone who knows
    /// the log key.
    case otherEntry(checkpointSize: UInt64, leafHash: Digest, statementHash: Digest)
    /// Include-by has passed and the latest checkpoint does not cover the index.
    /// `witnessedAfter` is a counted cosignature of that checkpoint by a given witness with a
    /// time after include-by: the witness saw the log at a size ≤ index after the deadline,
    /// which makes the evidence portable. Without it the evidence is only what this copy of
    /// the log shows, which the operator can dispute by producing a later checkpoint.
    case notCovered(checkpointSize: UInt64, witnessedAfter: CosignatureSet.Cosignature?)
}

/// The evidence about one receipt, from whatever source: a ledger directory or, later, a
/// server. A pure function of its inputs: it reads no file and no clock.
public struct ReceiptEvidence: Sendable {
    /// The receipt note, as the client kept it.
    public var receipt: String
    /// The log key (the operator key of the log), obtained independently.
    public var logKey: NoteVerifierKey
    /// The latest signed checkpoint note the source has; nil when it has none.
    public var checkpoint: String?
    /// When the checkpoint covers the receipt's index: the entry line at that index (without
    /// its newline) and its RFC 9162 inclusion proof in the checkpoint's tree.
    public var entry: (leaf: [UInt8], proof: [Digest])?
    /// Witnesses whose cosignatures on the checkpoint are read for their timestamps.
    public var witnesses: [NoteVerifierKey]
    /// The checker's clock.
    public var now: Timestamp

    public init(
        receipt: String, logKey: NoteVerifierKey, checkpoint: String?, entry: (leaf: [UInt8], proof: [Digest])?,
        witnesses: [NoteVerifierKey] = [], now: Timestamp
    ) {
        self.receipt = receipt
        self.logKey = logKey
        self.checkpoint = checkpoint
        self.entry = entry
        self.witnesses = witnesses
        self.now = now
    }

    /// Checks the receipt's signature under ``logKey``, then what the checkpoint and the entry
    /// show about its promise.
    ///
    /// - Returns: the verified receipt and the verdict.
    /// - Throws: the receipt's and the checkpoint's errors (not signed by the log key,
    ///   malformed); `.malformed` when the checkpoint covers the index but no entry is given;
    ///   `.proofInvalid` when the entry or its proof does not lead to the checkpoint's root.
    ///   Evidence that does not verify proves nothing either way.
    public func evaluate() throws(LedgerError) -> (receipt: Receipt, verdict: ReceiptVerdict) {
        let receipt = try SignedReceipt(parsing: self.receipt, logKey: logKey).receipt
        let cp = try checkpoint.map { text throws(LedgerError) in try SignedCheckpoint(parsing: text, logKey: logKey) }
        let size = cp?.checkpoint.size ?? 0
        let clock = UInt64(clamping: now.secondsSinceEpoch)
        let cosignatures =
            try cp.map { c throws(LedgerError) in
                witnesses.isEmpty ? [] : try c.cosignatures(witnesses: witnesses, logKey: logKey, now: clock).counted
            } ?? []
        guard let cp, receipt.index < size else {
            guard now > receipt.includeBy else { return (receipt, .pending(checkpointSize: size)) }
            let after = cosignatures.filter { Int64(clamping: $0.time) > receipt.includeBy.secondsSinceEpoch }
            let earliest = after.min { $0.time < $1.time }
            return (receipt, .broken(.notCovered(checkpointSize: size, witnessedAfter: earliest)))
        }
        guard let entry else {
            throw LedgerError.malformed("the checkpoint covers entry \(receipt.index): its leaf and proof are needed")
                .concerning(.leaf)
        }
        let leafHash = MerkleHash.leaf(entry.leaf)
        try ProofVerifier.verifyInclusion(
            index: receipt.index, treeSize: size, leafHash: leafHash, proof: entry.proof.map(\.bytes),
            root: cp.checkpoint.root)
        let found = try Entry(leaf: entry.leaf)
        guard found.index == receipt.index else {
            throw .proofInvalid("the leaf is entry \(found.index), not entry \(receipt.index)")
        }
        let statementHash = found.signed.statement.hash
        guard leafHash == receipt.leafHash, statementHash == receipt.statementHash, found.time <= receipt.includeBy
        else {
            return (
                receipt,
                .broken(.otherEntry(checkpointSize: size, leafHash: leafHash, statementHash: statementHash))
            )
        }
        return (receipt, .included(checkpointSize: size, witnessedBy: cosignatures.min { $0.time < $1.time }))
    }
}
