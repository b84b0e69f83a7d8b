import Foundation
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Testing

/// Receipts (specs/api.md §Receipts): their one encoding, their signature, and what
/// ``ReceiptEvidence`` concludes from a ledger's checkpoint and entry.
@Suite struct ReceiptTests {
    @Test func theVectorReceiptParsesUnderTheLogKeyWithTheEntrysFields() throws {
        let text = try vectorFile("receipt.note")
        let signed = try SignedReceipt(parsing: text, logKey: TestVectors.logKey().verifierKey)
        let entry = TestVectors.vectorEntries()[2]
        #expect(signed.receipt.index == 2)
        #expect(signed.receipt.statementHash == entry.signed.statement.hash)
        #expect(signed.receipt.leafHash == entry.leafHash)
        #expect(signed.receipt.includeBy == entry.time.adding(seconds: 60))
        #expect(text.hasPrefix("minilateral-ledger/receipt/v1\norigin vectors.minilateral.example/log\nindex 2\n"))
        #expect(signed.serialized == text)
    }

    @Test func aTamperedOrForeignReceiptIsRefused() throws {
        let text = try vectorFile("receipt.note")
        let key = TestVectors.logKey().verifierKey
        let tampered = text.replacingOccurrences(of: "index 2\n", with: "index 1\n")
        expectThrows(.badSignature) { try SignedReceipt(parsing: tampered, logKey: key) }
        let other = try NoteSignerKey.generate(name: TestVectors.origin)
        expectThrows(.badSignature) { try SignedReceipt(parsing: text, logKey: other.verifierKey) }
        let elsewhere = try NoteSignerKey.generate(name: "elsewhere.example/log")
        expectThrows(.unauthorized) { try SignedReceipt(parsing: text, logKey: elsewhere.verifierKey) }
    }

    @Test(arguments: [
        ("index 2\n", "index 02\n"), ("index 2\n", "index +2\n"), ("index 2\n", "index  2\n"),
        ("origin ", "origin: "), ("minilateral-ledger/receipt/v1\n", "minilateral-ledger/receipt/v2\n"),
        ("Z\ninclude-by", "+00:00\ninclude-by"), ("index 2\n", "index 9007199254740992\n"),
    ])
    func everyValueHasOneSpelling(from: String, to: String) throws {
        let body = try SignedNote(parsing: try vectorFile("receipt.note")).text
        let changed = body.replacingOccurrences(of: from, with: to)
        #expect(changed != body)
        #expect(throws: LedgerError.self) { try Receipt(text: changed) }
    }

    @Test func aReceiptIsNeverACheckpointNorACheckpointAReceipt() throws {
        let receipt = try SignedNote(parsing: try vectorFile("receipt.note")).text
        #expect(throws: LedgerError.self) { try Checkpoint(text: receipt) }
        // Even a log whose origin is the receipt header has a size, not `origin …`, on line 2.
        let checkpoint = Checkpoint(origin: Receipt.header, size: 3, root: MerkleHash.emptyRoot).text
        #expect(throws: LedgerError.self) { try Receipt(text: checkpoint) }
    }

    /// A ledger with a note appended and its receipt, as the server would issue it.
    struct Issued {
        let fx: Fixture
        let receipt: Receipt
        let text: String
        let index: Int64

        init(delay: Int64 = 60) throws {
            fx = try Fixture()
            let a = try fx.ledger.appendEach([try fx.note("promised")])[0].get()
            index = Int64(a.index)
            receipt = Receipt(
                origin: fx.op.name, index: a.index, statementHash: a.entry.signed.statement.hash, leafHash: a.leafHash,
                logTime: a.entry.time, includeBy: a.entry.time.adding(seconds: delay))
            text = try SignedReceipt(signing: receipt, with: fx.op).serialized
        }

        /// The checkpoint of the ledger before the promised entry (one that does not cover it).
        func checkpointBeforeThePromisedEntry() throws -> Checkpoint {
            let old = fx.ledger.store.size
            return Checkpoint(
                origin: fx.op.name, size: UInt64(old - 1), root: try fx.ledger.store.tree.root(treeSize: old - 1))
        }

