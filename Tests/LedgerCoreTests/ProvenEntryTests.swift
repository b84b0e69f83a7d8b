import Foundation
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Testing

/// `ProvenEntry` (the content checks of `proof verify --leaf`) and `authority(asOf:)` (its
/// `--registry`), on real signed entries of a real ledger.
@Suite struct ProvenEntryTests {
    let fx: Fixture

    /// The fixture's ledger: genesis, the author registered at entry 1, a note by the author
    /// at entry 2, the author revoked at entry 3.
    init() throws {
        fx = try Fixture()
        _ = try fx.ledger.append([try fx.note("proven")])
        let revoke = try fx.statement("key.revoke", ["vkey": .string(fx.author.verifierKey.description)], fx.op)
        _ = try fx.ledger.append([revoke])
    }

    var registry: Authority { get throws { try fx.ledger.currentState().authority } }

    /// A leaf of `statement` at `index` (the prev hash is not a content check).
    func leaf(_ statement: SignedStatement, index: UInt64) -> [UInt8] {
        Entry(index: index, prev: .zero, time: fx.clock.now, signed: statement).canonicalBytes
    }

    @Test func aGoodEntryDecodesWithItsSignerAndRegistration() throws {
        let leaf = try fx.ledger.store.leaf(2)
        let p = try ProvenEntry(
            leaf: leaf, index: 2, signerKeys: [fx.op.verifierKey, fx.author.verifierKey],
            registry: try registry)
        #expect(p.entry.index == 2 && p.entry.statement.kind == "note")
        #expect(p.entry.statement.body["text"] == "proven")
        #expect(p.trustedSigner == fx.author.verifierKey)
        let r = try #require(p.registration)
        #expect(r.registeredAt == 1 && r.revokedAt == 3 && r.role == "signer")
        // Without keys or registry, only the signature is checked.
        let bare = try ProvenEntry(leaf: leaf, index: 2)
        #expect(bare.trustedSigner == nil && bare.registration == nil)
        // The genesis entry is the operator's.
        let genesis = try ProvenEntry(leaf: try fx.ledger.store.leaf(0), index: 0, registry: try registry)
        #expect(genesis.registration?.key == fx.op.verifierKey)
    }

    @Test func aBrokenStatementSignatureIsRefused() throws {
        let good = try fx.note("x")
        var sig = good.signature
        sig[0] ^= 1
        let forged = SignedStatement(statement: good.statement, signature: sig)
        expectThrows(.badSignature) { try ProvenEntry(leaf: leaf(forged, index: 2), index: 2) }
        #expect(throws: Never.self) { try ProvenEntry(leaf: leaf(good, index: 2), index: 2) }
    }

    @Test func aLeafOfAnotherIndexOrNotAnEntryIsRefused() throws {
        let l = try fx.ledger.store.leaf(2)
        expectThrows(.chainBroken) { try ProvenEntry(leaf: l, index: 1) }
        expectThrows(.chainBroken) { try ProvenEntry(leaf: Array("{\"x\":1}".utf8), index: 2) }
    }

    @Test func aSignerOtherThanTheKeysGivenIsRefused() throws {
        let l = try fx.ledger.store.leaf(2)
        let other = try NoteSignerKey.generate(name: "author")  // same name, another key
        expectThrows(.badSignature) { try ProvenEntry(leaf: l, index: 2, signerKeys: [other.verifierKey]) }
        expectThrows(.badSignature) { try ProvenEntry(leaf: l, index: 2, signerKeys: [fx.op.verifierKey]) }
    }

    @Test func theSignerMustBeActiveAtTheEntry() throws {
        let reg = try registry
        let byAuthor = try fx.note("x")
        // Registered at 1: it may sign 2 but not 1; revoked at 3: not 3 or later.
        #expect(throws: Never.self) { try ProvenEntry(leaf: leaf(byAuthor, index: 2), index: 2, registry: reg) }
        for i: UInt64 in [1, 3, 7] {
            expectThrows(.unauthorized) { try ProvenEntry(leaf: leaf(byAuthor, index: i), index: i, registry: reg) }
        }
        let stranger = try NoteSignerKey.generate(name: "stranger")
        let byStranger = try fx.note("x", by: stranger)
        expectThrows(.unauthorized) { try ProvenEntry(leaf: leaf(byStranger, index: 2), index: 2, registry: reg) }
        // Entry 0 must be the operator's.
        expectThrows(.unauthorized) { try ProvenEntry(leaf: leaf(byAuthor, index: 0), index: 0, registry: reg) }
    }

    @Test func theRegistryMustHashToTheCheckpoint() throws {
        let cp = try fx.ledger.signCheckpoint(key: fx.op).checkpoint
        #expect(try fx.ledger.authority(asOf: cp).record(for: fx.author.verifierKey)?.revokedAt == 3)
        // As of a checkpoint of 3 entries, the revocation at entry 3 is not seen.
        let three = Checkpoint(origin: cp.origin, size: 3, root: try fx.ledger.store.tree.root(treeSize: 3))
        #expect(try fx.ledger.authority(asOf: three).record(for: fx.author.verifierKey)?.revokedAt == nil)
        let otherRoot = Checkpoint(origin: cp.origin, size: cp.size, root: MerkleHash.leaf([1]))
        expectThrows(.chainBroken) { try fx.ledger.authority(asOf: otherRoot) }
        let larger = Checkpoint(origin: cp.origin, size: cp.size + 1, root: cp.root)
        expectThrows(.chainBroken) { try fx.ledger.authority(asOf: larger) }
    }
}
