import Foundation
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Testing

@Suite struct VectorTests {
    func load(_ name: String) throws -> [JSONValue] {
        try JSONParser.parse(
            Array(try vectorFile(name).utf8), limits: JSONLimits(maxContainerCount: 100_000, maxInputBytes: 1 << 24)
        ).arrayValue!
    }

    func hashes(_ v: JSONValue) -> [[UInt8]] { v["proof"]!.arrayValue!.map { Hex.decode($0.stringValue!)! } }

    @Test func committedVectorsAreExactlyWhatTheGeneratorProduces() throws {
        for (name, content) in TestVectors.files() {
            #expect(try vectorFile(name) == content, "\(name) is stale: run ledger-bench dev-vectors")
        }
    }

    @Test func rootVectors() throws {
        let leaves = (0..<64).map { MerkleHash.leaf(TestVectors.leafData($0)) }
        let cases = try load("roots.json")
        #expect(cases.count == 65)
        for c in cases {
            let n = Int(c["size"]!.integerValue!)
            #expect(referenceRoot(leaves[0..<n]).hex == c["root"]!.stringValue!)
        }
    }

    @Test func inclusionVectors() throws {
        var valid = 0
        var invalid = 0
        for c in try load("inclusion.json") {
            let run = {
                try ProofVerifier.verifyInclusion(
                    index: UInt64(c["index"]!.integerValue!), treeSize: UInt64(c["treeSize"]!.integerValue!),
                    leafHash: digest(hex: c["leafHash"]!.stringValue!), proof: hashes(c),
                    root: digest(hex: c["root"]!.stringValue!))
            }
            if c["valid"] == true {
                try run()
                valid += 1
            } else {
                // Every invalid proof is refused as an invalid proof, not some other failure.
                #expect(throws: LedgerError.proofInvalid(""), "\(c["why"]!)") { try run() }
                invalid += 1
            }
        }
        #expect(valid > 300 && invalid >= 9)
    }

    @Test func consistencyVectors() throws {
        var valid = 0
        var invalid = 0
        for c in try load("consistency.json") {
            let run = {
                try ProofVerifier.verifyConsistency(
                    size1: UInt64(c["size1"]!.integerValue!), size2: UInt64(c["size2"]!.integerValue!),
                    proof: hashes(c),
                    root1: digest(hex: c["root1"]!.stringValue!), root2: digest(hex: c["root2"]!.stringValue!))
            }
            if c["valid"] == true {
                try run()
                valid += 1
            } else {
                // Every invalid proof is refused as an invalid proof, not some other failure.
                #expect(throws: LedgerError.proofInvalid(""), "\(c["why"]!)") { try run() }
                invalid += 1
            }
        }
        #expect(valid > 300 && invalid >= 9)
    }

    @Test func entryAndCheckpointVectors() throws {
        let keys = try JSONParser.parse(Array(try vectorFile("keys.json").utf8))
        let logVkey = try NoteVerifierKey(parsing: keys["log"]!["vkey"]!.stringValue!)
        var leafHashes = [Digest]()
        var prev = Digest.zero
        for c in try load("entries.json") {
            let leaf = Array(c["leaf"]!.stringValue!.utf8)
            let e = try Entry(leaf: leaf)
            #expect(e.canonicalBytes == leaf)
            #expect(e.prev == prev)
            #expect(MerkleHash.leaf(leaf).base64 == c["leafHash"]!.stringValue!)
            #expect(
                String(decoding: e.statement.signingMessage, as: UTF8.self) == c["statementSigningMessage"]!
                    .stringValue!)
            #expect(e.statement.hash.base64 == c["statementHash"]!.stringValue!)
            #expect(e.signed.hasValidSignature)
            prev = MerkleHash.leaf(leaf)
            leafHashes.append(prev)
        }
        let cp = try SignedCheckpoint(parsing: try vectorFile("checkpoint.note"), logKey: logVkey)
        #expect(cp.checkpoint.root == (try InMemoryHashes(leafHashes: leafHashes).tree.root(treeSize: 3)))
        let cosigned = try SignedCheckpoint(parsing: try vectorFile("checkpoint-cosigned.note"), logKey: logVkey)
        let witnesses = try keys["witnesses"]!.arrayValue!.map {
            try NoteVerifierKey(parsing: $0["cosignerVkey"]!.stringValue!)
        }
        #expect(cosigned.cosigners(among: witnesses).count == 2)
        #expect(cosigned.cosigners(among: witnesses).allSatisfy { $0.time == TestVectors.cosignTime })
    }
}

/// The vectors added for independent verifiers (issue 10): limits, strict Ed25519, checkpoint
/// notes, tlog-proof bundles and the store layout. Each is checked against the implementation.
@Suite struct MoreVectorTests {
    func load(_ name: String) throws -> [JSONValue] {
        try JSONParser.parse(
            Array(try vectorFile(name).utf8),
            limits: JSONLimits(maxStringBytes: 1 << 20, maxContainerCount: 100_000, maxInputBytes: 1 << 24)
        ).arrayValue!
    }

    func expectOutcome(_ c: JSONValue, _ error: LedgerError?, _ what: String) {
        if c["valid"] == true {
            #expect(error == nil, "\(what): \(String(describing: error))")
        } else {
            #expect(error != nil, "\(what) should be refused")
            #expect(error?.code.description == c["code"]?.stringValue, "\(what)")
            #expect(error?.message == c["error"]?.stringValue, "\(what)")
        }
    }