        func evidence(now: Timestamp? = nil, witnesses: [NoteVerifierKey] = []) throws -> ReceiptEvidence {
            let cp = try fx.ledger.checkpoint()
            let size = Int64(cp.checkpoint.size)
            let entry =
                index < size
                ? (
                    try fx.ledger.store.leaf(index),
                    try fx.ledger.store.tree.inclusionProof(index: index, treeSize: size)
                )
                : nil
            return ReceiptEvidence(
                receipt: text, logKey: fx.op.verifierKey, checkpoint: cp.note.serialized, entry: entry,
                witnesses: witnesses, now: now ?? fx.clock.now)
        }
    }

    @Test func anIncludedStatementIsIncluded() throws {
        let issued = try Issued()
        _ = try issued.fx.ledger.signCheckpoint(key: issued.fx.op)
        let (_, verdict) = try issued.evidence().evaluate()
        #expect(verdict == .included(checkpointSize: UInt64(issued.index) + 1, witnessedBy: nil))
    }

    @Test func aWrongProofProvesNothing() throws {
        let issued = try Issued()
        _ = try issued.fx.ledger.append([try issued.fx.note("later")])
        _ = try issued.fx.ledger.signCheckpoint(key: issued.fx.op)
        var evidence = try issued.evidence()
        evidence.entry!.proof[0] = MerkleHash.emptyRoot
        #expect(throws: LedgerError.proofInvalid("")) { try evidence.evaluate() }
        evidence = try issued.evidence()
        evidence.entry = nil
        #expect(throws: LedgerError.malformed("")) { try evidence.evaluate() }
    }

