import LedgerCrypto
import NIOCore
import Synchronization

/// The bytes of tiles and entry bundles already built and checked, bounded in memory
/// (specs/api.md, Tile cache). A derived cache: ``PublishedLog`` fills it and serves an
/// entry only while the published tree still commits to it (``PublishedLog/View/commits(to:)``).
///
/// **Bound.** At most ``budgetBytes`` bytes of tile bodies (counted by the capacity of their
/// buffers, plus ``overheadBytes`` an entry) are held. Eviction is approximately least recently
/// used, in two generations: new and recently read entries go to the young one; when it would
/// pass half the budget it becomes the old one and the previous old one is dropped. Each
/// generation holds at most half the budget, so the whole never passes it; a body larger than
/// half the budget is served but not cached.
///
/// **Concurrency.** One short lock around two dictionary operations; a hit copies out a
/// `ByteBuffer` (a reference count, no bytes) and its commitment. Dropped generations are
/// released after the lock.
package final class TileCache: Sendable {
    /// A tile's checked body and the stored hashes that commit to it.
    package struct Entry: Sendable {
        /// The tile's bytes, exactly as served.
        package let body: ByteBuffer
        /// The stored hashes of the aligned power-of-two subtrees that cover the tile, largest
        /// first (``PublishedLog/View/commitment(of:)``): one for a full tile, at most eight for
        /// a partial one.
        package let commitment: [Digest]

        package init(body: ByteBuffer, commitment: [Digest]) {
            self.body = body
            self.commitment = commitment
        }

        /// What the entry counts against the budget.
        var cost: Int { body.capacity + commitment.count * 32 + TileCache.overheadBytes }
    }

    private struct Generations {
        var young: [TilePath: Entry] = [:]
        var youngBytes = 0
        var old: [TilePath: Entry] = [:]
        var oldBytes = 0
        var hits = 0
        var misses = 0

        /// Adds `entry` to the young generation, first retiring it when it would pass `half`.
        /// Returns the generation dropped, to be released outside the lock.
        mutating func insertYoung(_ tile: TilePath, _ entry: Entry, half: Int) -> [TilePath: Entry] {
            var dropped = [TilePath: Entry]()
            if youngBytes + entry.cost > half {
                dropped = old
                old = young
                oldBytes = youngBytes
                young = [:]
                youngBytes = 0
            }
            young[tile] = entry
            youngBytes += entry.cost
            return dropped
        }
    }

    /// The default budget: 64 MiB (about 8,000 full hash tiles, or four full entry bundles of
    /// the largest entries, 65,535 bytes each).
    package static let defaultBudgetBytes = 64 << 20
    /// What each entry counts besides its bytes: the dictionary slot, the buffer's and the
    /// commitment's headers.
    package static let overheadBytes = 256

    /// The most bytes held (see the type's documentation).
    package let budgetBytes: Int
    private let state = Mutex(Generations())

    /// A cache of at most `budgetBytes` bytes; 0 caches nothing.
    package init(budgetBytes: Int = TileCache.defaultBudgetBytes) { self.budgetBytes = max(0, budgetBytes) }

    /// The cached entry of `tile`, marked as recently used; nil when none is cached. A miss
    /// is counted in ``statistics`` unless `countingMiss` is false (a look that is followed by
    /// the lookup that counts it).
    package func entry(_ tile: TilePath, countingMiss: Bool = true) -> Entry? {
        let half = budgetBytes / 2
        let (found, dropped) = state.withLock { s -> (Entry?, [TilePath: Entry]) in
            if let e = s.young[tile] {
                s.hits += 1
                return (e, [:])
            }
            guard let e = s.old.removeValue(forKey: tile) else {
                if countingMiss { s.misses += 1 }
                return (nil, [:])
            }
            s.hits += 1
            s.oldBytes -= e.cost
            return (e, s.insertYoung(tile, e, half: half))
        }
        _ = consume dropped
        return found
    }

    /// Caches `entry` for `tile`, in place of any entry cached for it, unless it is larger
    /// than half the budget.
    package func insert(_ entry: Entry, for tile: TilePath) {
        let half = budgetBytes / 2
        guard entry.cost <= half else { return }
        let dropped = state.withLock { s -> [TilePath: Entry] in
            if let old = s.young.removeValue(forKey: tile) { s.youngBytes -= old.cost }
            if let old = s.old.removeValue(forKey: tile) { s.oldBytes -= old.cost }
            return s.insertYoung(tile, entry, half: half)
        }
        _ = consume dropped
    }

    /// The bytes held now (never more than ``budgetBytes``), entries held, hits and misses.
    package var statistics: (bytes: Int, entries: Int, hits: Int, misses: Int) {
        state.withLock { s in (s.youngBytes + s.oldBytes, s.young.count + s.old.count, s.hits, s.misses) }
    }
}