    @Test func limitsVectors() throws {
        let cases = try load("limits.json")
        #expect(cases.count >= 30)
        for c in cases {
            let input = TestVectors.limitsInput(parts: c["parts"]!)
            let what = c["what"]!.stringValue!
            #expect(input.count == Int(c["bytes"]!.integerValue!), "\(what)")
            #expect(SHA256.hash(input).hex == c["sha256"]!.stringValue!, "\(what)")
            expectOutcome(c, TestVectors.runLimitsCase(check: c["check"]!.stringValue!, input: input), what)
        }
        // Each limit has a case at it and one just over it.
        for limit in ["depth", "string", "members", "integer", "input", "body", "kind"] {
            #expect(cases.contains { $0["limit"]?.stringValue == limit && $0["valid"] == true }, "\(limit)")
            #expect(cases.contains { $0["limit"]?.stringValue == limit && $0["valid"] == false }, "\(limit)")
        }
    }

    @Test func ed25519StrictVectors() throws {
        var valid = 0
        var invalid = 0
        for c in try load("ed25519-strict.json") {
            let key = try #require(VerifyingKey(rawRepresentation: Hex.decode(c["publicKey"]!.stringValue!)!))
            let ok = key.isValidSignature(
                Hex.decode(c["signature"]!.stringValue!)!, for: Hex.decode(c["message"]!.stringValue!)!)
            #expect(ok == (c["valid"] == true), "\(c["why"]!)")
            if ok { valid += 1 } else { invalid += 1 }
        }
        #expect(valid == 2 && invalid >= 12)
    }

    @Test func checkpointVectors() throws {
        let cases = try load("checkpoints.json")
        #expect(cases.count >= 30)
        for c in cases {
            expectOutcome(
                c, TestVectors.runCheckpointCase(note: c["note"]!.stringValue!, logKey: c["logKey"]!.stringValue!),
                c["why"]!.stringValue!)
        }
    }

    @Test func tlogProofVectors() throws {
        let cases = try load("tlog-proof.json")
        #expect(cases.count >= 15)
        for c in cases {
            expectOutcome(
                c,
                TestVectors.runTlogProofCase(
                    bundle: c["bundle"]!.stringValue!, leaf: Array(c["leaf"]!.stringValue!.utf8),
                    logKey: c["logKey"]!.stringValue!),
                c["why"]!.stringValue!)
        }
    }

    @Test func storeLayoutVector() throws {
        let v = try JSONParser.parse(
            Array(try vectorFile("store-layout.json").utf8), limits: JSONLimits(maxInputBytes: 1 << 20))
        // The entries are those of entries.json.
        let entries = try load("entries.json")
        let jsonl = v["entriesJsonl"]!.stringValue!
        #expect(jsonl == entries.map { $0["leaf"]!.stringValue! + "\n" }.joined())
        // A ledger built from the same statements at the same time writes exactly these bytes.
        let dir = tempPath("layout")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileStore.create(at: dir)
        let ledger = try Ledger<CoreRules>(directory: dir, clock: { TestVectors.vectorTime })
        _ = try ledger.append(TestVectors.vectorStatements())
        func file(_ name: String) throws -> [UInt8] {
            Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
        }
        #expect(try file("entries.jsonl") == Array(jsonl.utf8))
        #expect(Hex.encode(try file("entries.idx")) == v["entriesIdxHex"]!.stringValue!)
        #expect(Hex.encode(try file("tree.hashes")) == v["treeHashesHex"]!.stringValue!)
        // The explanation agrees with the bytes.
        let idx = Hex.decode(v["entriesIdxHex"]!.stringValue!)!
        var end = 0
        for (i, r) in v["index"]!.arrayValue!.enumerated() {
            end += jsonl.utf8.split(separator: 0x0a, omittingEmptySubsequences: false)[i].count + 1
            #expect(Int(r["endOffset"]!.integerValue!) == end)
            let rec = Array(idx[(i * 40)..<(i * 40 + 40)])
            #expect(rec.prefix(8) == Array(withUnsafeBytes(of: UInt64(end).littleEndian, Array.init))[...])
            #expect(Base64.encode(rec.suffix(32)) == r["statementHash"]!.stringValue!)
        }
        let hashes = Hex.decode(v["treeHashesHex"]!.stringValue!)!
        let leaves = entries.map { MerkleHash.leaf(Array($0["leaf"]!.stringValue!.utf8)) }
        #expect(hashes.count == 32 * Int(StoredHashIndex.count(size: 3)))
        for s in v["storedHashes"]!.arrayValue! {
            let pos = Int(s["position"]!.integerValue!)
            let level = Int(s["level"]!.integerValue!)
            let n = Int(s["n"]!.integerValue!)
            #expect(Int64(pos) == StoredHashIndex.index(level: level, n: Int64(n)))
            let expected = referenceRoot(leaves[(n << level)..<((n + 1) << level)])
            #expect(Hex.encode(hashes[(pos * 32)..<(pos * 32 + 32)]) == expected.hex)
            #expect(s["hash"]!.stringValue! == expected.hex)
        }
    }
}
