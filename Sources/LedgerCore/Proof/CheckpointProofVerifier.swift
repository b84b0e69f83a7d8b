import LedgerCrypto

/// Checks a proof offline against checkpoints signed by a log key (specs/cli.md `proof verify`,
/// specs/ledger-format.md §6): the roots come only from those checkpoints, never from the proof.
///
/// The proof's sizes must be the checkpoints' sizes, and every index or size must be at most
/// 2^53 − 1, the largest integer the JSON forms can carry.
public struct CheckpointProofVerifier: Sendable {
    /// What a valid proof proved.
    public enum Verified: Sendable, Hashable {
        /// Leaf `index` is in the tree of `treeSize` leaves of the checkpoint.
        case inclusion(index: UInt64, treeSize: UInt64)
        /// The tree of `size1` leaves is a prefix of the tree of `size2` leaves.
        case consistency(size1: UInt64, size2: UInt64)
    }

    /// The log's key: every checkpoint must be signed by it, under its name as the origin.
    public let logKey: NoteVerifierKey
    /// Witnesses whose cosignatures count towards ``minCosignatures`` (0x01 keys stand for their
    /// 0x04 cosigner keys).
    public var witnesses: [NoteVerifierKey]
    /// How many valid cosignatures by distinct keys among ``witnesses`` the (newer) checkpoint
    /// must carry; 0 asks for none.
    public var minCosignatures: Int
    /// The verifier's clock, seconds since the epoch: a cosignature later than this (beyond the
    /// tolerance) does not count.
    public var now: UInt64

    public init(
        logKey: NoteVerifierKey, witnesses: [NoteVerifierKey] = [], minCosignatures: Int = 0,
        now: UInt64 = CosignaturePolicy.now()
    ) {
        self.logKey = logKey
        self.witnesses = witnesses
        self.minCosignatures = minCosignatures
        self.now = now
    }

    /// Verifies `proof` against signed checkpoints.
    ///
    /// - Parameters:
    ///   - proof: the proof. A tlog-proof carries its own checkpoint, so `checkpoint` and
    ///     `oldCheckpoint` are not used for it.
    ///   - checkpoint: the signed checkpoint note (the newer one, for a consistency proof).
    ///   - oldCheckpoint: the older signed checkpoint note, for a consistency proof.
    ///   - leaf: the leaf bytes (as `ledger entry --raw` prints them). A tlog-proof needs them; for
    ///     a JSON inclusion proof they must hash to its `leafHash`.
    /// - Returns: what the proof proved.
    /// - Throws: `.malformed` for a missing input (``LedgerError/input`` names it) or a size
    ///   over 2^53 − 1; the checkpoint's errors (`.checkpointInvalid`, `.badSignature`, …);
    ///   `.proofInvalid` for a proof of other sizes than the checkpoints', another leaf, or
    ///   hashes that do not lead to the roots.
    public func verify(
        _ proof: ProofDocument, checkpoint: String? = nil, oldCheckpoint: String? = nil, leaf: [UInt8]? = nil
    ) throws(LedgerError) -> Verified {
        switch proof {
        case .tlogProof(let tp):
            let cp = try signedCheckpoint(tp.checkpoint.serialized, countingCosignatures: true)
            try Self.checkJSONRange(tp.index, "tlog-proof index")
            try Self.checkJSONRange(cp.checkpoint.size, "checkpoint size")
            guard let leaf else {
                throw LedgerError.malformed("a tlog-proof needs the leaf it proves").concerning(.leaf)
            }
            try ProofVerifier.verifyInclusion(
                index: tp.index, treeSize: cp.checkpoint.size, leafHash: MerkleHash.leaf(leaf), proof: tp.hashes,
                root: cp.checkpoint.root)
            return .inclusion(index: tp.index, treeSize: cp.checkpoint.size)
        case .inclusion(let p):
            let cp = try newerCheckpoint(checkpoint)
            guard p.treeSize == cp.checkpoint.size else {
                throw .proofInvalid(
                    "proof is for tree size \(p.treeSize) but the checkpoint has size \(cp.checkpoint.size)")
            }
            if let leaf {
                let lh = MerkleHash.leaf(leaf)
                guard lh == p.leafHash else {
                    throw .proofInvalid(
                        "the leaf hashes to \(lh.base64), not the proof's leafHash \(p.leafHash.base64)")
                }
            }
            try p.verify(root: cp.checkpoint.root)
            try Self.checkJSONRange(p.index, "index")
            try Self.checkJSONRange(p.treeSize, "treeSize")
            return .inclusion(index: p.index, treeSize: p.treeSize)
        case .consistency(let p):
            let cp = try newerCheckpoint(checkpoint)
            guard let oldCheckpoint else {
                throw LedgerError.malformed("a consistency proof needs the older checkpoint").concerning(.oldCheckpoint)
            }
            let old = try signedCheckpoint(oldCheckpoint, countingCosignatures: false)
            try Self.checkJSONRange(old.checkpoint.size, "old checkpoint size")
            guard p.size1 == old.checkpoint.size, p.size2 == cp.checkpoint.size else {
                throw .proofInvalid(
                    "proof is from \(p.size1) to \(p.size2) but the checkpoints have sizes "
                        + "\(old.checkpoint.size) and \(cp.checkpoint.size)"
                )
            }
            try p.verify(root1: old.checkpoint.root, root2: cp.checkpoint.root)
            try Self.checkJSONRange(p.size1, "size1")
            try Self.checkJSONRange(p.size2, "size2")
            return .consistency(size1: p.size1, size2: p.size2)
        }
    }

    /// The newer (or only) checkpoint of a JSON proof: required, signed, in range.
    private func newerCheckpoint(_ text: String?) throws(LedgerError) -> SignedCheckpoint {
        guard let text else { throw LedgerError.malformed("the proof needs a checkpoint").concerning(.checkpoint) }
        let cp = try signedCheckpoint(text, countingCosignatures: true)
        try Self.checkJSONRange(cp.checkpoint.size, "checkpoint size")
        return cp
    }

    /// Parses a checkpoint signed by the log key and, when cosignatures are required of it,
    /// counts them.
    private func signedCheckpoint(_ text: String, countingCosignatures: Bool) throws(LedgerError)
        -> SignedCheckpoint
    {
        let cp = try SignedCheckpoint(parsing: text, logKey: logKey)
        if countingCosignatures && minCosignatures > 0 {
            let counted = try cp.cosignatures(witnesses: witnesses, logKey: logKey, now: now).counted.count
            guard counted >= minCosignatures else {
                throw .checkpointInvalid(
                    "checkpoint (size \(cp.checkpoint.size)) has \(counted) valid cosignatures from distinct "
                        + "witness keys given, \(minCosignatures) required"
                )
            }
        }
        return cp
    }

    /// Refuses a size or index above 2^53 − 1 (the JSON integer range), so that none can trap.
    private static func checkJSONRange(_ v: UInt64, _ what: String) throws(LedgerError) {
        guard v <= UInt64(JSONValue.maxSafeInteger) else {
            throw .malformed("\(what) \(v) is over 2^53 − 1, the largest size a proof may have")
        }
    }
}
