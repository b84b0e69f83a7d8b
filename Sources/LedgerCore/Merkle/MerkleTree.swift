import LedgerCrypto

/// RFC 9162 hashing.
public enum MerkleHash {
    /// `SHA-256("")`: the root of the empty tree.
    public static let emptyRoot = SHA256.hash([UInt8]())

    /// `SHA-256(0x00 || leaf)`.
    public static func leaf(_ bytes: UnsafeRawBufferPointer) -> Digest { SHA256.hash(prefix: 0, bytes) }

    /// `SHA-256(0x00 || leaf)`.
    public static func leaf(_ bytes: [UInt8]) -> Digest { bytes.withUnsafeBytes { leaf($0) } }

    /// `SHA-256(0x01 || left || right)`.
    @inlinable
    public static func node(_ left: Digest, _ right: Digest) -> Digest { SHA256.node(left, right) }

    /// The stored hashes that appending leaf number `index` with `leafHash` adds, given the
    /// hashes already stored. Returns 1 + (number of trailing one bits of `index`) hashes.
    public static func newStoredHashes(index: Int64, leafHash: Digest, reader: (Int64) -> Digest) -> [Digest] {
        var out = [Digest]()
        appendStoredHashes(index: index, leafHash: leafHash, into: &out, reader: reader)
        return out
    }

    /// Appends to `out` the stored hashes that appending leaf `index` adds.
    public static func appendStoredHashes(
        index: Int64, leafHash: Digest, into out: inout [Digest], reader: (Int64) -> Digest
    ) {
        _ = StoredHashIndex.fold(
            leafHash: leafHash, index: index, leftSibling: { reader(StoredHashIndex.index(level: $0, n: $1)) },
            visit: { out.append($0) })
    }

    /// Largest power of two strictly smaller than `n` (n ≥ 2).
    @inlinable
    static func split(_ n: Int64) -> Int64 {
        Int64(1) << (63 - (n - 1).leadingZeroBitCount)
    }
}

/// Read access to a Merkle tree through its stored hashes. Every operation first works out
/// which stored hashes it needs (O(log n) of them), reads them in one
/// ``HashReader/readHashes(_:)`` call, which may fail, and then hashes; it never rebuilds the
/// tree. (The shape of Go's `golang.org/x/mod/sumdb/tlog`: `TreeHash`, `ProveRecord`,
/// `ProveTree`.)
public struct MerkleTree<Reader: HashReader>: Sendable where Reader: Sendable {
    public let reader: Reader
    /// Number of leaves stored.
    public let size: Int64

    /// Hashes of the ranges [lo, cachedSize) on the right edge of the tree of `cachedSize`
    /// leaves: the only non-complete subtrees a proof for that size needs.
    var edgeStarts: [Int64] = []
    var edgeHashes: [Digest] = []
    var cachedSize: Int64 = -1

    public init(reader: Reader, size: Int64) {
        self.reader = reader
        self.size = size
    }

    /// The same tree with the right-edge hashes of `treeSize` precomputed, so that each
    /// inclusion or consistency proof at that size is pure stored-hash reads (no hashing).
    public func cachingEdge(treeSize: Int64) throws(LedgerError) -> MerkleTree {
        var t = self
        guard treeSize > 0, treeSize <= size else { return t }
        var lo: Int64 = 0
        var chain = [Int64]()
        while treeSize - lo > 1, (treeSize - lo) & (treeSize - lo - 1) != 0 {
            chain.append(lo)
            lo += MerkleHash.split(treeSize - lo)
        }
        // Fill from the smallest range up, so that each hash reuses the next one.
        t.cachedSize = treeSize
        for start in chain.reversed() {
            let h = try t.rangeHashes([(start, treeSize)])[0]
            t.edgeStarts.append(start)
            t.edgeHashes.append(h)
        }
        return t
    }

    /// Whether MTH(D[lo:hi]) is one of the precomputed right-edge hashes.
    @inline(__always)
    func cachedEdge(_ lo: Int64, _ hi: Int64) -> Int? {
        guard hi == cachedSize else { return nil }
        // At most log2(n) entries: a linear scan beats hashing.
        for (j, start) in edgeStarts.enumerated() where start == lo { return j }
        return nil
    }

