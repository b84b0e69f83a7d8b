import LedgerCore
import LedgerCrypto
import Synchronization
import Testing

/// RFC 6962 reference leaves and roots (the Certificate Transparency test data).
let rfcLeaves: [[UInt8]] = [
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
].map { Hex.decode($0)! }
let rfcRoots = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

func tree(_ n: Int) -> InMemoryHashes {
    InMemoryHashes(leafHashes: (0..<n).map { MerkleHash.leaf(Array("leaf \($0)".utf8)) })
}

/// MTH computed straight from the RFC 9162 definition, recursively, as an oracle.
func referenceRoot(_ leaves: ArraySlice<Digest>) -> Digest {
    if leaves.isEmpty { return MerkleHash.emptyRoot }
    if leaves.count == 1 { return leaves.first! }
    var k = 1
    while k * 2 < leaves.count { k *= 2 }
    let mid = leaves.startIndex + k
    return MerkleHash.node(referenceRoot(leaves[..<mid]), referenceRoot(leaves[mid...]))
}

@Suite struct MerkleTests {
    @Test func rfc6962KnownAnswers() throws {
        #expect(MerkleHash.emptyRoot.hex == rfcRoots[0])
        #expect(MerkleHash.leaf([]).hex == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        let t = InMemoryHashes(leafHashes: rfcLeaves.map { MerkleHash.leaf($0) }).tree
        for n in 0...8 { #expect(try t.root(treeSize: Int64(n)).hex == rfcRoots[n], "size \(n)") }
        // CT reference inclusion and consistency proofs.
        #expect(
            try t.inclusionProof(index: 0, treeSize: 8).map(\.hex) == [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ])
        #expect(
            try t.inclusionProof(index: 5, treeSize: 8).map(\.hex) == [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ])
        #expect(
            try t.consistencyProof(oldSize: 6, newSize: 8).map(\.hex) == [
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ])
        #expect(
            try t.consistencyProof(oldSize: 2, newSize: 5).map(\.hex) == [
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ])
    }

    @Test func storedHashIndexMatchesGoLayout() {
        // tlog.StoredHashIndex: leaves 0,1 then their parent, leaf 2, leaf 3, parent, grandparent…
        let expected: [(Int, Int64, Int64)] = [
            (0, 0, 0), (0, 1, 1), (1, 0, 2), (0, 2, 3), (0, 3, 4), (1, 1, 5), (2, 0, 6), (0, 4, 7),
        ]
        for (level, n, idx) in expected { #expect(StoredHashIndex.index(level: level, n: n) == idx) }
        #expect(StoredHashIndex.count(size: 0) == 0)
        #expect(StoredHashIndex.count(size: 1) == 1)
        #expect(StoredHashIndex.count(size: 4) == 7)
        #expect(StoredHashIndex.count(size: 5) == 8)
        for n in 1...200 { #expect(StoredHashIndex.count(size: Int64(n)) == Int64(tree(n).hashes.count)) }
    }

    @Test func rootsMatchTheRecursiveDefinitionAndCompactRange() throws {
        let leaves = (0..<200).map { MerkleHash.leaf(Array("leaf \($0)".utf8)) }
        let t = InMemoryHashes(leafHashes: leaves).tree
        var range = CompactRange()
        for n in 0...200 {
            let expected = referenceRoot(leaves[0..<n])
            #expect(try t.root(treeSize: Int64(n)) == expected)
            #expect(range.root == expected)
            if n < 200 { range.append(leaves[n]) }
        }
    }

    @Test func everyInclusionProofUpTo64VerifiesAndEveryMutationFails() throws {
        let t = tree(64).tree
        for n in Int64(1)...64 {
            let root = try t.root(treeSize: n)
            let cached = try t.cachingEdge(treeSize: n)
            for i in 0..<n {
                let proof = try t.inclusionProof(index: i, treeSize: n)
                #expect(try cached.inclusionProof(index: i, treeSize: n) == proof)
                let raw = proof.map(\.bytes)
                let leaf = try t.leafHash(i)
                try ProofVerifier.verifyInclusion(
                    index: UInt64(i), treeSize: UInt64(n), leafHash: leaf, proof: raw, root: root)
                func fails(_ index: UInt64, _ size: UInt64, _ p: [[UInt8]], _ l: Digest = leaf, _ r: Digest = root)
                    -> Bool
                {
                    (try? ProofVerifier.verifyInclusion(index: index, treeSize: size, leafHash: l, proof: p, root: r))
                        == nil
                }
                #expect(fails(UInt64(i) + 1, UInt64(n), raw) || i + 1 == n && fails(UInt64(i) + 1, UInt64(n), raw))
                #expect(fails(UInt64(i), UInt64(2 * n), raw))
                if i > 0 { #expect(fails(UInt64(i) - 1, UInt64(n), raw)) }
                #expect(fails(UInt64(i), UInt64(n), raw + [root.bytes]))
                #expect(fails(UInt64(i), UInt64(n), raw, MerkleHash.leaf([1, 2, 3])))
                #expect(fails(UInt64(n), UInt64(n), raw))
                if !raw.isEmpty {
                    #expect(fails(UInt64(i), UInt64(n), Array(raw.dropLast())))
                    for k in raw.indices {
                        var m = raw
                        m[k][k % 32] ^= 0x01
                        #expect(fails(UInt64(i), UInt64(n), m))
                        var short = raw
                        short[k].removeLast()
                        #expect(fails(UInt64(i), UInt64(n), short))
                    }
                }
            }
        }
    }

    @Test func everyConsistencyProofUpTo64VerifiesAndEveryMutationFails() throws {
        let t = tree(64).tree
        for n in Int64(1)...64 {
            let root2 = try t.root(treeSize: n)
            let cached = try t.cachingEdge(treeSize: n)
            for m in Int64(1)...n {
                let root1 = try t.root(treeSize: m)
                let proof = try t.consistencyProof(oldSize: m, newSize: n)
                #expect(try cached.consistencyProof(oldSize: m, newSize: n) == proof)
                let raw = proof.map(\.bytes)
                try ProofVerifier.verifyConsistency(
                    size1: UInt64(m), size2: UInt64(n), proof: raw, root1: root1, root2: root2)
                func fails(_ s1: Int64, _ s2: Int64, _ p: [[UInt8]], _ r1: Digest = root1, _ r2: Digest = root2) -> Bool
                {
                    (try? ProofVerifier.verifyConsistency(
                        size1: UInt64(s1), size2: UInt64(s2), proof: p, root1: r1, root2: r2)) == nil
                }
                #expect(fails(m, n, raw + [root1.bytes]))
                #expect(fails(0, n, raw, MerkleHash.emptyRoot))
                if m != n {
                    #expect(fails(m, n, raw, root2, root1))
                    #expect(fails(m, n, Array(raw.dropLast())))
                    #expect(fails(m, n, []))
                    if m > 1 { #expect(fails(m - 1, n, raw)) }
                    for k in raw.indices {
                        var mutated = raw
                        mutated[k][31 - k % 32] ^= 0x80
                        #expect(fails(m, n, mutated))
                        var long = raw
                        long[k].append(0)
                        #expect(fails(m, n, long))
                    }
                } else {
                    #expect(fails(m, n, [root1.bytes]))
                    #expect(fails(m, n, [], root1, MerkleHash.leaf([9])))
                }
            }
        }
    }

    @Test func proofsReadLogarithmicallyManyStoredHashesInOneCall() throws {
        final class CountingReader: HashReader, Sendable {
            let inner: InMemoryHashes
            let counts = Mutex((calls: 0, reads: 0))
            init(_ inner: InMemoryHashes) { self.inner = inner }
            func readHashes(_ indexes: [Int64]) throws(LedgerError) -> [Digest] {
                counts.withLock { $0 = ($0.calls + 1, $0.reads + indexes.count) }
                return try inner.readHashes(indexes)
            }
            func reset() -> (calls: Int, reads: Int) {
                counts.withLock { c in
                    defer { c = (0, 0) }
                    return c
                }
            }
        }
        let reader = CountingReader(tree(1000))
        let t = MerkleTree(reader: reader, size: 1000)
        let plain = tree(1000).tree
        #expect(try t.inclusionProof(index: 617, treeSize: 1000) == plain.inclusionProof(index: 617, treeSize: 1000))
        var c = reader.reset()
        #expect(c.calls == 1 && c.reads <= 2 * 10)
        #expect(
            try t.consistencyProof(oldSize: 333, newSize: 1000) == plain.consistencyProof(oldSize: 333, newSize: 1000))
        c = reader.reset()
        #expect(c.calls == 1 && c.reads <= 2 * 10)
        _ = try t.root(treeSize: 1000)
        c = reader.reset()
        // 1000 = 512 + 256 + 128 + 64 + 32 + 8: one stored hash per complete subtree.
        #expect(c.calls == 1 && c.reads == 6)
    }

    @Test func aStoredHashThatIsNotThereIsAnErrorNotATrap() throws {
        // A reader holding fewer hashes than the tree size claims: every operation that needs
        // a missing hash throws `.notFound`.
        let short = tree(100)
        let t = MerkleTree(reader: short, size: 200)
        expectThrows(.notFound) { try t.root(treeSize: 200) }
        expectThrows(.notFound) { try t.inclusionProof(index: 150, treeSize: 200) }
        expectThrows(.notFound) { try t.consistencyProof(oldSize: 50, newSize: 200) }
        expectThrows(.notFound) { try t.cachingEdge(treeSize: 199) }
        expectThrows(.notFound) { try short.readHashes([0, -1]) }
        #expect(try t.root(treeSize: 100) == short.tree.root(treeSize: 100))
    }

    @Test func aReaderReturningTheWrongNumberOfHashesIsAnError() throws {
        struct Lossy: HashReader, Sendable {
            let inner: InMemoryHashes
            func readHashes(_ indexes: [Int64]) throws(LedgerError) -> [Digest] {
                Array(try inner.readHashes(indexes).dropLast())
            }
        }
        let t = MerkleTree(reader: Lossy(inner: tree(10)), size: 10)
        expectThrows(.io) { try t.root(treeSize: 10) }
        expectThrows(.io) { try t.inclusionProof(index: 3, treeSize: 10) }
    }
}

@Suite struct TreeBuildTests {
    @Test func oneShotBuildEqualsIncrementalAppends() {
        let leaves = (0..<300).map { MerkleHash.leaf(Array("leaf \($0)".utf8)) }
        for n in [0, 1, 2, 3, 7, 8, 9, 64, 255, 256, 300] {
            #expect(
                InMemoryHashes(buildingFrom: Array(leaves[0..<n])).hashes
                    == InMemoryHashes(leafHashes: Array(leaves[0..<n])).hashes)
        }
    }
}

@Suite struct ParallelBuildTests {
    @Test func parallelBuildEqualsSequentialBuild() {
        for n in [0, 1, 2, 3, 5, 8, 13, 4096, 5000, 8192, 10_001] {
            let leaves = (0..<n).map { MerkleHash.leaf(Array("p\($0)".utf8)) }
            #expect(
                InMemoryHashes(buildingInParallelFrom: leaves).hashes == InMemoryHashes(buildingFrom: leaves).hashes,
                "n = \(n)")
        }
    }
}
