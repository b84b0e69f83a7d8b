import LedgerCrypto

/// The right edge of a Merkle tree being built leaf by leaf: one hash per complete subtree
/// of the tree so far (at most log2(n) + 1). It gives the root at every size without storing
/// the tree.
public struct CompactRange: Sendable {
    /// The hashes of the complete subtrees, largest (left-most) first: one for each one bit of
    /// ``size``.
    var hashes: [Digest] = []
    /// Leaves appended so far.
    public internal(set) var size: Int64 = 0

    public init() {}

    /// Appends a leaf hash and returns the stored hashes it adds, in ``StoredHashIndex`` order.
    @discardableResult
    public mutating func append(_ leafHash: Digest) -> [Digest] {
        var out = [Digest]()
        append(leafHash) { out.append($0) }
        return out
    }

    /// Appends a leaf hash and calls `visit` with each stored hash it adds, in
    /// ``StoredHashIndex`` order, without allocating.
    public mutating func append<E: Error>(_ leafHash: Digest, visit: (Digest) throws(E) -> Void) throws(E) {
        // The left siblings are the subtrees on the right edge, smallest (last) first.
        let top = try StoredHashIndex.fold(
            leafHash: leafHash, index: size, leftSibling: { (_, _) throws(E) in hashes.removeLast() }, visit: visit)
        hashes.append(top)
        size += 1
    }

    /// The root hash of the leaves appended so far.
    public var root: Digest {
        guard var r = hashes.last else { return MerkleHash.emptyRoot }
        for h in hashes.dropLast().reversed() { r = MerkleHash.node(h, r) }
        return r
    }
}