    /// Appends the stored-hash positions that MTH(D[lo:hi]) is computed from, in the order
    /// ``rangeHash(_:_:hashes:next:)`` consumes them: the complete subtrees that make up the
    /// range, left to right (none for a precomputed right-edge range).
    func appendIndexes(_ lo: Int64, _ hi: Int64, to need: inout [Int64]) {
        var lo = lo
        while lo < hi {
            if cachedEdge(lo, hi) != nil { return }
            let n = hi - lo
            // The largest power of two ≤ n: a complete subtree, stored.
            let k = n & (n - 1) == 0 ? n : MerkleHash.split(n)
            let level = k.trailingZeroBitCount
            need.append(StoredHashIndex.index(level: level, n: lo >> level))
            lo += k
        }
    }

    /// MTH(D[lo:hi]) for any range that occurs in the RFC 9162 recursion (lo is a multiple of
    /// the largest power of two ≤ hi − lo), from the hashes that
    /// ``appendIndexes(_:_:to:)`` named, consumed from `hashes[next...]`.
    func rangeHash(_ lo: Int64, _ hi: Int64, hashes: [Digest], next: inout Int) -> Digest {
        if let j = cachedEdge(lo, hi) { return edgeHashes[j] }
        let n = hi - lo
        if n & (n - 1) == 0 {
            next += 1
            return hashes[next - 1]
        }
        let k = MerkleHash.split(n)
        let left = rangeHash(lo, lo + k, hashes: hashes, next: &next)
        return MerkleHash.node(left, rangeHash(lo + k, hi, hashes: hashes, next: &next))
    }

    /// The hashes of `ranges`: the stored hashes they need are read in one call, then hashed.
    func rangeHashes(_ ranges: [(lo: Int64, hi: Int64)]) throws(LedgerError) -> [Digest] {
        var need = [Int64]()
        need.reserveCapacity(2 * ranges.count + 2)
        for r in ranges { appendIndexes(r.lo, r.hi, to: &need) }
        let hashes = need.isEmpty ? [] : try reader.readHashes(need)
        guard hashes.count == need.count else {
            throw .io("the store returned \(hashes.count) stored hashes for \(need.count) positions")
        }
        var next = 0
        var out = [Digest]()
        out.reserveCapacity(ranges.count)
        for r in ranges { out.append(rangeHash(r.lo, r.hi, hashes: hashes, next: &next)) }
        return out
    }

    /// The root hash of the tree of the first `treeSize` leaves.
    public func root(treeSize: Int64) throws(LedgerError) -> Digest {
        guard treeSize >= 0, treeSize <= size else {
            throw .notFound("tree size \(treeSize) is beyond the log size \(size)")
        }
        if treeSize == 0 { return MerkleHash.emptyRoot }
        return try rangeHashes([(0, treeSize)])[0]
    }

    /// The leaf hash of leaf `index`.
    public func leafHash(_ index: Int64) throws(LedgerError) -> Digest {
        guard index >= 0, index < size else { throw .notFound("leaf \(index) is not in a tree of size \(size)") }
        return try rangeHashes([(index, index + 1)])[0]
    }

    /// The RFC 9162 inclusion proof (PATH) of leaf `index` in the tree of `treeSize` leaves.
    public func inclusionProof(index: Int64, treeSize: Int64) throws(LedgerError) -> [Digest] {
        guard treeSize <= size else { throw .notFound("tree size \(treeSize) is beyond the log size \(size)") }
        guard index >= 0, index < treeSize else {
            throw .notFound("leaf \(index) is not in a tree of size \(treeSize)")
        }
        var siblings = [(lo: Int64, hi: Int64)]()
        siblings.reserveCapacity(64 - treeSize.leadingZeroBitCount)
        var lo: Int64 = 0
        var hi = treeSize
        // Walk down from the root, naming the sibling of each subtree on the path.
        while hi - lo > 1 {
            let k = MerkleHash.split(hi - lo)
            if index < lo + k {
                siblings.append((lo + k, hi))
                hi = lo + k
            } else {
                siblings.append((lo, lo + k))
                lo += k
            }
        }
        return try rangeHashes(siblings.reversed())
    }

