import Consensus
import Foundation
import LedgerCore
import LedgerCrypto
import LedgerServer
import Testing

/// The read API against a running server (in this process, over a real socket).
@Suite struct ReadAPITests {
    @Test func checkpointIsTheStoredNoteByteForByte() async throws {
        let log = try PublishedLog(ledger: try Ledger<NegotiationRules>(directory: sampleLedger))
        try log.refresh()
        let stored = try Data(contentsOf: URL(fileURLWithPath: sampleLedger + "/checkpoints/00000000000000000100.note"))
        try await withServer(log) { server in
            let r = try await server.get("/checkpoint")
            #expect(r.status == 200)
            #expect(r.body == Array(stored))
            #expect(r.headers["content-type"] == "text/plain; charset=utf-8")
            #expect(r.headers["cache-control"] == "no-cache")
        }
    }

    @Test func tilesHoldTheMerkleTreeHashesOfTheirSubtreesAtLevels0To2() async throws {
        let ledger = try largeLedger.get()
        let leafHashes = ledger.leafHashes[...]
        /// Hash `i` of a level-`level` tile: MTH of its 256^level leaves, from the definition.
        func expected(level: Int, tile: Int, width: Int) -> [UInt8] {
            let span = 1 << (8 * level)
            return (0..<width).flatMap { i -> [UInt8] in
                let first = (tile * 256 + i) * span
                return merkleTreeHash(leafHashes[first..<(first + span)]).bytes
            }
        }
        try await withServer(try ledger.published()) { server in
            // 70,000 entries: 273 full level-0 tiles and one of width 112; one full level-1 tile
            // and one of width 17; one level-2 tile of width 1 (C2SP's own example).
            let cases: [(String, Int, Int, Int)] = [
                ("/tile/0/000", 0, 0, 256), ("/tile/0/272", 0, 272, 256), ("/tile/0/273.p/112", 0, 273, 112),
                ("/tile/0/273.p/1", 0, 273, 1), ("/tile/1/000", 1, 0, 256), ("/tile/1/001.p/17", 1, 1, 17),
                ("/tile/2/000.p/1", 2, 0, 1),
            ]
            for (path, level, tile, width) in cases {
                let r = try await server.get(path)
                #expect(r.status == 200, "\(path)")
                #expect(r.body == expected(level: level, tile: tile, width: width), "\(path)")
                #expect(r.headers["content-type"] == "application/octet-stream", "\(path)")
                #expect(r.headers["cache-control"] == "public, max-age=31536000, immutable", "\(path)")
            }
        }
    }

    @Test func partialTilesOfAnOlderCheckpointStayServedBesideTheFullTile() async throws {
        // The checkpoint of 40,000 = 156 × 256 + 64 needed 0/156.p/64 and 1/000.p/156; the
        // tree of 70,000 has both full tiles, and the partial ones are still their prefixes.
        try await withServer(try largeLedger.get().published()) { server in
            let pairs = [("/tile/0/156.p/64", "/tile/0/156", 64), ("/tile/1/000.p/156", "/tile/1/000", 156)]
            for (partial, full, width) in pairs {
                let p = try await server.get(partial)
                let f = try await server.get(full)
                #expect(p.status == 200 && f.status == 200, "\(partial)")
                #expect(p.body.count == width * 32 && f.body.count == 256 * 32)
                #expect(p.body[...] == f.body.prefix(width * 32), "\(partial) is not a prefix of \(full)")
            }
        }
    }

