import LedgerServer
import LedgerTestSupport
import Testing

@Suite struct TilePathTests {
    @Test(arguments: [
        ("0/000", TilePath(kind: .hashes(level: 0), index: 0)),
        ("0/001", TilePath(kind: .hashes(level: 0), index: 1)),
        ("1/x001/000", TilePath(kind: .hashes(level: 1), index: 1000)),
        ("2/x001/x234/067.p/8", TilePath(kind: .hashes(level: 2), index: 1_234_067, width: 8)),
        ("63/999.p/255", TilePath(kind: .hashes(level: 63), index: 999, width: 255)),
        ("entries/000.p/1", TilePath(kind: .entries, index: 0, width: 1)),
        ("entries/x009/x223/x372/x036/x854/x775/807", TilePath(kind: .entries, index: Int64.max)),
    ])
    func canonicalPathsParseAndSpellThemselvesBack(path: String, tile: TilePath?) throws {
        let expected = try #require(tile)
        #expect(TilePath(parsing: Substring(path)) == expected)
        #expect(expected.pathBelowTile == path)
    }

    @Test(arguments: [
        "0/1", "0/01", "0/0000", "00/000", "01/000", "0/x000/001", "0/x1/000", "0/x001", "0/000.p/0",
        "0/000.p/00", "0/000.p/05", "0/000.p/256", "0/000.p/1000", "0/000.p/", "0/000.p", "0/000/", "0//000",
        "0/000.p/5/", "/0/000", "64/000", "-1/000", "data/000", "8/0/000", "0/%30%30%30", "0/+00", "0/ 00",
        "entries/1", "entries", "entries/", "entry/000", "0/x009/x223/x372/x036/x854/x775/808",
        "0/x001/x000/x000/x000/x000/x000/x000/000", "0/000.p/1x", "0/0x0", "0/٠٠٠",
    ])
    func nonCanonicalPathsAreNotTiles(path: String) {
        #expect(TilePath(parsing: Substring(path)) == nil)
    }

    @Test func widthsOutsideOneTo256AreNotTiles() {
        #expect(TilePath(kind: .hashes(level: 0), index: 0, width: 0) == nil)
        #expect(TilePath(kind: .hashes(level: 0), index: 0, width: 257) == nil)
        #expect(TilePath(kind: .hashes(level: 64), index: 0) == nil)
        #expect(TilePath(kind: .entries, index: -1) == nil)
        #expect(TilePath(kind: .entries, index: 0, width: 256)?.isPartial == false)
    }

    /// The parser reads bytes in one pass instead of spelling the tile back; this holds it to
    /// the round trip: every tile parses from its own path, and every string that parses is
    /// the path of the tile it parses to. Strings near canonical paths (one byte inserted,
    /// deleted or replaced, from the bytes paths are made of), from a fixed seed.
    @Test func theParserAcceptsExactlyTheSpellingsThatSpellThemselvesBack() {
        var rng = SyntheticWorkload.Random(seed: 12)
        let alphabet = Array("0123456789x./pentris".utf8)
        var accepted = 0
        for round in 0..<3000 {
            let magnitude = Int64(1) << Int64(rng.next() % 63)
            let index = Int64(rng.next() % UInt64(magnitude))
            let width = round % 3 == 0 ? 256 : Int(rng.next() % 256) + 1
            let kind: TilePath.Kind = round % 5 == 0 ? .entries : .hashes(level: Int(rng.next() % 64))
            guard let tile = TilePath(kind: kind, index: index, width: width) else { continue }
            #expect(TilePath(parsing: Substring(tile.pathBelowTile)) == tile, "\(tile)")
            for _ in 0..<8 {
                var bytes = Array(tile.pathBelowTile.utf8)
                let at = Int(rng.next() % UInt64(bytes.count + 1))
                let byte = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                switch rng.next() % 3 {
                case 0: bytes.insert(byte, at: at)
                case 1: if at < bytes.count { bytes.remove(at: at) }
                default: if at < bytes.count { bytes[at] = byte }
                }
                let text = String(decoding: bytes, as: UTF8.self)
                if let parsed = TilePath(parsing: Substring(text)) {
                    accepted += 1
                    #expect(parsed.pathBelowTile == text, "\(text) parsed as \(parsed)")
                }
            }
        }
        #expect(accepted > 1000, "the mutations should also make other canonical paths")
    }
}