    @Test func notCoveredIsPendingUntilIncludeByThenBroken() throws {
        let issued = try Issued(delay: 60)
        let old = issued.fx.ledger.store.size
        var note = try SignedNote(text: try issued.checkpointBeforeThePromisedEntry().text)
        note.sign(with: issued.fx.op)
        var evidence = ReceiptEvidence(
            receipt: issued.text, logKey: issued.fx.op.verifierKey, checkpoint: note.serialized, entry: nil,
            now: issued.receipt.includeBy)
        #expect(try evidence.evaluate().verdict == .pending(checkpointSize: UInt64(old - 1)))
        evidence.now = issued.receipt.includeBy.adding(seconds: 1)
        #expect(
            try evidence.evaluate().verdict
                == .broken(.notCovered(checkpointSize: UInt64(old - 1), witnessedAfter: nil)))
        // A witness that cosigned that checkpoint after include-by makes the evidence portable.
        let witness = try NoteSignerKey.generate(name: "witness.example")
        let late = UInt64(issued.receipt.includeBy.secondsSinceEpoch + 30)
        note.cosign(with: witness, time: late)
        evidence.checkpoint = note.serialized
        evidence.witnesses = [witness.verifierKey]
        evidence.now = issued.receipt.includeBy.adding(seconds: 100)
        guard case .broken(.notCovered(_, let seen?)) = try evidence.evaluate().verdict else {
            Issue.record("expected a witnessed breach")
            return
        }
        #expect(seen.time == late)
        // No checkpoint at all is size 0.
        evidence.checkpoint = nil
        #expect(try evidence.evaluate().verdict == .broken(.notCovered(checkpointSize: 0, witnessedAfter: nil)))
    }

    /// Only a valid cosignature by a witness the checker gives, timestamped after include-by and
    /// not too far in the future, makes a breach portable (specs/api.md §Receipts): an early
    /// one, one at include-by, one by a key not given, and one dated beyond the clock's tolerance
    /// leave `witnessedAfter` nil; a bad signature by a given witness rejects the evidence.
    @Test func onlyALateCosignatureByAGivenWitnessMakesABreachPortable() throws {
        let issued = try Issued(delay: 60)
        let old = issued.fx.ledger.store.size
        let cp = try issued.checkpointBeforeThePromisedEntry()
        let trusted = try NoteSignerKey.generate(name: "witness.example")
        let stranger = try NoteSignerKey.generate(name: "stranger.example")
        let includeBy = issued.receipt.includeBy.secondsSinceEpoch
        let now = issued.receipt.includeBy.adding(seconds: 100)
        func verdict(_ cosign: (inout SignedNote) -> Void) throws -> ReceiptVerdict {
            var note = try SignedNote(text: cp.text)
            note.sign(with: issued.fx.op)
            cosign(&note)
            let evidence = ReceiptEvidence(
                receipt: issued.text, logKey: issued.fx.op.verifierKey, checkpoint: note.serialized, entry: nil,
                witnesses: [trusted.verifierKey], now: now)
            return try evidence.evaluate().verdict
        }
        let unwitnessed = ReceiptVerdict.broken(.notCovered(checkpointSize: UInt64(old - 1), witnessedAfter: nil))
        let weak: [(String, UInt64, NoteSignerKey)] = [
            ("early", UInt64(includeBy - 10), trusted), ("at include-by", UInt64(includeBy), trusted),
            ("a key not given", UInt64(includeBy + 30), stranger),
            (
                "beyond the clock's tolerance", UInt64(now.secondsSinceEpoch) + CosignaturePolicy.futureTolerance + 1,
                trusted
            ),
        ]
        for (what, time, key) in weak {
            #expect(try verdict { $0.cosign(with: key, time: time) } == unwitnessed, "\(what)")
        }
        // The late one by the given witness, beside all of the weak ones, is the one named.
        let late = UInt64(includeBy + 30)
        let portable = try verdict { note in
            for (_, time, key) in weak { note.cosign(with: key, time: time) }
            note.cosign(with: trusted, time: late)
        }
        guard case .broken(.notCovered(_, let seen?)) = portable else {
            Issue.record("expected a witnessed breach, got \(portable)")
            return
        }
        #expect(seen.time == late && seen.key.name == "witness.example")
        // A bad signature under the given witness's name and key ID proves nothing either way.
        #expect(throws: LedgerError.self) {
            try verdict { note in
                note.cosign(with: trusted, time: late)
                // The last line's signature bytes flipped; its key ID and timestamp kept.
                var lines = note.serialized.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                let i = lines.count - 2
                let space = lines[i].lastIndex(of: " ")!
                var raw = [UInt8](Data(base64Encoded: String(lines[i][lines[i].index(after: space)...]))!)
                raw[raw.count - 1] ^= 0x01
                lines[i] = lines[i][...space] + Data(raw).base64EncodedString()
                note = try! SignedNote(parsing: lines.joined(separator: "\n"))
            }
        }
    }

    @Test func anotherEntryAtThePromisedIndexIsABrokenPromise() throws {
        // A forged operator: it signs a receipt for one statement and appends another there.
        let fx = try Fixture()
        let promised = try fx.note("promised")
        let index = UInt64(fx.ledger.size)
        let receipt = Receipt(
            origin: fx.op.name, index: index, statementHash: promised.statement.hash,
            leafHash: MerkleHash.leaf(Array("whatever".utf8)), logTime: fx.clock.now,
            includeBy: fx.clock.now.adding(seconds: 60))
        let text = try SignedReceipt(signing: receipt, with: fx.op).serialized
        let other = try fx.ledger.append([try fx.note("something else")])[0]
        let cp = try fx.ledger.signCheckpoint(key: fx.op)
        let size = Int64(cp.checkpoint.size)
        let evidence = ReceiptEvidence(
            receipt: text, logKey: fx.op.verifierKey, checkpoint: cp.note.serialized,
            entry: (
                try fx.ledger.store.leaf(Int64(index)),
                try fx.ledger.store.tree.inclusionProof(index: Int64(index), treeSize: size)
            ),
            now: fx.clock.now)
        #expect(
            try evidence.evaluate().verdict
                == .broken(
                    .otherEntry(
                        checkpointSize: UInt64(size), leafHash: other.leafHash,
                        statementHash: other.entry.signed.statement.hash)))
    }
}
