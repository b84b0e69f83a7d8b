import LedgerCrypto

/// The stored-hash layout of Go's `golang.org/x/mod/sumdb/tlog`, which lets C2SP tlog-tiles
/// be served straight from the store.
///
/// Every complete subtree of 2^level leaves starting at leaf `n << level` has one hash. They
/// are stored in the order they become known while leaves are appended: each leaf hash, then
/// the hashes of the subtrees that leaf completes, smallest first.
public enum StoredHashIndex {
    /// The position of the hash of subtree `n` at `level`.
    @inlinable
    public static func index(level: Int, n: Int64) -> Int64 {
        // The subtree is completed by its last leaf: leaf ((n + 1) << level) - 1.
        let leaf = ((n &+ 1) << level) &- 1
        // Before leaf `leaf`'s hash come, for every earlier leaf j, 1 + (trailing ones of j) hashes;
        // summed over j < leaf that is leaf + ⌊leaf/2⌋ + ⌊leaf/4⌋ + … = 2·leaf − popcount(leaf).
        return 2 &* leaf &- Int64(leaf.nonzeroBitCount) &+ Int64(level)
    }

    /// How many hashes a tree of `size` leaves stores.
    public static func count(size: Int64) -> Int64 {
        guard size > 0 else { return 0 }
        var c = index(level: 0, n: size - 1) + 1
        var j = size - 1
        while j & 1 == 1 {
            c += 1
            j >>= 1
        }
        return c
    }

    /// The stored-hash recurrence, written once: the hashes that appending leaf `index`, whose
    /// hash is `leafHash`, adds to the store, in order. They are the leaf hash, then the hash
    /// of each subtree that the leaf completes, smallest first: 1 + (trailing one bits of
    /// `index`) hashes.
    ///
    /// - Parameters:
    ///   - leftSibling: the hash of complete subtree `n` at `level`, the left sibling the
    ///     leaf's subtree is joined with (already known: a stored hash, or the top of a
    ///     compact range, whose subtrees are asked for smallest first).
    ///   - visit: called with each hash, in order.
    /// - Returns: the hash of the largest subtree the leaf completes (the leaf hash when it
    ///   completes none): the new right-most hash of a compact range.
    package static func fold<E: Error>(
        leafHash: Digest, index: Int64, leftSibling: (_ level: Int, _ n: Int64) throws(E) -> Digest,
        visit: (Digest) throws(E) -> Void
    ) throws(E) -> Digest {
        try visit(leafHash)
        var h = leafHash
        var level = 0
        var n = index
        while n & 1 == 1 {
            h = MerkleHash.node(try leftSibling(level, n - 1), h)
            try visit(h)
            level += 1
            n >>= 1
        }
        return h
    }
}
