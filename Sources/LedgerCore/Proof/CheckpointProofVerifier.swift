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

    /// What a valid proof proved, with the checkpoint it rests on.
    public struct Outcome: Sendable {
        /// What the proof proved.
        public let verified: Verified
        /// The checkpoint whose root the proof leads to (the newer one, for consistency),
        /// signed by ``CheckpointProofVerifier/logKey``.
        public let checkpoint: SignedCheckpoint
        /// For an inclusion proof, the hash of the leaf it proves (the `leafHash` of a JSON
        /// proof, or the hash of the leaf given with a tlog-proof).
        public let leafHash: Digest?
        /// The cosignatures of ``checkpoint`` by ``CheckpointProofVerifier/witnesses``
        /// (empty when no witness is given).
        public let cosignatures: CosignatureSet
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
    ///   over 2^53 − 1; the checkpoint's errors (`.checkpointInvalid`, `.badSignature`, …),
    ///   `.checkpointInvalid` for fewer than ``minCosignatures`` cosignatures;
    ///   `.proofInvalid` for a proof of other sizes than the checkpoints', another leaf, or
    ///   hashes that do not lead to the roots.
    public func verify(
        _ proof: ProofDocument, checkpoint: String? = nil, oldCheckpoint: String? = nil, leaf: [UInt8]? = nil
    ) throws(LedgerError) -> Verified {
        try check(proof, checkpoint: checkpoint, oldCheckpoint: oldCheckpoint, leaf: leaf).verified
    }

    /// As ``verify(_:checkpoint:oldCheckpoint:leaf:)``, returning also the checkpoint the proof
    /// rests on, the proven leaf hash and the checkpoint's cosignatures by ``witnesses``.
    public func check(
        _ proof: ProofDocument, checkpoint: String? = nil, oldCheckpoint: String? = nil, leaf: [UInt8]? = nil
    ) throws(LedgerError) -> Outcome {
        switch proof {
        case .tlogProof(let tp):
            let (cp, cosignatures) = try signedCheckpoint(tp.checkpoint.serialized, countingCosignatures: true)
            try Self.checkJSONRange(tp.index, "tlog-proof index")
            try Self.checkJSONRange(cp.checkpoint.size, "checkpoint size")
            guard let leaf else {
                throw LedgerError.malformed("a tlog-proof needs the leaf it proves").concerning(.leaf)
            }
            let leafHash = MerkleHash.leaf(leaf)
            try ProofVerifier.verifyInclusion(
                index: tp.index, treeSize: cp.checkpoint.size, leafHash: leafHash, proof: tp.hashes,
                root: cp.checkpoint.root)
            return Outcome(
                verified: .inclusion(index: tp.index, treeSize: cp.checkpoint.size), checkpoint: cp,
                leafHash: leafHash, cosignatures: cosignatures)
        case .inclusion(let p):
            let (cp, cosignatures) = try newerCheckpoint(checkpoint)
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
            return Outcome(
                verified: .inclusion(index: p.index, treeSize: p.treeSize), checkpoint: cp, leafHash: p.leafHash,
                cosignatures: cosignatures)
        case .consistency(let p):
            let (cp, cosignatures) = try newerCheckpoint(checkpoint)
            guard let oldCheckpoint else {
                throw LedgerError.malformed("a consistency proof needs the older checkpoint").concerning(.oldCheckpoint)
            }
            let old = try signedCheckpoint(oldCheckpoint, countingCosignatures: false).checkpoint
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
            return Outcome(
                verified: .consistency(size1: p.size1, size2: p.size2), checkpoint: cp, leafHash: nil,
                cosignatures: cosignatures)
        }
    }

    /// Checks a checkpoint on its own: well formed (C2SP tlog-checkpoint), signed by the log
    /// key under its name as the origin, every line by a witness key valid (C2SP
    /// tlog-cosignature), and at least ``minCosignatures`` of them counted.
    ///
    /// - Returns: the checkpoint and its cosignatures by ``witnesses``.
    public func checkCheckpoint(_ text: String) throws(LedgerError) -> (
        checkpoint: SignedCheckpoint, cosignatures: CosignatureSet
    ) {
        try signedCheckpoint(text, countingCosignatures: true)
    }

    /// The newer (or only) checkpoint of a JSON proof: required, signed, in range.
    private func newerCheckpoint(_ text: String?) throws(LedgerError) -> (SignedCheckpoint, CosignatureSet) {
        guard let text else { throw LedgerError.malformed("the proof needs a checkpoint").concerning(.checkpoint) }
        let (cp, cosignatures) = try signedCheckpoint(text, countingCosignatures: true)
        try Self.checkJSONRange(cp.checkpoint.size, "checkpoint size")
        return (cp, cosignatures)
    }

    /// Parses a checkpoint signed by the log key and, when cosignatures are required of it,
    /// checks the lines by ``witnesses`` and counts the valid ones.
    private func signedCheckpoint(_ text: String, countingCosignatures: Bool) throws(LedgerError)
        -> (checkpoint: SignedCheckpoint, cosignatures: CosignatureSet)
    {
        let cp = try SignedCheckpoint(parsing: text, logKey: logKey)
        guard countingCosignatures else { return (cp, CosignatureSet()) }
        let set =
            witnesses.isEmpty ? CosignatureSet() : try cp.cosignatures(witnesses: witnesses, logKey: logKey, now: now)
        guard set.counted.count >= minCosignatures else {
            throw .checkpointInvalid(
                "checkpoint (size \(cp.checkpoint.size)) has \(set.counted.count) valid cosignatures from distinct "
                    + "witness keys given, \(minCosignatures) required"
            )
        }
        return (cp, set)
    }

    /// Refuses a size or index above 2^53 − 1 (the JSON integer range), so that none can trap.
    private static func checkJSONRange(_ v: UInt64, _ what: String) throws(LedgerError) {
        guard v <= UInt64(JSONValue.maxSafeInteger) else {
            throw .malformed("\(what) \(v) is over 2^53 − 1, the largest size a proof may have")
        }
    }
}
