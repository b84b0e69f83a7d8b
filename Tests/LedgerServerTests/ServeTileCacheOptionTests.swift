import Consensus
import Foundation
import LedgerCore
import LedgerServer
import LedgerTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `ledger serve --tile-cache-mib N` (specs/cli.md, api.md "Tile cache"): the built binary on the
/// sample ledger.
@Suite struct ServeTileCacheOptionTests {
    /// Tiles of the sample's tree of 100: a partial hash tile, its narrower widths, entry bundles.
    static let tiles = ["/tile/0/000.p/100", "/tile/0/000.p/7", "/tile/entries/000.p/100", "/tile/entries/000.p/1"]

    /// Runs `ledger serve ledger --port 0 EXTRA`, fetches each of ``tiles`` twice, stops it with
    /// SIGTERM, and returns the bodies and what it logged.
    func serve(_ extra: [String]) async throws -> (bodies: [[UInt8]], log: String) {
        let logFile = tempPath("serve-log")
        FileManager.default.createFile(atPath: logFile, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: logFile) }
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: ledgerBinary)
        process.arguments = ["serve", sampleLedger, "--port", "0"] + extra
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let port = try #require(URL(string: try await readLine(out.fileHandleForReading))?.port)
        var bodies = [[UInt8]]()
        for path in Self.tiles {
            let first = try await HTTPTestClient.get(port: port, path)
            let second = try await HTTPTestClient.get(port: port, path)
            #expect(first.status == 200 && second.status == 200, "\(path)")
            #expect(first.body == second.body, "\(path): a second request gives other bytes")
            bodies.append(first.body)
        }
        kill(process.processIdentifier, SIGTERM)
        #expect(try await waitForExit(process, seconds: 20), "still running 20 s after SIGTERM")
        #expect(process.terminationStatus == 0)
        return (bodies, try String(contentsOfFile: logFile, encoding: .utf8))
    }

    @Test func theOptionSetsTheServingCachesBudgetAndZeroServesTheSameCheckedBytes() async throws {
        // The bytes the published view builds without any cache.
        let log = try PublishedLog(ledger: try Ledger<NegotiationRules>(directory: sampleLedger))
        try log.refresh()
        let expected = try Self.tiles.map { path in
            let tile = try #require(TilePath(parsing: path.dropFirst("/tile/".count)))
            return try #require(
                tile.kind == .entries ? try log.view.entryBundle(tile, from: log.store) : log.view.tileBytes(tile))
        }
        for (extra, budget) in [
            ([String](), 64 << 20), (["--tile-cache-mib", "0"], 0), (["--tile-cache-mib", "1"], 1 << 20),
        ] {
            let (bodies, text) = try await serve(extra)
            #expect(bodies == expected, "\(extra)")
            #expect(text.contains("tile_cache_bytes=\(budget)"), "\(extra): \(text)")
        }
        // What a budget of 0 does to the cache the server uses: nothing is held, every request
        // builds and checks the tile again (a miss), and the bytes are the same.
        let uncached = PublishedLog(store: log.store, logKey: log.logKey, tileCacheBytes: 0)
        try uncached.refresh()
        try await withServer(uncached) { server in
            for (path, bytes) in zip(Self.tiles + Self.tiles, expected + expected) {
                let body = try await server.get(path).body
                #expect(body == bytes, "\(path)")
            }
        }
        let s = uncached.tileCache.statistics
        #expect(s.entries == 0 && s.bytes == 0 && s.hits == 0 && s.misses == 2 * Self.tiles.count)
    }

    @Test(arguments: ["-1", "65537", "64x", "1.5", ""])
    func aBadBudgetIsOneLineAndExit2(value: String) throws {
        let r = try runLedgerBlocking(["serve", sampleLedger, "--port", "0", "--tile-cache-mib", value])
        #expect(r.status == 2, "\(value): \(r.err)")
        let first = r.err.split(separator: "\n").first ?? ""
        #expect(first.hasPrefix("ledger: error: ") && first.contains("tile-cache-mib"), "\(value): \(r.err)")
        #expect(r.out.isEmpty, "\(value): it served: \(r.out)")
    }
}
