import Foundation
import LedgerCore
import LedgerCrypto
import LedgerServer
import NIOCore
import Testing

/// The tile cache (specs/api.md, Tile cache): the bytes it serves are the uncached path's, in
/// every published tree; it never serves what was not checked; it stays within its budget.
@Suite struct TileCacheTests {
    /// The bytes the view builds for `path` without the cache (nil when not served).
    static func uncached(_ path: String, in log: PublishedLog<FileStore>) throws -> [UInt8]? {
        let tile = try #require(TilePath(parsing: path.dropFirst("/tile/".count)))
        return tile.kind == .entries ? try log.view.entryBundle(tile, from: log.store) : log.view.tileBytes(tile)
    }

    @Test func cachedTilesAreTheUncachedBytesAcrossARefreshToALargerCheckpoint() async throws {
        var ledger = try SyntheticLedger(tag: "cache-refresh")
        defer { ledger.remove() }
        try ledger.append(upTo: 40_000)
        try ledger.signCheckpoint()
        let log = try ledger.published()
        // Full and partial tiles at levels 0 and 1, and entry bundles, of the tree of 40,000.
        let older = [
            "/tile/0/000", "/tile/0/155", "/tile/0/156.p/64", "/tile/0/156.p/1", "/tile/1/000.p/156",
            "/tile/entries/000", "/tile/entries/155", "/tile/entries/156.p/64",
        ]
        // Of the tree of 70,000 only: level 2 (65,536 leaves) exists there.
        let newer = [
            "/tile/0/156", "/tile/0/273.p/112", "/tile/1/000", "/tile/1/001.p/17", "/tile/2/000.p/1",
            "/tile/entries/156", "/tile/entries/273.p/112",
        ]
        try await withServer(log) { server in
            for path in older {
                let expected = try #require(try Self.uncached(path, in: log), "\(path)")
                for _ in 0..<2 {  // a miss, then a hit
                    let r = try await server.get(path)
                    #expect(r.status == 200 && r.body == expected, "\(path)")
                }
            }
            let afterOlder = log.tileCache.statistics
            #expect(afterOlder.entries == older.count && afterOlder.hits == older.count)

            try ledger.append(upTo: 70_000)
            try ledger.signCheckpoint()
            try log.refresh()
            #expect(log.view.size == 70_000)
            // The entries cached from the older tree are hits in the newer one, and are its bytes.
            for path in older + newer + newer {
                let expected = try #require(try Self.uncached(path, in: log), "\(path)")
                let r = try await server.get(path)
                #expect(r.status == 200 && r.body == expected, "\(path)")
            }
            let after = log.tileCache.statistics
            #expect(after.hits == afterOlder.hits + older.count + newer.count)
            #expect(after.entries == older.count + newer.count)
            // The cached partial tile of 40,000 is still the prefix of the full tile of 70,000.
            let partial = try await server.get("/tile/0/156.p/64").body
            #expect(partial[...] == (try await server.get("/tile/0/156").body).prefix(64 * 32))
        }
    }

    @Test func anEntryIsServedOnlyWhileThePublishedTreeCommitsToIt() throws {
        var ledger = try SyntheticLedger(tag: "cache-commit")
        defer { ledger.remove() }
        try ledger.append(upTo: 600)
        try ledger.signCheckpoint()
        // Another tree of the same size: the same leaves but leaf 300.
        var otherLeaves = ledger.leafHashes
        otherLeaves[300] = MerkleHash.leaf(Array("{\"other\":300}".utf8))
        let other = PublishedLog<FileStore>.View(leafHashes: otherLeaves)
        for (path, covers300) in [
            ("0/001", true), ("0/001.p/45", true), ("1/000.p/2", true), ("entries/001", true),
            ("entries/001.p/45", true), ("0/000", false), ("entries/001.p/44", false),
        ] {
            let tile = try #require(TilePath(parsing: Substring(path)))
            let log = try ledger.published()
            let real = try #require(try log.tileBody(tile))
            #expect(log.view.commits(to: try #require(log.tileCache.entry(tile)).commitment, tile: tile))
            // The other tree commits to the tile exactly when the tile does not hold leaf 300.
            #expect(log.view.commits(to: other.commitment(of: tile), tile: tile) == !covers300, "\(path)")
            // A forged entry with the other tree's commitment is rebuilt, never served.
            let forged = ByteBuffer(bytes: Array(repeating: 0xAB, count: real.readableBytes))
            let fresh = try ledger.published()
            fresh.tileCache.insert(TileCache.Entry(body: forged, commitment: other.commitment(of: tile)), for: tile)
            #expect(try fresh.tileBody(tile) == (covers300 ? real : forged), "\(path)")
            // The event loop's look at the cache (TileFastPathHandler) makes the same check.
            let planted = try ledger.published()
            planted.tileCache.insert(TileCache.Entry(body: forged, commitment: other.commitment(of: tile)), for: tile)
            #expect(planted.cachedTileBody(tile) == (covers300 ? nil : forged), "\(path)")
        }
    }

