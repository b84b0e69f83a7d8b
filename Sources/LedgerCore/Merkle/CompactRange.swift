import LedgerCrypto

/// The right edge of a Merkle tree being built leaf by leaf: one hash per complete subtree
/// of the tree so far (at most log2(n) + 1). It gives the root at every size without storing
/// the tree.
public struct CompactRange: Sendable {
    var hashes: [Digest] = []
    var levels: [Int] = []
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
    public mutating func append(_ leafHash: Digest, visit: (Digest) throws(LedgerError) -> Void) rethrows {
        try visit(leafHash)
        var h = leafHash
        var level = 0
        while let last = levels.last, last == level {
            h = MerkleHash.node(hashes.removeLast(), h)
            levels.removeLast()
            level += 1
            try visit(h)
        }
        hashes.append(h)
        levels.append(level)
        size += 1
    }

    /// The root hash of the leaves appended so far.
    public var root: Digest {
        guard var r = hashes.last else { return MerkleHash.emptyRoot }
        for h in hashes.dropLast().reversed() { r = MerkleHash.node(h, r) }
        return r
    }
}
