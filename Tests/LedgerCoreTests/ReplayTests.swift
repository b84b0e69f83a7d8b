import LedgerCore
import LedgerCrypto
import Testing

/// The one replay loop (``Replay``) and the one stored-hash recurrence (``StoredHashIndex/fold``).
@Suite struct ReplayTests {
    /// A ledger of the fixture's two entries (genesis, the author's registration) and `notes`
    /// notes by the author, and its lines.
    static func ledger(notes: Int) throws -> (Fixture, [ArraySlice<UInt8>]) {
        let f = try Fixture()
        for k in 0..<notes { _ = try f.ledger.append([try f.note("note \(k)")]) }
        return (f, try f.ledger.store.lines(0..<f.ledger.size))
    }

    @Test func aFullReplayRebuildsTheStateTheRootAndEveryStoredHash() throws {
        let (f, lines) = try ReplayTests.ledger(notes: 20)
        var replay = Replay<CoreRules>(checks: .all)
        var added = [Digest]()
        for (i, line) in lines.enumerated() {
            try replay.apply(line, at: Int64(i), didApply: { _, r in added += r.added })
        }
        let size = f.ledger.size
        #expect(replay.size == size)
        #expect(replay.range.root == (try f.ledger.store.tree.root(treeSize: size)))
        #expect(added == (0..<StoredHashIndex.count(size: size)).map { f.ledger.store.storedHash(at: $0) })
        #expect(replay.chain.prev == f.ledger.store.leafHash(size - 1))
        #expect(replay.statementIndexes.count == lines.count)
        let snap = f.ledger.store.snapshot
        #expect((0..<size).allSatisfy { replay.statementIndexes[snap.statementHash($0)] == $0 }, "hash → its entry")
        #expect(replay.rules.authority.record(for: f.author.verifierKey) != nil)
    }

    @Test func theHooksSeeTheStateBeforeAndAfterTheRules() throws {
        let (f, lines) = try ReplayTests.ledger(notes: 0)
        var replay = Replay<CoreRules>(checks: .all)
        try replay.apply(lines[0], at: 0)
        var before: Bool?
        var after: Bool?
        try replay.apply(
            lines[1], at: 1,
            willApply: { _, r in before = r.rules.authority.record(for: f.author.verifierKey) != nil },
            didApply: { _, r in after = r.rules.authority.record(for: f.author.verifierKey) != nil })
        #expect(before == false)
        #expect(after == true)
    }

    @Test func aRefusingHookLeavesTheRulesUnappliedAndNamesTheEntry() throws {
        let (f, lines) = try ReplayTests.ledger(notes: 0)
        var replay = Replay<CoreRules>(checks: .all)
        try replay.apply(lines[0], at: 0)
        let e = try #require(
            throws: LedgerError.self,
            performing: {
                try replay.apply(
                    lines[1], at: 1, willApply: { _, _ throws(LedgerError) in throw .chainBroken("cache disagrees") })
            })
        #expect(e.code == .chainBroken)
        #expect(e.message == "entry 1: cache disagrees")
        #expect(replay.rules.authority.record(for: f.author.verifierKey) == nil)
    }

    @Test func theIndexFieldIsCheckedEvenWithoutTheChain() throws {
        let (_, lines) = try ReplayTests.ledger(notes: 2)
        var replay = Replay<CoreRules>(checks: [])
        try replay.apply(Array(lines[0..<2]), first: 0)
        let e = try #require(throws: LedgerError.self, performing: { try replay.apply(lines[3], at: 2) })
        #expect(e.code == .chainBroken)
        #expect(e.message == "entry 2: index field is 3, expected 2")
    }

    @Test func theRulesRefusalNamesTheEntry() throws {
        let (_, lines) = try ReplayTests.ledger(notes: 1)
        // Entry 2 is a note by a key that entry 1 registers: without entry 1 it is refused.
        var replay = Replay<CoreRules>(checks: [])
        try replay.apply(lines[0], at: 0)
        let e = try #require(throws: LedgerError.self, performing: { try replay.apply(lines[2], at: 2) })
        #expect(e.message.hasPrefix("entry 2: "), "\(e.message)")
        #expect(e.code == .unauthorized || e.code == .refused, "\(e.code)")
    }

    @Test func aStatementSeenBeforeIsAReplay() throws {
        let (_, lines) = try ReplayTests.ledger(notes: 2)
        var replay = Replay<CoreRules>(checks: .all)
        var hashes = [Digest]()
        for i in 0..<3 {
            try replay.apply(lines[i], at: Int64(i), didApply: { step, _ in hashes.append(step.statementHash) })
        }
        // Entry 3 as decoded elsewhere, but carrying entry 2's statement hash.
        let entry = try Entry(leaf: Array(lines[3]))
        let leafHash = lines[3].withUnsafeBytes { MerkleHash.leaf($0) }
        let decoded = Replay<CoreRules>.Decoded(entry: entry, leafHash: leafHash, statementHash: hashes[2])
        let e = try #require(
            throws: LedgerError.self, performing: { try replay.apply(lines[3], at: 3, decoded: .success(decoded)) })
        #expect(e.code == .replay)
        #expect(e.message == "entry 3: statement is a replay of an earlier entry")
    }

    @Test func aDecodingErrorFromAnotherThreadNamesTheEntry() throws {
        let (_, lines) = try ReplayTests.ledger(notes: 0)
        var replay = Replay<CoreRules>(checks: .all)
        let e = try #require(
            throws: LedgerError.self,
            performing: { try replay.apply(lines[0], at: 0, decoded: .failure(.badSignature("no good"))) })
        #expect(e.code == .badSignature)
        #expect(e.message == "entry 0: no good")
    }

    // MARK: The stored-hash recurrence

    @Test(arguments: [1, 2, 3, 7, 8, 64, 100, 257])
    func everyStoredHashIsItsSubtreesHash(_ count: Int) {
        let leaves = (0..<count).map { MerkleHash.leaf(Array("leaf \($0)".utf8)) }
        var range = CompactRange()
        var stored = [Digest]()
        for h in leaves { range.append(h) { stored.append($0) } }
        #expect(Int64(stored.count) == StoredHashIndex.count(size: Int64(count)))
        var level = 0
        while 1 << level <= count {
            for n in 0..<(count >> level) {
                let lo = n << level
                let position = Int(StoredHashIndex.index(level: level, n: Int64(n)))
                #expect(stored[position] == referenceRoot(leaves[lo..<(lo + 1 << level)]), "level \(level) n \(n)")
            }
            level += 1
        }
        #expect(range.root == referenceRoot(leaves[...]))
        // Every writer of stored hashes gives the same ones.
        #expect(InMemoryHashes(leafHashes: leaves).hashes == stored)
        #expect(InMemoryHashes(buildingFrom: leaves).hashes == stored)
        var fromReader = [Digest]()
        for (i, h) in leaves.enumerated() {
            let new = MerkleHash.newStoredHashes(index: Int64(i), leafHash: h) { fromReader[Int($0)] }
            fromReader += new
        }
        #expect(fromReader == stored)
    }
}