    @Test(arguments: [
        // Out of range or not complete in the tree of 70,000.
        "/tile/0/274", "/tile/0/273", "/tile/0/273.p/113", "/tile/0/x001/000", "/tile/1/001", "/tile/1/001.p/18",
        "/tile/1/002.p/1", "/tile/2/000", "/tile/2/000.p/2", "/tile/3/000.p/1", "/tile/63/000.p/1",
        "/tile/entries/274", "/tile/entries/273", "/tile/entries/273.p/113",
        // Not the canonical spelling of any tile.
        "/tile/0/1", "/tile/0/01", "/tile/0/0000", "/tile/00/000", "/tile/0/x000/001", "/tile/0/000.p/0",
        "/tile/0/273.p/0112", "/tile/0/000.p/256", "/tile/0/000/", "/tile/0//000", "/tile//0/000", "/tile/0/000.p/",
        "/tile/64/000.p/1", "/tile/-1/000", "/tile/data/000", "/tile/8/0/000", "/tile/0/%30%30%30",
        "/tile/entries/000.p/1x", "/tile/entries/0", "/tile", "/tile/", "/tiles/0/000",
    ])
    func outOfRangeEmptyAndNonCanonicalTilesAre404(path: String) async throws {
        try await withServer(try largeLedger.get().published()) { server in
            let r = try await server.get(path)
            #expect(r.status == 404, "\(path): \(r.status) \(r.text)")
            #expect(r.headers["cache-control"] != "public, max-age=31536000, immutable")
        }
    }

    @Test func entryBundlesRoundTripToTheEntries() async throws {
        let ledger = try largeLedger.get()
        try await withServer(try ledger.published()) { server in
            for (path, first, count) in [
                ("/tile/entries/000", 0, 256), ("/tile/entries/156.p/64", 156 * 256, 64),
                ("/tile/entries/273.p/112", 273 * 256, 112),
            ] {
                let r = try await server.get(path)
                #expect(r.status == 200, "\(path)")
                #expect(r.headers["cache-control"] == "public, max-age=31536000, immutable")
                #expect(try entries(inBundle: r.body) == Array(ledger.leaves[first..<(first + count)]), "\(path)")
            }
        }
        // A ledger of real entries: each entry is its line of entries.jsonl without the newline.
        let sample = try PublishedLog(ledger: try Ledger<NegotiationRules>(directory: sampleLedger))
        try sample.refresh()
        let lines = try String(contentsOfFile: sampleLedger + "/entries.jsonl", encoding: .utf8)
            .split(separator: "\n").map { Array($0.utf8) }
        try await withServer(sample) { server in
            let r = try await server.get("/tile/entries/000.p/\(lines.count)")
            #expect(try entries(inBundle: r.body) == lines)
        }
    }

    @Test func entriesNoCheckpointCoversAreNotServedUntilOneDoes() async throws {
        var ledger = try SyntheticLedger(tag: "coverage")
        defer { ledger.remove() }
        try ledger.append(upTo: 10)
        try ledger.signCheckpoint()
        try ledger.append(upTo: 300)
        let log = try ledger.published()
        #expect(log.view.size == 10)
        try await withServer(log) { server in
            #expect(try await server.get("/tile/0/000.p/10").status == 200)
            for path in ["/tile/0/000.p/11", "/tile/0/000", "/tile/entries/000.p/11", "/proof/10"] {
                #expect(try await server.get(path).status == 404, "\(path)")
            }
            try ledger.signCheckpoint()
            try log.refresh()
            #expect(try await server.get("/tile/0/000").status == 200)
            #expect(try await server.get("/tile/0/001.p/44").status == 200)
            #expect(try await server.get("/tile/0/000.p/10").status == 200)
            let bundle = try await server.get("/tile/entries/001.p/44")
            #expect(try entries(inBundle: bundle.body) == Array(ledger.leaves[256..<300]))
            #expect(try await server.get("/checkpoint").text.hasPrefix("synthetic.example/log\n300\n"))
        }
    }

    @Test func aCheckpointThatDisagreesWithTheEntriesIsNotPublished() throws {
        var ledger = try SyntheticLedger(tag: "forged")
        defer { ledger.remove() }
        try ledger.append(upTo: 20)
        let good = try ledger.signCheckpoint()
        let log = try ledger.published()
        try ledger.append(upTo: 30)
        try ledger.signCheckpoint(root: SHA256.hash(Array("not the root".utf8)))
        #expect(throws: LedgerError.fork("")) { try log.refresh() }
        #expect(log.view.size == 20 && log.view.checkpointText == good)
        // Signed by a key that is not the log's.
        try ledger.append(upTo: 40)
        let other = try NoteSignerKey.generate(name: ledger.logKey.name)
        try ledger.signCheckpoint(key: other)
        #expect(throws: LedgerError.badSignature("")) { try log.refresh() }
        #expect(log.view.size == 20)
    }

