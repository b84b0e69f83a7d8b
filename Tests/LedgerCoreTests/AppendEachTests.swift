import Foundation
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Testing

/// `StoreLedger.appendEach`: the accepted statements of a batch in one commit, a refusal for
/// each of the others.
@Suite struct AppendEachTests {
    /// The statement with its signature's first byte flipped.
    func forged(_ s: SignedStatement) -> SignedStatement {
        var sig = s.signature
        sig[0] ^= 1
        return SignedStatement(statement: s.statement, signature: sig)
    }

    func commitSequence(_ dir: String) throws -> UInt64 { try FileStore(directory: dir).readCommitRecord().sequence }

    @Test func aMixedBatchAppendsTheAcceptedInOneCommitAndRefusesTheRest() throws {
        let fx = try Fixture()
        let stranger = try NoteSignerKey.generate(name: "stranger")
        let before = fx.ledger.size
        let sequence = try commitSequence(fx.dir)
        let good = try (0..<3).map { try fx.note("good \($0)") }
        let batch = [
            good[0], forged(try fx.note("forged")), good[1], try fx.note("stranger", by: stranger),
            try fx.statement("no.such.kind", ["x": 1], fx.author), good[2],
        ]
        let results = try fx.ledger.appendEach(batch)
        #expect(results.count == batch.count)
        let indexes = results.compactMap { try? $0.get().index }
        #expect(indexes == [UInt64(before), UInt64(before) + 1, UInt64(before) + 2])
        let codes = results.compactMap { r -> LedgerError.Code? in
            if case .failure(let e) = r { return e.code }
            return nil
        }
        #expect(codes == [.badSignature, .unauthorized, .unknownKind])
        #expect(try commitSequence(fx.dir) == sequence + 1, "one commit for the batch")
        // Reopened: exactly the accepted statements, in order, and the audit passes.
        let reopened = try Ledger<CoreRules>(directory: fx.dir)
        #expect(reopened.size == before + 3)
        for (k, s) in good.enumerated() {
            #expect(try reopened.entry(before + Int64(k)).signed == s)
        }
        #expect(try fx.audit().failure == nil)
    }

    @Test func aStatementRepeatedInTheBatchIsAReplayOfItsFirstCopy() throws {
        let fx = try Fixture()
        let a = try fx.note("a")
        let b = try fx.note("b")
        _ = try fx.ledger.append([b])
        let before = fx.ledger.size
        let results = try fx.ledger.appendEach([a, a, b, a])
        #expect((try? results[0].get().index) == UInt64(before))
        for k in [1, 2, 3] {
            guard case .failure(let e) = results[k] else {
                Issue.record("statement \(k) should be refused")
                continue
            }
            #expect(e.code == .replay, "\(e.message)")
        }
        #expect(try Ledger<CoreRules>(directory: fx.dir).size == before + 1)
    }

    @Test func earlierAcceptedStatementsCountAndRefusedOnesDoNot() throws {
        let fx = try Fixture()
        let newcomer = try NoteSignerKey.generate(name: "newcomer")
        let late = try NoteSignerKey.generate(name: "late")
        let register = { (k: NoteSignerKey) in
            try fx.statement("key.register", ["vkey": .string(k.verifierKey.description)], fx.op)
        }
        // The newcomer's registration is accepted, so its note is; the late key's registration
        // is forged, so its note is refused as by an unregistered key.
        let batch = [
            try register(newcomer), try fx.note("hello", by: newcomer), forged(try register(late)),
            try fx.note("hi", by: late),
        ]
        let results = try fx.ledger.appendEach(batch)
        #expect((try? results[0].get()) != nil && (try? results[1].get()) != nil)
        guard case .failure(let e2) = results[2], case .failure(let e3) = results[3] else {
            Issue.record("the forged registration and the late key's note must be refused")
            return
        }
        #expect(e2.code == .badSignature)
        #expect(e3.code == .unauthorized)
    }

    /// Each refusal is the error `append` gives for that statement alone at its position.
    @Test func refusalsAreExactlyWhatAppendGivesAtThatPosition() throws {
        let fx = try Fixture()
        try fx.withTwin { twin, copy in
            let stranger = try NoteSignerKey.generate(name: "stranger")
            let a = try fx.note("a")
            let batch = [
                a, try fx.note("stranger", by: stranger), a, forged(try fx.note("f")), try fx.note("b"),
                try fx.statement("note", ["text": "skewed"], fx.author, skew: 7200),
                try fx.statement("note", ["text": 5], fx.author),
            ]
            let results = try fx.ledger.appendEach(batch)
            for (k, s) in batch.enumerated() {
                let alone = Result { () throws(LedgerError) in try twin.append([s])[0] }
                switch (results[k], alone) {
                case (.success(let x), .success(let y)):
                    #expect(x.index == y.index && x.leafHash == y.leafHash, "statement \(k)")
                case (.failure(let x), .failure(let y)):
                    #expect(x.code == y.code && x.message == y.message, "statement \(k): \(x.message) vs \(y.message)")
                default:
                    Issue.record("statement \(k): appendEach gave \(results[k]), append gave \(alone)")
                }
            }
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: fx.dir + "/entries.jsonl"))
                    == Data(contentsOf: URL(fileURLWithPath: copy + "/entries.jsonl")))
        }
    }

    @Test func aBatchWithNothingAcceptedWritesNothing() throws {
        let fx = try Fixture()
        let a = try fx.note("a")
        _ = try fx.ledger.append([a])
        let files = try fx.snapshot()
        let results = try fx.ledger.appendEach([a, forged(try fx.note("b"))])
        #expect(results.allSatisfy { (try? $0.get()) == nil })
        #expect(try fx.snapshot() == files, "no byte of any file changed, the commit record included")
        #expect(try fx.ledger.appendEach([]).isEmpty)
        #expect(try fx.snapshot() == files)
    }
}
