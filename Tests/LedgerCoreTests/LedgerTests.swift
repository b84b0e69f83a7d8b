import Foundation
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Testing

@Suite struct LedgerTests {
    @Test func appendsChainsAndAudits() throws {
        let fx = try Fixture()
        let r = try fx.ledger.append([try fx.note("first"), try fx.note("second")])
        #expect(r.map(\.index) == [2, 3])
        #expect(fx.ledger.size == 4)
        let e3 = try fx.ledger.entry(3)
        #expect(e3.prev == r[0].leafHash)
        #expect(try fx.ledger.entry(0).prev == .zero)
        // The leaf hash is SHA-256(0x00 || the entry's exact line).
        let line = try fx.ledger.store.leaf(3)
        #expect(MerkleHash.leaf(line) == r[1].leafHash)
        #expect(e3.canonicalBytes == line)
        let report = try fx.audit()
        #expect(report.isValid, "\(String(describing: report.failure))")
        #expect(report.entries == 4)
        #expect(report.verifiedSignatures == 4)
    }

    func expectRefusedUnchanged(_ fx: Fixture, _ code: LedgerError.Code, _ statements: [SignedStatement]) throws {
        let before = try fx.snapshot()
        switch Result(catching: { () throws(LedgerError) in try fx.ledger.append(statements) }) {
        case .success: Issue.record("expected a refusal with \(code)")
        case .failure(let e):
            #expect(e.code == code, "\(e.message)")
            #expect(!e.message.contains("\n"))
        }
        #expect(try fx.snapshot() == before)
    }

    @Test func refusesBadSignature() throws {
        let fx = try Fixture()
        let s = try fx.note("hi")
        var sig = s.signature
        sig[5] ^= 0x10
        try expectRefusedUnchanged(fx, .badSignature, [SignedStatement(statement: s.statement, signature: sig)])
    }

    @Test func refusesUnregisteredAndRevokedKeys() throws {
        let fx = try Fixture()
        let stranger = try NoteSignerKey.generate(name: "stranger")
        try expectRefusedUnchanged(fx, .unauthorized, [try fx.note("x", by: stranger)])
        _ = try fx.ledger.append([
            try fx.statement("key.revoke", ["vkey": .string(fx.author.verifierKey.description)], fx.op)
        ])
        try expectRefusedUnchanged(fx, .unauthorized, [try fx.note("after revocation")])
        // A revoked key cannot be registered again, and only the operator manages keys.
        try expectRefusedUnchanged(
            fx, .refused,
            [try fx.statement("key.register", ["vkey": .string(fx.author.verifierKey.description)], fx.op)])
        let other = try NoteSignerKey.generate(name: "other")
        _ = try fx.ledger.append([
            try fx.statement("key.register", ["vkey": .string(other.verifierKey.description)], fx.op)
        ])
        try expectRefusedUnchanged(
            fx, .unauthorized,
            [try fx.statement("key.register", ["vkey": .string(stranger.verifierKey.description)], other)])
        try expectRefusedUnchanged(
            fx, .refused, [try fx.statement("key.revoke", ["vkey": .string(fx.op.verifierKey.description)], fx.op)])
        #expect(try fx.audit().isValid)
    }

    @Test func refusesReplayTimeSkewUnknownKindAndBadBodies() throws {
        let fx = try Fixture()
        let s = try fx.note("once")
        _ = try fx.ledger.append([s])
        try expectRefusedUnchanged(fx, .replay, [s])
        try expectRefusedUnchanged(
            fx, .replay,
            [try fx.note("twice"), try fx.note("twice")].prefix(1).map { $0 }
                + [try fx.note("dup")].flatMap { [$0, $0] })
        try expectRefusedUnchanged(fx, .timeSkew, [try fx.statement("note", ["text": "late"], fx.author, skew: -601)])
        try expectRefusedUnchanged(fx, .timeSkew, [try fx.statement("note", ["text": "early"], fx.author, skew: 601)])
        _ = try fx.ledger.append([try fx.statement("note", ["text": "edge"], fx.author, skew: 600)])
        try expectRefusedUnchanged(fx, .unknownKind, [try fx.statement("made.up", ["x": 1], fx.author)])
        try expectRefusedUnchanged(fx, .invalidBody, [try fx.statement("note", ["text": 5], fx.author)])
        try expectRefusedUnchanged(fx, .invalidBody, [try fx.statement("note", ["text": "a", "extra": 1], fx.author)])
        try expectRefusedUnchanged(
            fx, .refused, [try fx.statement("genesis", ["origin": "x", "operator": "y"], fx.op)])
    }

