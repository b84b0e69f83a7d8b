import LedgerCore
import LedgerCrypto
import NIOCore

/// Tiles and entry bundles served from the ``TileCache``.
///
/// **Why a cached tile is the tile of every later published tree.** A tile `(L, N, W)` holds
/// the hashes (or entries) of the `W` complete subtrees of `256^L` leaves that start at leaf
/// `N·256^(L+1)`; each is a function of its own leaves alone (RFC 9162 §2.1.1). A refresh
/// publishes a tree that extends the published one: it starts from the published view's
/// hashes and appends (``PublishedLog/refresh()``), and refuses a checkpoint whose root
/// disagrees. So a complete subtree, once published, has the same hash in every later view,
/// and so has every tile of any width, full or partial, built from those subtrees.
///
/// That is the argument; the cache does not rest on it alone. Each entry keeps the stored
/// hashes of the aligned power-of-two subtrees that cover it (its commitment: one hash for a
/// full tile, one per bit of `W` for a partial one), and a hit is served only when the view
/// being served holds exactly those hashes at those positions. A hash tile's bytes are those
/// subtree hashes' children and an entry bundle's entries hash to its leaves, so by collision
/// resistance the cached bytes are the view's own tile; in any other tree the entry is
/// rebuilt (and checked) instead.
extension PublishedLog {
    /// The body of `tile` in the published tree, from the cache or built, checked and cached;
    /// nil when the tree does not serve it. A hit is the cached buffer itself: its bytes are
    /// shared, not copied, by every reply that sends them. An entry bundle is read from the store and
    /// checked against the recomputed leaf hashes before it is cached (``View/entryBundle(_:from:)``).
    package func tileBody(_ tile: TilePath) throws(LedgerError) -> ByteBuffer? {
        let view = self.view
        guard view.serves(tile) else { return nil }
        if let cached = tileCache.entry(tile), view.commits(to: cached.commitment, tile: tile) {
            return cached.body
        }
        let body = tile.kind == .entries ? try view.entryBundleBuffer(tile, from: store) : view.tileBuffer(tile)
        guard let body else { return nil }
        let entry = TileCache.Entry(body: body, commitment: view.commitment(of: tile))
        tileCache.insert(entry, for: tile)
        return entry.body
    }

    /// The body of `tile` when the cache holds it and the published tree commits to it
    /// (the hit of ``tileBody(_:)``); nil otherwise, a miss not counted. Reads nothing from
    /// the store: safe on an event loop (``TileFastPathHandler``).
    package func cachedTileBody(_ tile: TilePath) -> ByteBuffer? {
        let view = self.view
        guard view.serves(tile), let cached = tileCache.entry(tile, countingMiss: false),
            view.commits(to: cached.commitment, tile: tile)
        else { return nil }
        return cached.body
    }
}

extension PublishedLog.View {
    /// The tree of `leafHashes`, with no checkpoint: a view to compare commitments with.
    package init(leafHashes: [Digest]) { self.init(hashes: InMemoryHashes(leafHashes: leafHashes)) }

    /// The stored hashes that commit to the (served) `tile`: those of the aligned subtrees,
    /// at levels `8L + b` for each bit `b` of the width, largest first, that together span
    /// its `W` subtrees of `256^L` leaves.
    package func commitment(of tile: TilePath) -> [Digest] {
        var out = [Digest]()
        out.reserveCapacity(tile.width.nonzeroBitCount)
        forEachCoveringSubtree(of: tile) { out.append(hashes.storedHash(at: $0)) }
        return out
    }

    /// Whether this view holds exactly `commitment` for `tile` (``commitment(of:)``);
    /// false when `tile` is not served.
    package func commits(to commitment: [Digest], tile: TilePath) -> Bool {
        guard serves(tile), commitment.count == tile.width.nonzeroBitCount else { return false }
        var k = 0
        var same = true
        forEachCoveringSubtree(of: tile) { index in
            same = same && hashes.storedHash(at: index) == commitment[k]
            k += 1
        }
        return same
    }

    /// Calls `body` with the stored-hash index of each aligned subtree covering `tile`.
    private func forEachCoveringSubtree(of tile: TilePath, _ body: (Int64) -> Void) {
        let level: Int
        switch tile.kind {
        case .hashes(let l): level = 8 * l
        case .entries: level = 0
        }
        // Subtrees at `level`, counted from the tile's first; the first is a multiple of 256,
        // so taking the largest power of two first keeps every piece aligned.
        var n = tile.index * Int64(TilePath.fullWidth)
        for bit in stride(from: 8, through: 0, by: -1) where tile.width & (1 << bit) != 0 {
            body(StoredHashIndex.index(level: level + bit, n: n >> bit))
            n += 1 << bit
        }
    }
}
