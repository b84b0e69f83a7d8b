import LedgerCore
import LedgerCrypto
import LedgerServer
import NIOCore
import Testing

/// Tile replies share the cached buffer's bytes (no copy per request), and the buffers built
/// for the cache are, byte for byte, the tiles built without it, in every published tree.
@Suite struct TileBufferTests {
    /// Where `buffer`'s readable bytes are in memory.
    static func address(_ buffer: ByteBuffer) -> UnsafeRawPointer? {
        buffer.withUnsafeReadableBytes { UnsafeRawPointer($0.baseAddress) }
    }

    static let tiles = [
        "0/000", "0/001", "0/003.p/232", "0/003.p/1", "1/000.p/3", "entries/000", "entries/002", "entries/003.p/232",
    ]

    @Test func aHitIsTheCachedBufferItselfAndTheUncachedBytesAcrossARefresh() throws {
        var ledger = try SyntheticLedger(tag: "tile-buffer")
        defer { ledger.remove() }
        try ledger.append(upTo: 1000)
        try ledger.signCheckpoint()
        let log = try ledger.published()
        var first = [String: ByteBuffer]()
        for path in Self.tiles {
            let tile = try #require(TilePath(parsing: Substring(path)))
            let built = try #require(try log.tileBody(tile), "\(path)")
            let hit = try #require(try log.tileBody(tile), "\(path)")
            let cached = try #require(log.tileCache.entry(tile)).body
            #expect(Self.address(hit) == Self.address(built) && Self.address(hit) == Self.address(cached), "\(path)")
            #expect(Array(buffer: hit) == (try TileCacheTests.uncached("/tile/" + path, in: log)), "\(path)")
            first[path] = built
        }
        // A larger tree: the same tiles are hits, the same memory, and the new tree's own bytes.
        try ledger.append(upTo: 70_000)
        try ledger.signCheckpoint()
        try log.refresh()
        for path in Self.tiles {
            let tile = try #require(TilePath(parsing: Substring(path)))
            let hit = try #require(try log.tileBody(tile), "\(path)")
            #expect(Self.address(hit) == Self.address(try #require(first[path])), "\(path)")
            #expect(Array(buffer: hit) == (try TileCacheTests.uncached("/tile/" + path, in: log)), "\(path)")
        }
    }

    @Test func builtBuffersAreTheUncachedBytesForEveryTileOfATree() throws {
        var ledger = try SyntheticLedger(tag: "tile-buffer-all")
        defer { ledger.remove() }
        try ledger.append(upTo: 66_000)
        try ledger.signCheckpoint()
        // No cache: every call builds.
        let log = PublishedLog(
            store: try FileStore(directory: ledger.directory), logKey: ledger.logKey.verifierKey,
            tileCacheBytes: 0)
        try log.refresh()
        var paths = [String]()
        for n in Int64(0)...256 {
            for kind in [TilePath.Kind.hashes(level: 0), .entries] {
                paths.append(try #require(TilePath(kind: kind, index: n)).pathBelowTile)
            }
        }
        paths += ["0/257.p/208", "entries/257.p/208", "1/000", "1/001.p/1", "2/000.p/1", "0/257.p/209", "2/000"]
        var served = 0
        for path in paths {
            let tile = try #require(TilePath(parsing: Substring(path)))
            let body = try log.tileBody(tile)
            let expected = try TileCacheTests.uncached("/tile/" + path, in: log)
            #expect(body.map { Array(buffer: $0) } == expected, "\(path)")
            if body != nil { served += 1 }
        }
        #expect(served == paths.count - 2, "all but 0/257.p/209 and 2/000 are in the tree of 66,000")
        #expect(log.tileCache.statistics.entries == 0)
    }
}