    @Test func refusesOversizeBodies() throws {
        let fx = try Fixture()
        let big = JSONValue.object([
            "text": .string(String(repeating: "x", count: 16_000)), "a": .string(String(repeating: "y", count: 16_000)),
            "b": .string(String(repeating: "z", count: 16_000)), "c": .string(String(repeating: "w", count: 16_000)),
        ])
        expectThrows(.tooLarge) { try fx.statement("note", big, fx.author) }
    }

    @Test func batchIsAllOrNothingAndNamesEveryBadLine() throws {
        let fx = try Fixture()
        let stranger = try NoteSignerKey.generate(name: "stranger")
        let batch = [
            try fx.note("ok 1"), try fx.note("bad", by: stranger), try fx.note("ok 2"),
            try fx.statement("note", ["text": 1], fx.author),
        ]
        let before = try fx.snapshot()
        switch Result(catching: { () throws(LedgerError) in try fx.ledger.append(batch) }) {
        case .success: Issue.record("batch should be refused")
        case .failure(let e):
            #expect(e.details.count == 2)
            #expect(e.details[0].hasPrefix("line 2:"))
            #expect(e.details[1].hasPrefix("line 4:"))
        }
        #expect(try fx.snapshot() == before)
        _ = try fx.ledger.append([batch[0], batch[2]])
        #expect(fx.ledger.size == 4)
    }

    @Test func integrationTimeNeverDecreases() throws {
        let fx = try Fixture()
        fx.clock.advance(100)
        _ = try fx.ledger.append([try fx.note("later")])
        fx.clock.advance(-50)
        _ = try fx.ledger.append([try fx.note("clock went back")])
        #expect(try fx.ledger.entry(3).time == fx.ledger.entry(2).time)
        #expect(try fx.audit().isValid)
    }

