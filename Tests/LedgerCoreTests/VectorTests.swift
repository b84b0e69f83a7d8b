import LedgerCore
import LedgerCrypto
import Testing

@Suite struct VectorTests {
    func load(_ name: String) throws -> [JSONValue] {
        try JSONParser.parse(Array(try vectorFile(name).utf8), limits: JSONLimits(maxContainerCount: 100_000, maxInputBytes: 1 << 24)).arrayValue!
    }

    func hashes(_ v: JSONValue) -> [[UInt8]] { v["proof"]!.arrayValue!.map { Hex.decode($0.stringValue!)! } }

    @Test func committedVectorsAreExactlyWhatTheGeneratorProduces() throws {
        for (name, content) in TestVectors.files() { #expect(try vectorFile(name) == content, "\(name) is stale: run ledger dev-vectors") }
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
        var valid = 0, invalid = 0
        for c in try load("inclusion.json") {
            let run = {
                try ProofVerifier.verifyInclusion(
                    index: UInt64(c["index"]!.integerValue!), treeSize: UInt64(c["treeSize"]!.integerValue!),
                    leafHash: digest(hex: c["leafHash"]!.stringValue!), proof: hashes(c), root: digest(hex: c["root"]!.stringValue!))
            }
            if c["valid"] == true { try run(); valid += 1 } else { #expect(throws: LedgerError.self, "\(c["why"]!)") { try run() }; invalid += 1 }
        }
        #expect(valid > 300 && invalid >= 9)
    }

    @Test func consistencyVectors() throws {
        var valid = 0, invalid = 0
        for c in try load("consistency.json") {
            let run = {
                try ProofVerifier.verifyConsistency(
                    size1: UInt64(c["size1"]!.integerValue!), size2: UInt64(c["size2"]!.integerValue!), proof: hashes(c),
                    root1: digest(hex: c["root1"]!.stringValue!), root2: digest(hex: c["root2"]!.stringValue!))
            }
            if c["valid"] == true { try run(); valid += 1 } else { #expect(throws: LedgerError.self, "\(c["why"]!)") { try run() }; invalid += 1 }
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
            #expect(String(decoding: e.statement.signingMessage, as: UTF8.self) == c["statementSigningMessage"]!.stringValue!)
            #expect(e.statement.hash.base64 == c["statementHash"]!.stringValue!)
            #expect(e.signed.hasValidSignature)
            prev = MerkleHash.leaf(leaf)
            leafHashes.append(prev)
        }
        let cp = try SignedCheckpoint(parsing: try vectorFile("checkpoint.note"), logKey: logVkey)
        #expect(cp.checkpoint.root == (try InMemoryHashes(leafHashes: leafHashes).tree.root(treeSize: 3)))
        let cosigned = try SignedCheckpoint(parsing: try vectorFile("checkpoint-cosigned.note"), logKey: logVkey)
        let witnesses = try keys["witnesses"]!.arrayValue!.map { try NoteVerifierKey(parsing: $0["cosignerVkey"]!.stringValue!) }
        #expect(cosigned.cosigners(among: witnesses).count == 2)
        #expect(cosigned.cosigners(among: witnesses).allSatisfy { $0.time == TestVectors.cosignTime })
    }
}