    /// The RFC 9162 consistency proof between the trees of `oldSize` and `newSize` leaves.
    public func consistencyProof(oldSize: Int64, newSize: Int64) throws(LedgerError) -> [Digest] {
        guard newSize <= size else { throw .notFound("tree size \(newSize) is beyond the log size \(size)") }
        guard oldSize >= 0, oldSize <= newSize else {
            throw .notFound("old size \(oldSize) is larger than new size \(newSize)")
        }
        if oldSize == 0 || oldSize == newSize { return [] }
        var ranges = [(lo: Int64, hi: Int64)]()
        // SUBPROOF(m, D[lo:hi], b), unrolled.
        var m = oldSize
        var lo: Int64 = 0
        var hi = newSize
        var complete = true
        while true {
            let n = hi - lo
            if m == n {
                if !complete { ranges.append((lo, hi)) }
                break
            }
            let k = MerkleHash.split(n)
            if m <= k {
                ranges.append((lo + k, hi))
                hi = lo + k
            } else {
                ranges.append((lo, lo + k))
                lo += k
                m -= k
                complete = false
            }
        }
        return try rangeHashes(ranges.reversed())
    }
}

/// A tree's hashes held in memory: handy for tests, vectors and small tools.
public struct InMemoryHashes: HashReader, Sendable {
    public private(set) var hashes: [Digest] = []
    public private(set) var size: Int64 = 0

    public init() {}

    public init(leafHashes: [Digest]) {
        for h in leafHashes { append(leafHash: h) }
    }

    public mutating func append(leafHash: Digest) {
        _ = StoredHashIndex.fold(
            leafHash: leafHash, index: size, leftSibling: { hashes[Int(StoredHashIndex.index(level: $0, n: $1))] },
            visit: { hashes.append($0) })
        size += 1
    }

    /// Builds the stored hashes of a whole tree from its leaf hashes, level by level, with
    /// each level's node hashes computed on all cores. Gives exactly the hashes of
    /// ``init(buildingFrom:)``.
    public init(buildingInParallelFrom leafHashes: [Digest]) {
        let n = leafHashes.count
        size = Int64(n)
        guard n > 0 else { return }
        let total = Int(StoredHashIndex.count(size: Int64(n)))
        var out = [Digest](repeating: .zero, count: total)
        var level = leafHashes
        for (i, h) in level.enumerated() { out[Int(StoredHashIndex.index(level: 0, n: Int64(i)))] = h }
        var l = 1
        while level.count >= 2 {
            let count = level.count / 2
            let src = level
            level = Parallel.mapChunked(count, parts: count >= 4096 ? Parallel.processorCount : 1) { k in
                MerkleHash.node(src[2 * k], src[2 * k + 1])
            }
            for (k, h) in level.enumerated() { out[Int(StoredHashIndex.index(level: l, n: Int64(k)))] = h }
            l += 1
        }
        hashes = out
    }

    /// Builds the stored hashes of a whole tree from its leaf hashes in one pass.
    public init(buildingFrom leafHashes: [Digest]) {
        hashes.reserveCapacity(Int(StoredHashIndex.count(size: Int64(leafHashes.count))))
        var range = CompactRange()
        for leaf in leafHashes { range.append(leaf) { hashes.append($0) } }
        size = Int64(leafHashes.count)
    }

    /// The stored hash at position `index` (which must be below `hashes.count`).
    public func storedHash(at index: Int64) -> Digest { hashes[Int(index)] }

    public func readHashes(_ indexes: [Int64]) throws(LedgerError) -> [Digest] {
        var out = [Digest]()
        out.reserveCapacity(indexes.count)
        for i in indexes {
            guard i >= 0, i < Int64(hashes.count) else {
                throw .notFound("stored hash \(i) does not exist (\(hashes.count) are held)")
            }
            out.append(hashes[Int(i)])
        }
        return out
    }

    public var tree: MerkleTree<InMemoryHashes> { MerkleTree(reader: self, size: size) }
}