    @Test func byteFlipsAreDetectedAtTheRightEntry() throws {
        let fx = try Fixture()
        for i in 0..<20 { _ = try fx.ledger.append([try fx.note("entry number \(i) about 3B001.f")]) }
        let path = fx.dir + "/entries.jsonl"
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let store = try FileStore(directory: fx.dir)
        var positions = Array(stride(from: 0, to: original.count - 1, by: 97))
        positions.append(original.count - 2)
        for pos in positions {
            var data = original
            // Flip to another printable byte so that we also exercise the non-parse failures.
            data[pos] = data[pos] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            if data[pos] == original[pos] { continue }
            try data.write(to: URL(fileURLWithPath: path))
            let report = try fx.audit()
            var expected: Int64 = 0
            while store.endOffset(expected) <= Int64(pos) { expected += 1 }
            #expect(!report.isValid, "flip at \(pos) not detected")
            #expect(
                report.failedEntry == expected,
                """
                flip at byte \(pos): blamed \(String(describing: report.failedEntry)), expected \(expected): \
                \(String(describing: report.failure?.message))
                """
            )
        }
        try original.write(to: URL(fileURLWithPath: path))
        #expect(try fx.audit().isValid)
    }

    @Test func tamperedTreeHashesAndIndexAreDetected() throws {
        let fx = try Fixture()
        for i in 0..<5 { _ = try fx.ledger.append([try fx.note("n\(i)")]) }
        for file in ["tree.hashes", "entries.idx"] {
            let path = fx.dir + "/" + file
            let original = try Data(contentsOf: URL(fileURLWithPath: path))
            var data = original
            data[data.count - 3] ^= 0xff
            try data.write(to: URL(fileURLWithPath: path))
            #expect(!(try fx.audit().isValid), "\(file)")
            try original.write(to: URL(fileURLWithPath: path))
        }
        #expect(try fx.audit().isValid)
    }

    @Test func tornTailIsRepairedWithoutLosingAcknowledgedEntries() throws {
        let fx = try Fixture()
        _ = try fx.ledger.append([try fx.note("acknowledged")])
        let acknowledged = try Data(contentsOf: URL(fileURLWithPath: fx.dir + "/entries.jsonl"))
        // A crash mid-append: half a line, a dangling hash and half an index record.
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: fx.dir + "/entries.jsonl"))
        h.seekToEndOfFile()
        h.write(Data("{\"index\":3,\"prev\":\"AAAA".utf8))
        try h.close()
        for (file, n) in [("tree.hashes", 32), ("entries.idx", 17)] {
            let fh = try FileHandle(forWritingTo: URL(fileURLWithPath: fx.dir + "/" + file))
            fh.seekToEndOfFile()
            fh.write(Data(repeating: 7, count: n))
            try fh.close()
        }
        // Readers see the committed prefix; the next writer repairs, then appends.
        let reopened = try Ledger<CoreRules>(directory: fx.dir, clock: fx.clock.closure)
        #expect(reopened.size == 3)
        _ = try reopened.append([try fx.note("after the crash")])
        let data = try Data(contentsOf: URL(fileURLWithPath: fx.dir + "/entries.jsonl"))
        #expect(data.prefix(acknowledged.count) == acknowledged)
        #expect(try reopened.entry(3).statement.body["text"] == "after the crash")
        #expect(try fx.audit().isValid)
    }

    @Test func truncatedEntriesFileIsReported() throws {
        let fx = try Fixture()
        _ = try fx.ledger.append([try fx.note("will be cut")])
        let path = fx.dir + "/entries.jsonl"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count - 10).write(to: URL(fileURLWithPath: path))
        // Opening refuses: acknowledged entries are missing.
        expectThrows(.chainBroken) { try Ledger<CoreRules>(directory: fx.dir, clock: fx.clock.closure) }
        #expect(!(try fx.audit().isValid))
    }

    @Test func checkpointsAreStoredVerifiedAndForksRefused() throws {
        let fx = try Fixture()
        let cp1 = try fx.ledger.signCheckpoint(key: fx.op)
        #expect(cp1.checkpoint.size == 2)
        #expect(cp1.note.isSigned(by: fx.op.verifierKey))
        expectThrows(.unauthorized) { try fx.ledger.signCheckpoint(key: fx.author) }
        _ = try fx.ledger.append([try fx.note("more")])
        let cp2 = try fx.ledger.signCheckpoint(key: fx.op)
        #expect(cp2.checkpoint.root == (try fx.ledger.store.tree.root(treeSize: 3)))
        // Witness cosignatures attach; k-of-n is enforced by the audit.
        let w1 = try NoteSignerKey.generate(name: "w1")
        let w2 = try NoteSignerKey.generate(name: "w2")
        var n = cp2.note
        n.cosign(with: w1, time: UInt64(fx.clock.now.secondsSinceEpoch) + 10)
        try fx.ledger.attach(n.serialized, witnesses: [w1.cosignerKey])
        var opts = Auditor<CoreRules>.Options()
        opts.logKey = fx.op.verifierKey
        opts.witnesses = [w1.cosignerKey, w2.cosignerKey]
        opts.minCosignatures = 1
        #expect(try fx.audit(opts).isValid)
        opts.minCosignatures = 2
        #expect(!(try fx.audit(opts).isValid))
        var n2 = cp2.note
        n2.cosign(with: w2, time: UInt64(fx.clock.now.secondsSinceEpoch) + 11)
        try fx.ledger.attach(n2.serialized, witnesses: [w2.verifierKey])
        #expect(try fx.audit(opts).isValid)
        // A log-signed checkpoint that disagrees with the tree is fork evidence: refused and kept.
        var forged = try SignedNote(text: Checkpoint(origin: fx.op.name, size: 3, root: MerkleHash.emptyRoot).text)
        forged.sign(with: fx.op)
        expectThrows(.fork) { try fx.ledger.attach(forged.serialized) }
        #expect(FileManager.default.fileExists(atPath: fx.dir + "/checkpoints/conflicts"))
        // A stored checkpoint that was swapped on disk is caught by verify and by the next signing.
        try forged.serialized.write(
            toFile: fx.dir + "/checkpoints/00000000000000000003.note", atomically: true, encoding: .utf8)
        #expect(try fx.audit(opts).failure?.code == .fork)
        expectThrows(.fork) { try fx.ledger.signCheckpoint(key: fx.op) }
        // The wrong log key fails verification.
        var wrong = Auditor<CoreRules>.Options()
        wrong.logKey = try NoteSignerKey.generate(name: fx.op.name).verifierKey
        try cp2.note.serialized.write(
            toFile: fx.dir + "/checkpoints/00000000000000000003.note", atomically: true, encoding: .utf8)
        #expect(try fx.audit(wrong).failure?.code == .unauthorized)  // the genesis entry names another operator key
    }

    @Test func incrementalAuditFromTrustedCheckpoint() throws {
        let fx = try Fixture()
        for i in 0..<10 { _ = try fx.ledger.append([try fx.note("n\(i)")]) }
        let cp = try fx.ledger.signCheckpoint(key: fx.op)
        for i in 0..<5 { _ = try fx.ledger.append([try fx.note("m\(i)")]) }
        var opts = Auditor<CoreRules>.Options()
        opts.logKey = fx.op.verifierKey
        opts.since = cp
        let r = try fx.audit(opts)
        #expect(r.isValid, "\(String(describing: r.failure))")
        #expect(r.incrementalFrom == 12)
        // A trusted checkpoint from another history is a fork.
        var other = try SignedNote(text: Checkpoint(origin: fx.op.name, size: 12, root: MerkleHash.leaf([1])).text)
        other.sign(with: fx.op)
        opts.since = try SignedCheckpoint(note: other)
        #expect(try fx.audit(opts).failure?.code == .fork)
    }

    @Test func aSizeZeroCheckpointIsCheckedAgainstTheEmptyRoot() throws {
        let fx = try Fixture()
        var zero = try SignedNote(text: Checkpoint(origin: fx.op.name, size: 0, root: MerkleHash.emptyRoot).text)
        zero.sign(with: fx.op)
        try zero.serialized.write(
            toFile: fx.dir + "/checkpoints/00000000000000000000.note", atomically: true, encoding: .utf8)
        var opts = Auditor<CoreRules>.Options()
        opts.logKey = fx.op.verifierKey
        let r = try fx.audit(opts)
        #expect(r.isValid, "\(String(describing: r.failure?.message))")
        #expect(r.checkpointsChecked == 1)
        // A size-0 checkpoint with another root is a fork, not "beyond the log".
        var bad = try SignedNote(text: Checkpoint(origin: fx.op.name, size: 0, root: MerkleHash.leaf([1])).text)
        bad.sign(with: fx.op)
        try bad.serialized.write(
            toFile: fx.dir + "/checkpoints/00000000000000000000.note", atomically: true, encoding: .utf8)
        let f = try fx.audit(opts).failure
        #expect(f?.code == .fork && f?.message.contains("checkpoint 0") == true, "\(String(describing: f?.message))")
        // Signing trusts none of it either: a fork in the stored checkpoints refuses.
        expectThrows(.fork) { try fx.ledger.signCheckpoint(key: fx.op) }
    }

    @Test func anEmptyLedgersCheckpointNeedsALogKey() throws {
        let dir = tempPath()
        try FileStore.create(at: dir)
        let someone = try NoteSignerKey.generate(name: "test.example/log")
        var note = try SignedNote(text: Checkpoint(origin: someone.name, size: 0, root: MerkleHash.emptyRoot).text)
        note.sign(with: someone)
        try note.serialized.write(
            toFile: dir + "/checkpoints/00000000000000000000.note", atomically: true, encoding: .utf8)
        let audit = { (key: NoteVerifierKey?) throws -> Auditor<CoreRules>.Report in
            var o = Auditor<CoreRules>.Options()
            o.logKey = key
            return Auditor<CoreRules>(store: try FileStore(directory: dir, checkingCaches: false), options: o).run()
        }
        // Without a key there is nothing to check the signature against: not "1 checked".
        let bare = try audit(nil)
        #expect(bare.failure?.code == .checkpointInvalid, "\(String(describing: bare.failure?.message))")
        #expect(try audit(someone.verifierKey).isValid)
        let other = try NoteSignerKey.generate(name: "test.example/log")
        #expect(try audit(other.verifierKey).failure?.code == .badSignature)
    }

    @Test func aReplayAfterAFailedReplayStartsOver() throws {
        // A damaged cache refuses every read; once repaired, the same open ledger works again.
        let fx = try Fixture()
        for i in 0..<3 { _ = try fx.ledger.append([try fx.note("n\(i)")]) }
        let path = fx.dir + "/entries.idx"
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var data = original
        data[40 + 8] ^= 1
        try data.write(to: URL(fileURLWithPath: path))
        let l = try Ledger<CoreRules>(directory: fx.dir, clock: fx.clock.closure)
        expectThrows(.chainBroken) { try l.currentState() }
        expectThrows(.chainBroken) { try l.append([try fx.note("refused")]) }
        try original.write(to: URL(fileURLWithPath: path))
        #expect(try l.append([try fx.note("accepted")]).first?.index == 5)
        #expect(try fx.audit().isValid)
    }

    @Test func keyFilesAreMode0600AndNeverOverwritten() throws {
        let path = tempPath("key")
        let k = try NoteSignerKey.generate(name: "k")
        try LedgerFiles.writePrivateKey(k, to: path)
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attrs[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        expectThrows(.refused) { try LedgerFiles.writePrivateKey(k, to: path) }
        #expect(try LedgerFiles.readPrivateKey(path).verifierKey == k.verifierKey)
    }
}

@Suite struct EntryEncodingTests {
    @Test func splicedEncodingEqualsFullCanonicalEncoding() throws {
        let k = try NoteSignerKey.generate(name: "k")
        for text in ["a", "quote \" and \\ and \n", "é😀", String(repeating: "x", count: 1000)] {
            let s = try Statement.make(
                kind: "note", body: ["text": .string(text), "n": 5], key: k,
                time: Timestamp(rfc3339: "2026-01-02T03:04:05Z")!)
            let e = Entry(
                index: 12345, prev: MerkleHash.leaf([1]), time: Timestamp(rfc3339: "2026-01-02T03:04:06Z")!, signed: s)
            let full = e.canonicalBytes
            #expect(e.canonicalBytes(statementBytes: s.statement.signingMessage[Statement.domain.count...]) == full)
            #expect(Array(Entry.statementBytes(inCanonicalLeaf: full[...])!) == s.statement.json.canonicalBytes)
        }
    }
}
