import LedgerCore
import LedgerCrypto

/// The stored hashes of a served tree read from its hash tiles (C2SP tlog-tiles), so that a
/// ``MerkleTree`` over it builds proofs, as Go's `tlog.TileHashReader` does: the hash of the
/// subtree of 2^ℓ leaves is the hash of 2^(ℓ mod 8) consecutive hashes of a level-⌊ℓ/8⌋ tile.
///
/// The tiles are not authenticated one by one: a proof built from them is, when it verifies
/// against a signed root. Reads block on the HTTP client (``runBlocking(_:)``).
package struct TileHashReader: HashReader {
    package let log: ServedLog

    package init(log: ServedLog) { self.log = log }

    package func readHashes(_ indexes: [Int64]) throws(LedgerError) -> [Digest] {
        let size = log.size
        let wanted = indexes.map(TileHashReader.split)
        // The tiles the hashes lie in: (tile level, tile index, width in the tree of `size`).
        var tiles = [TileKey]()
        for (level, n) in wanted {
            let tileLevel = level / 8
            let first = n << (level % 8)
            let t = first / 256
            let width = Int(min(256, (size >> (8 * tileLevel)) - t * 256))
            guard width > 0, (first + (1 << (level % 8))) - t * 256 <= width else {
                throw .notFound("stored hash (\(level), \(n)) is not in the tree of size \(size)")
            }
            let key = TileKey(level: tileLevel, index: t, width: width)
            if !tiles.contains(key) { tiles.append(key) }
        }
        let log = self.log
        let needed = tiles
        let fetched = try runBlocking { () async throws(LedgerError) -> [TileKey: [Digest]] in
            var out = [TileKey: [Digest]]()
            for key in needed {
                do throws(LedgerError) {
                    out[key] = try await log.client.tileHashes(level: key.level, index: key.index, width: key.width)
                } catch {
                    // As for an entry bundle (``ServedLog``): a 404 says what the checkpoint claims.
                    guard error.code == .notFound else { throw error }
                    throw .notFound(
                        "\(error.message): the checkpoint claims \(size) entries, but the server does not serve "
                            + "that tile")
                }
            }
            return out
        }
        return wanted.map { level, n in
            let tileLevel = level / 8
            let first = n << (level % 8)
            let t = first / 256
            let key = TileKey(level: tileLevel, index: t, width: Int(min(256, (size >> (8 * tileLevel)) - t * 256)))
            let hashes = fetched[key]!
            let start = Int(first - t * 256)
            return TileHashReader.perfectTreeHash(hashes[start..<(start + (1 << (level % 8)))])
        }
    }

    struct TileKey: Hashable, Sendable {
        let level: Int
        let index: Int64
        let width: Int
    }

    /// The Merkle hash of a power-of-two number of subtree hashes.
    static func perfectTreeHash(_ hashes: ArraySlice<Digest>) -> Digest {
        var level = Array(hashes)
        while level.count > 1 {
            level = stride(from: 0, to: level.count, by: 2).map { MerkleHash.node(level[$0], level[$0 + 1]) }
        }
        return level[0]
    }

    /// The level and number of the subtree whose hash is stored at `index`
    /// (``StoredHashIndex/index(level:n:)`` inverted).
    package static func split(_ index: Int64) -> (level: Int, n: Int64) {
        // Leaf n's hash is stored below 2n, so the leaf that completed the subtree is at least
        // index / 2; each leaf j then adds 1 + (trailing ones of j) hashes.
        var leaf = index / 2
        var at = StoredHashIndex.index(level: 0, n: leaf)
        while true {
            let next = at + 1 + Int64((leaf + 1).trailingZeroBitCount)
            if next > index { break }
            leaf += 1
            at = next
        }
        let level = Int(index - at)
        return (level, leaf >> level)
    }
}