    @Test func entriesChangedAfterTheCheckAreNotServed() async throws {
        var ledger = try SyntheticLedger(tag: "changed")
        defer { ledger.remove() }
        try ledger.append(upTo: 5)
        try ledger.signCheckpoint()
        let log = try ledger.published()
        // Same length, one byte different: the index still finds the lines.
        let path = ledger.directory + "/entries.jsonl"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[2] = UInt8(ascii: "S")
        try bytes.write(to: URL(fileURLWithPath: path))
        try await withServer(log) { server in
            let r = try await server.get("/tile/entries/000.p/5")
            #expect(r.status == 500)
            #expect(!r.text.contains("entries.jsonl"), "the body must not reveal the ledger's files")
            // The hashes were recomputed before the change, and are still the signed ones.
            #expect(try await server.get("/tile/0/000.p/5").body == ledger.leafHashes.flatMap(\.bytes))
        }
    }

    @Test func proofsVerifyAgainstTheCheckpointTheyCarry() async throws {
        let ledger = try largeLedger.get()
        let verifier = CheckpointProofVerifier(logKey: ledger.logKey.verifierKey)
        try await withServer(try ledger.published()) { server in
            for (index, size) in [(0, nil), (39_999, 40_000), (69_999, nil), (12_345, 40_000)] as [(Int, Int?)] {
                let r = try await server.get("/proof/\(index)" + (size.map { "?size=\($0)" } ?? ""))
                #expect(r.status == 200)
                #expect(r.headers["content-type"] == "text/plain; charset=utf-8")
                let verified = try verifier.verify(
                    try ProofDocument(parsing: r.text), checkpoint: nil, oldCheckpoint: nil, leaf: ledger.leaves[index])
                guard case .inclusion(let i, let treeSize) = verified else {
                    Issue.record("not an inclusion proof")
                    continue
                }
                #expect(i == UInt64(index) && treeSize == UInt64(size ?? 70_000))
            }
            for (path, status) in [
                ("/proof/70000", 404), ("/proof/5?size=12345", 404), ("/proof/5?size=70001", 404),
                ("/proof/x", 400), ("/proof/05", 400), ("/proof/-1", 400), ("/proof/5?size=0", 400),
                ("/proof/5?size=040000", 400),
            ] {
                #expect(try await server.get(path).status == status, "\(path)")
            }
        }
    }

    @Test func nothingIsServedBeforeTheFirstCheckpoint() async throws {
        var ledger = try SyntheticLedger(tag: "unsigned")
        defer { ledger.remove() }
        try ledger.append(upTo: 3)
        try await withServer(try ledger.published()) { server in
            for path in ["/checkpoint", "/tile/0/000.p/1", "/tile/entries/000.p/1", "/proof/0"] {
                let r = try await server.get(path)
                #expect(r.status == 404, "\(path)")
            }
            #expect(try await server.get("/checkpoint").text == "no checkpoint has been signed yet\n")
        }
    }
}

/// The entries of an entry bundle: each after its big-endian uint16 length, nothing left over.
func entries(inBundle bytes: [UInt8]) throws -> [[UInt8]] {
    var out = [[UInt8]]()
    var i = 0
    while i < bytes.count {
        try #require(i + 2 <= bytes.count, "truncated length prefix")
        let n = Int(bytes[i]) << 8 | Int(bytes[i + 1])
        try #require(i + 2 + n <= bytes.count, "entry runs past the bundle")
        out.append(Array(bytes[(i + 2)..<(i + 2 + n)]))
        i += 2 + n
    }
    return out
}
