import Foundation
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Synchronization
import Testing

/// The store contract (specs/ledger-format.md §9.5), checked against every store: each test
/// runs once with a ``FileStore`` in a fresh directory and once with a ``MemoryStore``.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case file, memory
    var testDescription: String { rawValue }
}

/// A check that runs against any store. `reopen` gives the store as a new process would
/// see it (the same object for the memory store).
protocol StoreCheck {
    func run<S: LedgerStore>(_ store: S, reopen: () throws -> S) throws
}

func check(_ kind: StoreKind, _ c: some StoreCheck) throws {
    switch kind {
    case .file:
        let dir = tempPath("store")
        try FileStore.create(at: dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try c.run(try FileStore(directory: dir), reopen: { try FileStore(directory: dir) })
    case .memory:
        let m = MemoryStore(name: "test")
        try c.run(m, reopen: { m })
    }
}

/// Appends raw leaves as one batch, computing what the ledger would (the store judges nothing).
func appendRaw<S: LedgerStore>(_ store: S, _ leaves: [[UInt8]], range: inout CompactRange) throws {
    try store.withWriteLock { session throws(LedgerError) in
        var stored = [Digest]()
        var last = Digest.zero
        for leaf in leaves {
            last = MerkleHash.leaf(leaf)
            range.append(last) { stored.append($0) }
        }
        try store.append(
            leaves: leaves, storedHashes: stored, statementHashes: leaves.map { SHA256.hash($0) }, lastLeafHash: last,
            root: range.root, in: session)
    }
}

func rawLeaves(_ range: Range<Int>) -> [[UInt8]] {
    range.map { Array("{\"leaf\":\($0),\"pad\":\"\(String(repeating: "x", count: $0 % 37))\"}".utf8) }
}

@Suite struct StoreConformanceTests {
    struct AppendAndRead: StoreCheck {
        func run<S: LedgerStore>(_ store: S, reopen: () throws -> S) throws {
            #expect(store.size == 0)
            #expect(try store.readCommitRecord() == .empty)
            var range = CompactRange()
            let leaves = rawLeaves(0..<23)
            var bounds = 0
            for n in [1, 5, 17] {
                try appendRaw(store, Array(leaves[bounds..<(bounds + n)]), range: &range)
                bounds += n
                #expect(store.size == Int64(bounds))
            }
            for s in [store, try reopen()] {
                try s.refresh()
                #expect(s.size == 23)
                let c = try s.readCommitRecord()
                #expect(c.size == 23 && c.root == range.root && c.lastLeafHash == MerkleHash.leaf(leaves[22]))
                #expect(c.entriesEnd == Int64(leaves.reduce(0) { $0 + $1.count + 1 }))
                #expect(c.sequence == CommitRecord.empty.sequence + 3)
                #expect(s.commit == c && s.committedEnd == c.entriesEnd)
                for r in [0..<23, 0..<1, 5..<6, 6..<23, 22..<23, 4..<4] {
                    #expect(try s.lines(Int64(r.lowerBound)..<Int64(r.upperBound)).map(Array.init) == Array(leaves[r]))
                }
                #expect(try s.leaf(7) == leaves[7])
                // Small chunks: every entry exactly once, in order.
                var seen = [[UInt8]]()
                try s.forEachChunk(from: 3, to: 23, chunkBytes: 64) { first, lines throws(LedgerError) in
                    #expect(first == Int64(3 + seen.count))
                    seen += lines.map(Array.init)
                }
                #expect(seen == Array(leaves[3..<23]))
                #expect(s.chunks(from: 0, to: 23, chunkBytes: 64).count > 1)
                // The cursor finds the same lines and the same ends.
                var cursor = s.entryCursor(from: 0, index: 0, limit: c.entriesEnd)
                var lines = [[UInt8]]()
                var ends = [Int64]()
                while let chunk = try cursor.next(maxLines: 10) {
                    #expect(chunk.lines.count <= 10 && chunk.firstIndex == Int64(lines.count))
                    lines += chunk.lines.map(Array.init)
                    ends += chunk.ends
                }
                #expect(lines == leaves && cursor.remainingBytes == 0 && cursor.offset == c.entriesEnd)
                let snap = s.snapshot
                #expect(ends == (0..<23).map { snap.endOffset(Int64($0)) })
                #expect((0..<23).allSatisfy { snap.statementHash(Int64($0)) == SHA256.hash(leaves[$0]) })
                expectThrows(.notFound) { try s.lines(20..<24) }
                expectThrows(.notFound) { try s.leaf(23) }
                expectThrows(.notFound) { try s.leaf(-1) }
            }
        }
    }

    @Test(arguments: StoreKind.allCases) func appendsBatchesAndReadsThemBackByRange(_ kind: StoreKind) throws {
        try check(kind, AppendAndRead())
    }

    struct StoredHashes: StoreCheck {
        func run<S: LedgerStore>(_ store: S, reopen: () throws -> S) throws {
            var range = CompactRange()
            let leaves = rawLeaves(0..<41)
            try appendRaw(store, Array(leaves[0..<40]), range: &range)
            try appendRaw(store, [leaves[40]], range: &range)
            let reference = InMemoryHashes(leafHashes: leaves.map { MerkleHash.leaf($0) })
            let s = try reopen()
            let all = (0..<Int64(reference.hashes.count)).map { $0 }
            #expect(try s.readHashes(all) == reference.hashes)
            #expect(try s.readHashes([5, 5, 0]) == [reference.hashes[5], reference.hashes[5], reference.hashes[0]])
            expectThrows(.notFound) { try s.readHashes([0, Int64(reference.hashes.count)]) }
            expectThrows(.notFound) { try s.readHashes([-1]) }
            #expect(try s.tree.root(treeSize: 41) == range.root)
            for (i, n) in [(0, 41), (17, 41), (40, 41), (3, 4)] as [(Int64, Int64)] {
                #expect(
                    try s.tree.inclusionProof(index: i, treeSize: n)
                        == reference.tree.inclusionProof(index: i, treeSize: n))
            }
            #expect(
                try s.tree.consistencyProof(oldSize: 13, newSize: 41)
                    == reference.tree.consistencyProof(oldSize: 13, newSize: 41))
            expectThrows(.notFound) { try s.tree.root(treeSize: 42) }
        }
    }

    @Test(arguments: StoreKind.allCases) func readsStoredHashesInBatchesAndFailsOutOfRange(_ kind: StoreKind) throws {
        try check(kind, StoredHashes())
    }

    struct Checkpoints: StoreCheck {
        func run<S: LedgerStore>(_ store: S, reopen: () throws -> S) throws {
            #expect(try store.checkpointSizes() == [])
            #expect(try store.checkpointText(size: 3) == nil)
            try store.withWriteLock { session throws(LedgerError) in
                try store.storeCheckpoint("ten\n", size: 10, in: session)
                try store.storeCheckpoint("three\n", size: 3, in: session)
                try store.storeCheckpoint("three, cosigned\n", size: 3, in: session)
            }
            let s = try reopen()
            #expect(try s.checkpointSizes() == [3, 10])
            #expect(try s.checkpointText(size: 3) == "three, cosigned\n")
            #expect(try s.checkpointText(size: 10) == "ten\n")
            let kept = try s.withWriteLock { session throws(LedgerError) in
                try s.keepForkEvidence("forked\n", size: 3, root: MerkleHash.emptyRoot, in: session)
            }
            #expect(kept.contains("3-" + MerkleHash.emptyRoot.hex.prefix(16)))
            // Evidence is not a stored checkpoint.
            #expect(try s.checkpointSizes() == [3, 10])
        }
    }

    @Test(arguments: StoreKind.allCases) func checkpointsRoundTripAndAreReplacedWhole(_ kind: StoreKind) throws {
        try check(kind, Checkpoints())
    }

    @Test(arguments: StoreKind.allCases) func witnessStateIsCheckedAndReplacedAtomically(_ kind: StoreKind) throws {
        let dir = tempPath("witness")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state: any WitnessStateStore = kind == .file ? FileWitnessState(directory: dir) : MemoryStore()
        let a = Checkpoint(origin: "log.example/a", size: 5, root: MerkleHash.leaf([1]))
        let b = Checkpoint(origin: "log.example/b", size: 9, root: MerkleHash.leaf([2]))
        try state.updateLastCosigned(origin: a.origin) { old throws(LedgerError) in
            #expect(old == nil)
            return a
        }
        try state.updateLastCosigned(origin: b.origin) { old throws(LedgerError) in
            #expect(old == nil)
            return b
        }
        // A body that throws changes nothing.
        expectThrows(.fork) {
            try state.updateLastCosigned(origin: a.origin) { _ throws(LedgerError) -> Checkpoint in throw .fork("no") }
        }
        try state.updateLastCosigned(origin: a.origin) { old throws(LedgerError) in
            #expect(old == a)
            return Checkpoint(origin: a.origin, size: 6, root: MerkleHash.leaf([3]))
        }
        try state.updateLastCosigned(origin: b.origin) { old throws(LedgerError) in
            #expect(old == b)
            return b
        }
        // A witness over this state refuses to go back to a smaller checkpoint of a real log.
        let op = try NoteSignerKey.generate(name: "log.example/w")
        let witness = Witness(key: try NoteSignerKey.generate(name: "w"), state: state)
        func signed(_ size: UInt64) throws -> String {
            var note = try SignedNote(text: Checkpoint(origin: op.name, size: size, root: MerkleHash.emptyRoot).text)
            note.sign(with: op)
            return note.serialized
        }
        _ = try witness.cosign(try signed(0), logKey: op.verifierKey, proof: nil, time: 1)
        var last: Checkpoint?
        try state.updateLastCosigned(origin: op.name) { old throws(LedgerError) in
            last = old
            return old!
        }
        #expect(last?.size == 0)
        var forked = try SignedNote(text: Checkpoint(origin: op.name, size: 0, root: MerkleHash.leaf([9])).text)
        forked.sign(with: op)
        expectThrows(.fork) { try witness.cosign(forked.serialized, logKey: op.verifierKey, proof: nil, time: 2) }
    }

    /// Statements for a ledger with an operator and one author.
    struct People {
        let clock = TestClock()
        let op: NoteSignerKey
        let author: NoteSignerKey
        init() throws {
            op = try NoteSignerKey.generate(name: "test.example/log")
            author = try NoteSignerKey.generate(name: "author")
        }
        func statement(_ kind: String, _ body: JSONValue, _ key: NoteSignerKey) throws -> SignedStatement {
            try Statement.make(kind: kind, body: body, key: key, time: clock.now)
        }
        func start<S: LedgerStore>(_ store: S) throws -> StoreLedger<CoreRules, S> {
            let ledger = try StoreLedger<CoreRules, S>.create(store: store, operatorKey: op, clock: clock.closure)
            _ = try ledger.append([try statement("key.register", ["vkey": .string(author.verifierKey.description)], op)]
            )
            return ledger
        }
    }

    struct ConcurrentAppends: StoreCheck {
        func run<S: LedgerStore>(_ store: S, reopen: () throws -> S) throws {
            let people = try People()
            let ledger = try people.start(store)
            let tasks = 8
            let perTask = 6
            let statements = try (0..<tasks).map { t in
                try (0..<perTask).map { k in
                    try people.statement("note", ["text": .string("t\(t) n\(k)")], people.author)
                }
            }
            let indexes = Mutex<[UInt64]>([])
            DispatchQueue.concurrentPerform(iterations: tasks) { t in
                for s in statements[t] {
                    let r = try? ledger.append([s])
                    indexes.withLock { $0 += r?.map(\.index) ?? [] }
                }
            }
            let appended = indexes.withLock { $0 }
            #expect(appended.count == tasks * perTask)
            #expect(Set(appended) == Set((2..<UInt64(2 + tasks * perTask))))
            let s = try reopen()
            #expect(s.size == Int64(2 + tasks * perTask))
            let texts = try (2..<s.size).map { try Entry(leaf: try s.leaf($0)).statement.body["text"]?.stringValue }
            #expect(Set(texts.compactMap { $0 }).count == tasks * perTask)
            let report = StoreAuditor<CoreRules, S>(store: s, options: .init()).run()
            #expect(report.isValid, "\(String(describing: report.failure))")
            #expect(report.entries == s.size)
        }
    }

    @Test(arguments: StoreKind.allCases) func concurrentAppendsThroughOneLedgerLoseNothing(_ kind: StoreKind) throws {
        try check(kind, ConcurrentAppends())
    }

    struct FullLedger: StoreCheck {
        func run<S: LedgerStore>(_ store: S, reopen: () throws -> S) throws {
            let people = try People()
            let ledger = try people.start(store)
            _ = try ledger.append(
                try (0..<5).map { try people.statement("note", ["text": .string("n\($0)")], people.author) })
            let cp = try ledger.signCheckpoint(key: people.op)
            #expect(cp.checkpoint.size == 7)
            #expect(try ledger.checkpoint().checkpoint == cp.checkpoint)
            var options = StoreAuditor<CoreRules, S>.Options()
            options.logKey = people.op.verifierKey
            let report = StoreAuditor<CoreRules, S>(store: try reopen(), options: options).run()
            #expect(report.isValid, "\(String(describing: report.failure))")
            #expect(report.entries == 7 && report.verifiedSignatures == 7 && report.checkpointsChecked == 1)
            #expect(report.root == cp.checkpoint.root)
            // A checkpoint of another root, signed by the log, is refused and kept as evidence.
            var forked = try SignedNote(
                text: Checkpoint(origin: people.op.name, size: 7, root: MerkleHash.leaf([1])).text)
            forked.sign(with: people.op)
            expectThrows(.fork) { try ledger.attach(forked.serialized) }

            // A store that took an entry the rules refuse (written past the ledger): the
            // auditor names it, and the ledger's replay refuses to go on.
            let stranger = try NoteSignerKey.generate(name: "stranger")
            let bogus = try people.statement("note", ["text": .string("x")], stranger)
            let prev = MerkleHash.leaf(try store.leaf(6))
            let entry = Entry(index: 7, prev: prev, time: people.clock.now, signed: bogus)
            var range = CompactRange()
            for i in 0..<store.size { range.append(MerkleHash.leaf(try store.leaf(i))) }
            try appendRaw(store, [entry.canonicalBytes], range: &range)
            let bad = StoreAuditor<CoreRules, S>(store: try reopen(), options: options).run()
            #expect(!bad.isValid)
            #expect(bad.failedEntry == 7 && bad.failure?.code == .unauthorized)
        }
    }

    @Test(arguments: StoreKind.allCases) func aLedgerOverTheStoreAppendsSignsAndAudits(_ kind: StoreKind) throws {
        try check(kind, FullLedger())
    }

    struct DisagreeingHashes: StoreCheck {
        func run<S: LedgerStore>(_ store: S, reopen: () throws -> S) throws {
            let people = try People()
            _ = try people.start(store)
            // Append an entry whose stored hashes are wrong: the replay of a new ledger
            // recomputes them from the entries and refuses.
            let next = try people.statement("note", ["text": .string("y")], people.author)
            let prev = MerkleHash.leaf(try store.leaf(1))
            let leaf = Entry(index: 2, prev: prev, time: people.clock.now, signed: next).canonicalBytes
            try store.withWriteLock { session throws(LedgerError) in
                try store.append(
                    leaves: [leaf], storedHashes: [MerkleHash.leaf([0])], statementHashes: [next.statement.hash],
                    lastLeafHash: MerkleHash.leaf([0]), root: MerkleHash.emptyRoot, in: session)
            }
            let fresh = StoreLedger<CoreRules, S>(store: try reopen(), clock: people.clock.closure)
            expectThrows(.chainBroken) { try fresh.currentState() }
            let report = StoreAuditor<CoreRules, S>(store: try reopen(), options: .init()).run()
            #expect(report.failure?.code == .chainBroken)
        }
    }

    @Test(arguments: StoreKind.allCases) func storedHashesThatDisagreeWithTheEntriesAreRefused(_ kind: StoreKind) throws
    {
        try check(kind, DisagreeingHashes())
    }
}