    @Test func aStoreChangedAfterCachingNeverServesUncheckedBytesForANewTile() async throws {
        var ledger = try SyntheticLedger(tag: "cache-changed")
        defer { ledger.remove() }
        try ledger.append(upTo: 600)
        try ledger.signCheckpoint()
        let log = try ledger.published()
        try await withServer(log) { server in
            let first = try await server.get("/tile/entries/000")
            #expect(try entries(inBundle: first.body) == Array(ledger.leaves[0..<256]))
            // Entries 10 and 300 change on disk, keeping their lengths.
            let path = ledger.directory + "/entries.jsonl"
            var text = try String(contentsOfFile: path, encoding: .utf8)
            for i in [10, 300] {
                let range = try #require(text.range(of: "{\"synthetic\":\(i),"))
                text.replaceSubrange(range, with: "{\"Synthetic\":\(i),")
            }
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            // Entry 300 is in tiles not yet cached: never served, whatever the width.
            for (tile, status) in [
                ("/tile/entries/001", 500), ("/tile/entries/001.p/45", 500), ("/tile/entries/001.p/44", 200),
                ("/tile/entries/002.p/88", 200),
            ] {
                #expect(try await server.get(tile).status == status, "\(tile)")
            }
            // The bundle checked before the change is still served, and is the checked bytes.
            let again = try await server.get("/tile/entries/000")
            #expect(again.status == 200 && again.body == first.body)
            // A bundle of entry 10 not cached before (another width) is refused.
            #expect(try await server.get("/tile/entries/000.p/11").status == 500)
            #expect(try await server.get("/tile/entries/000.p/10").status == 200)
        }
    }

    @Test func memoryStaysWithinTheBudgetUnderARequestLoopOverManyTiles() async throws {
        let ledger = try largeLedger.get()
        let budget = 300_000
        let log = PublishedLog(
            store: try FileStore(directory: ledger.directory), logKey: ledger.logKey.verifierKey,
            tileCacheBytes: budget)
        try log.refresh()
        #expect(log.tileCache.budgetBytes == budget)
        var peak = 0
        try await withServer(log) { server in
            // 273 full hash tiles and 273 entry bundles, about 2 MB of bodies: once in order, once
            // by four clients at a time.
            @Sendable func fetch(_ k: Int) async throws -> Int {
                var held = 0
                for kind in [TilePath.Kind.hashes(level: 0), .entries] {
                    let path = try #require(TilePath(kind: kind, index: Int64(k))).description
                    #expect(try await server.get(path).status == 200)
                    held = max(held, log.tileCache.statistics.bytes)
                }
                return held
            }
            for k in 0..<273 { peak = max(peak, try await fetch(k)) }
            peak = try await withThrowingTaskGroup(of: Int.self) { group in
                for client in 0..<4 {
                    group.addTask {
                        var held = 0
                        for k in stride(from: client, to: 273, by: 4) { held = max(held, try await fetch(k)) }
                        return held
                    }
                }
                return try await group.reduce(peak) { max($0, $1) }
            }
            // A tile just served is a hit, not rebuilt. (Served once more first: which tiles the
            // four clients fetched last, and so which are still cached, depends on scheduling.)
            _ = try await server.get("/tile/0/272")
            let before = log.tileCache.statistics.hits
            _ = try await server.get("/tile/0/272")
            #expect(log.tileCache.statistics.hits == before + 1)
        }
        let s = log.tileCache.statistics
        #expect(peak <= budget, "held \(peak) bytes, budget \(budget)")
        #expect(peak > budget / 2, "the cache should fill (\(peak) bytes)")
        #expect(s.entries < 2 * 273, "nothing was evicted")
        // A body larger than half the budget is served but not cached.
        let tiny = PublishedLog(store: log.store, logKey: log.logKey, tileCacheBytes: 2 * 8192)
        try tiny.refresh()
        let tile = try #require(TilePath(parsing: "0/000"))
        #expect(try tiny.tileBody(tile)?.readableBytes == 8192)
        #expect(tiny.tileCache.statistics.entries == 0)
    }
}
