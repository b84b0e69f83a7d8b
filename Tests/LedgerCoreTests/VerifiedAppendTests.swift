import Foundation
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Testing

/// `VerifiedStatement` and `StoreLedger.appendEach(verified:)`: the signature verified once,
/// before the writer, and every other check made on append as before; the signer set read
/// without the writer's lock (`signerRefusal`); the entry that holds a replayed statement.
@Suite struct VerifiedAppendTests {
    func forged(_ s: SignedStatement) -> SignedStatement {
        var sig = s.signature
        sig[7] ^= 0x40
        return SignedStatement(statement: s.statement, signature: sig)
    }

    @Test func aVerifiedStatementCannotBeMadeWithABadSignature() throws {
        let fx = try Fixture()
        let good = try fx.note("good")
        let verified = try VerifiedStatement(verifying: good)
        #expect(verified.signed == good && verified.hash == good.statement.hash)
        #expect(throws: LedgerError.badSignature("")) { try VerifiedStatement(verifying: forged(good)) }
        // Another statement under a valid signature of the first.
        let other = try fx.note("other")
        #expect(throws: LedgerError.badSignature("")) {
            try VerifiedStatement(verifying: SignedStatement(statement: other.statement, signature: good.signature))
        }
    }

    /// Everything but the signature is still checked, with the errors `append` gives at that
    /// position, and the bytes written are those of `appendEach` over the same statements.
    @Test func verifiedAppendsCheckAndWriteExactlyAsAppendEach() throws {
        let fx = try Fixture()
        try fx.withTwin { twin, copy in
            let stranger = try NoteSignerKey.generate(name: "stranger")
            let a = try fx.note("a")
            let batch = [
                a, try fx.note("stranger", by: stranger), a, try fx.note("b"),
                try fx.statement("note", ["text": "skewed"], fx.author, skew: 7200),
                try fx.statement("note", ["text": 5], fx.author), try fx.statement("no.such.kind", ["x": 1], fx.author),
                try fx.statement("key.register", ["vkey": .string(stranger.verifierKey.description)], fx.author),
            ]
            let verified = try fx.ledger.appendEach(verified: batch.map { try VerifiedStatement(verifying: $0) })
            let plain = try twin.appendEach(batch)
            #expect(verified.count == batch.count)
            var accepted = 0
            for k in batch.indices {
                switch (verified[k], plain[k]) {
                case (.success(let x), .success(let y)):
                    #expect(x.index == y.index && x.leafHash == y.leafHash, "statement \(k)")
                    accepted += 1
                case (.failure(let x), .failure(let y)):
                    #expect(x.error.code == y.code && x.error.message == y.message, "statement \(k)")
                default:
                    Issue.record("statement \(k): verified gave \(verified[k]), appendEach gave \(plain[k])")
                }
            }
            #expect(accepted == 2, "a and b; the rest refused")
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: fx.dir + "/entries.jsonl"))
                    == Data(contentsOf: URL(fileURLWithPath: copy + "/entries.jsonl")))
            #expect(try fx.audit().failure == nil)
        }
    }

    /// A replay names the entry that holds the statement: an early entry, one appended by
    /// another open of the ledger, or an earlier copy in the same batch.
    @Test func aReplayNamesTheEntryThatHoldsTheStatement() throws {
        let fx = try Fixture()
        let early = try fx.note("early")
        _ = try fx.ledger.append([early])
        let earlyIndex = fx.ledger.size - 1
        _ = try fx.ledger.append(try (0..<40).map { try fx.note("filler \($0)") })
        // Appended through another open (as `ledger append` in another process would).
        let elsewhere = try fx.note("elsewhere")
        let other = try Ledger<CoreRules>(directory: fx.dir, clock: fx.clock.closure)
        _ = try other.append([elsewhere])
        let elsewhereIndex = other.size - 1
        let fresh = try fx.note("fresh")
        let genesis = try fx.ledger.entry(0).signed
        let results = try fx.ledger.appendEach(
            verified: try [early, fresh, elsewhere, fresh, genesis].map { try VerifiedStatement(verifying: $0) })
        let freshIndex = try #require(try? results[1].get()).index
        #expect(freshIndex == UInt64(elsewhereIndex + 1))
        let expected: [Int: Int64] = [0: earlyIndex, 2: elsewhereIndex, 3: Int64(freshIndex), 4: 0]
        for (k, index) in expected {
            guard case .failure(let refusal) = results[k] else {
                Issue.record("statement \(k) must be refused as a replay")
                continue
            }
            #expect(refusal.error.code == .replay)
            #expect(refusal.existingIndex == index, "statement \(k)")
        }
        // Any other refusal names no entry.
        let stranger = try NoteSignerKey.generate(name: "stranger")
        let refused = try fx.ledger.appendEach(verified: [try VerifiedStatement(verifying: fx.note("s", by: stranger))])
        guard case .failure(let r) = refused[0] else { throw LedgerError.refused("the stranger's note was accepted") }
        #expect(r.error.code == .unauthorized && r.existingIndex == nil)
    }

    /// The signer set read without the writer's lock refuses unknown and revoked keys with the
    /// rules' own error, and follows registrations and revocations as they are appended.
    @Test func signerRefusalIsTheRulesRefusalOfUnknownAndRevokedKeys() throws {
        let fx = try Fixture()
        let newcomer = try NoteSignerKey.generate(name: "newcomer")
        #expect(fx.ledger.signerRefusal(fx.author.verifierKey) == nil)
        #expect(fx.ledger.signerRefusal(fx.op.verifierKey) == nil)
        let unknown = try #require(fx.ledger.signerRefusal(newcomer.verifierKey))
        let onAppend = try fx.ledger.appendEach([try fx.note("hi", by: newcomer)])[0]
        guard case .failure(let appendError) = onAppend else { throw LedgerError.refused("the note was accepted") }
        #expect(unknown.code == .unauthorized && unknown.message == appendError.message)
        _ = try fx.ledger.append([
            try fx.statement("key.register", ["vkey": .string(newcomer.verifierKey.description)], fx.op)
        ])
        #expect(fx.ledger.signerRefusal(newcomer.verifierKey) == nil)
        _ = try fx.ledger.append([
            try fx.statement("key.revoke", ["vkey": .string(newcomer.verifierKey.description)], fx.op)
        ])
        let revoked = try #require(fx.ledger.signerRefusal(newcomer.verifierKey))
        #expect(revoked.code == .unauthorized && revoked.message.contains("revoked"), "\(revoked.message)")
        // A registration by another open of the ledger counts once this one has replayed it.
        let late = try NoteSignerKey.generate(name: "late")
        let other = try Ledger<CoreRules>(directory: fx.dir, clock: fx.clock.closure)
        _ = try other.append([try fx.statement("key.register", ["vkey": .string(late.verifierKey.description)], fx.op)])
        #expect(fx.ledger.signerRefusal(late.verifierKey) != nil, "not replayed yet")
        _ = try fx.ledger.currentState()
        #expect(fx.ledger.signerRefusal(late.verifierKey) == nil)
    }

    /// The rule a refusal names: the statement's kind or one of its fields, as the message
    /// starts; nothing for the core's own checks.
    @Test(
        arguments: [
            (
                "secretariat.register", "secretariat.register.forum: no charter for forum \"G8\"",
                "secretariat.register.forum"
            ),
            ("position", "position.party: signer x is the delegation of FR, not DE", "position.party"),
            ("decision", "decision P1: adopt was already recorded at entry 4", "decision"),
            ("note", "note.text: is required", "note.text"),
            ("note", "signer author+01020304 is not registered", nil),
            ("note", "unknown kind \"note\"", nil),
            ("position", "proposal.amend.proposal: unknown proposal \"P\"", nil),
            ("note", "note: must be signed", "note"),
            ("note", "note.: x", nil),
            ("note", "notes.text: x", nil),
            ("note", "note.te xt: x", nil),
        ] as [(String, String, String?)])
    func theRuleIsNamedByTheRefusalsMessage(kind: String, message: String, rule: String?) {
        #expect(LedgerError.refused(message).rule(ofKind: kind) == rule)
    }
}
