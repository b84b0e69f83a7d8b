import LedgerCrypto

/// RFC 9162 proof verification (§2.1.3.2 and §2.1.4.2), followed step by step.
///
/// Proof hashes are taken as raw byte arrays so that a hash of the wrong length is detected
/// and rejected rather than silently truncated or padded.
public enum ProofVerifier {
    static func digests(_ proof: [[UInt8]]) throws(LedgerError) -> [Digest] {
        var out = [Digest]()
        out.reserveCapacity(proof.count)
        for (i, p) in proof.enumerated() {
            guard let d = Digest(bytes: p) else { throw .proofInvalid("proof hash \(i) is \(p.count) bytes, not 32") }
            out.append(d)
        }
        return out
    }

    /// Verifies that `leafHash` is leaf `index` of the tree of `treeSize` leaves with root `root`.
    public static func verifyInclusion(
        index: UInt64, treeSize: UInt64, leafHash: Digest, proof rawProof: [[UInt8]], root: Digest
    ) throws(LedgerError) {
        let proof = try digests(rawProof)
        guard index < treeSize else { throw .proofInvalid("leaf index \(index) is not below tree size \(treeSize)") }
        var fn = index
        var sn = treeSize - 1
        var r = leafHash
        for p in proof {
            guard sn != 0 else { throw .proofInvalid("inclusion proof has too many hashes") }
            if fn & 1 == 1 || fn == sn {
                r = MerkleHash.node(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = MerkleHash.node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw .proofInvalid("inclusion proof has too few hashes") }
        guard r == root else { throw .proofInvalid("inclusion proof does not lead to the root") }
    }

    /// Verifies that the tree of `size1` leaves with `root1` is a prefix of the tree of `size2`
    /// leaves with `root2`.
    public static func verifyConsistency(
        size1: UInt64, size2: UInt64, proof rawProof: [[UInt8]], root1: Digest, root2: Digest
    ) throws(LedgerError) {
        var proof = try digests(rawProof)
        guard size1 <= size2 else { throw .proofInvalid("size1 \(size1) is larger than size2 \(size2)") }
        if size1 == size2 {
            guard proof.isEmpty else { throw .proofInvalid("consistency proof between equal sizes must be empty") }
            guard root1 == root2 else { throw .proofInvalid("roots differ for equal tree sizes") }
            return
        }
        guard size1 != 0 else { throw .proofInvalid("consistency proof from size 0 is not defined") }
        guard !proof.isEmpty else { throw .proofInvalid("consistency proof is empty") }
        if size1 & (size1 - 1) == 0 { proof.insert(root1, at: 0) }
        var fn = size1 - 1
        var sn = size2 - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = proof[0]
        var sr = proof[0]
        for c in proof.dropFirst() {
            guard sn != 0 else { throw .proofInvalid("consistency proof has too many hashes") }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleHash.node(c, fr)
                sr = MerkleHash.node(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = MerkleHash.node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw .proofInvalid("consistency proof has too few hashes") }
        guard fr == root1 else { throw .proofInvalid("consistency proof does not lead to the old root") }
        guard sr == root2 else { throw .proofInvalid("consistency proof does not lead to the new root") }
    }
}
