import Foundation
import LedgerCore
import LedgerCrypto
import Testing

/// The signed-note and cosignature rules of specs/ledger-format.md §8, at the library level.
@Suite struct NoteAttackTests {
    let log: NoteSignerKey
    let checkpoint: SignedNote

    init() throws {
        log = try NoteSignerKey.generate(name: "attack.example/log")
        var n = try SignedNote(text: Checkpoint(origin: log.name, size: 3, root: MerkleHash.emptyRoot).text)
        n.sign(with: log)
        checkpoint = n
    }

    /// `note` with one more signature line, raw.
    func appending(_ note: SignedNote, name: String, keyID: UInt32, payload: [UInt8]) throws -> SignedNote {
        let id = [UInt8(keyID >> 24 & 0xff), UInt8(keyID >> 16 & 0xff), UInt8(keyID >> 8 & 0xff), UInt8(keyID & 0xff)]
        return try SignedNote(parsing: note.serialized + "\u{2014} \(name) \(Base64.encode(id + payload))\n")
    }

    @Test func aSecondBadLineOfAKnownKeyRejectsTheNote() throws {
        let vk = log.verifierKey
        let bad = try appending(checkpoint, name: vk.name, keyID: vk.keyID, payload: [UInt8](repeating: 7, count: 64))
        #expect(!bad.isSigned(by: vk))
        expectThrows(.badSignature) { try bad.verifyAll(by: vk) }
        expectThrows(.badSignature) { try SignedCheckpoint(parsing: bad.serialized, logKey: vk) }
        // A line of an unknown key is ignored.
        let other = try appending(checkpoint, name: "someone", keyID: 1, payload: [UInt8](repeating: 7, count: 64))
        #expect(other.isSigned(by: vk))
    }

    @Test func cosignatureTimestampsAboveTwoTo63MinusOneAreInvalid() throws {
        let w = try NoteSignerKey.generate(name: "w.example")
        var n = checkpoint
        n.cosign(with: w, time: UInt64(1) << 63)
        expectThrows(.badSignature) { try n.verifyAll(by: w.cosignerKey) }
        let cp = try SignedCheckpoint(note: n)
        expectThrows(.badSignature) { try cp.cosignatures(witnesses: [w.cosignerKey], logKey: log.verifierKey, now: 0) }
        var ok = checkpoint
        ok.cosign(with: w, time: UInt64(Int64.max))
        #expect(try ok.verifyAll(by: w.cosignerKey).time == UInt64(Int64.max))
        // A witness refuses to make one.
        expectThrows(.malformed) {
            try Witness(key: w, stateDirectory: nil).cosign(
                checkpoint.serialized, logKey: log.verifierKey, proof: nil, time: UInt64(1) << 63)
        }
    }

    @Test func cosignaturesCountOncePerPublicKeyAndFutureOnesAreFlagged() throws {
        let w = try NoteSignerKey.generate(name: "w.example")
        let alias = try NoteSignerKey(name: "alias.example", signingKey: w.signingKey)
        let b = try NoteSignerKey.generate(name: "b.example")
        var n = checkpoint
        n.cosign(with: w, time: 1000)
        n.cosign(with: alias, time: 1000)
        n.cosign(with: b, time: 1601)
        let cp = try SignedCheckpoint(note: n)
        let all = [w.verifierKey, w.cosignerKey, alias.cosignerKey, b.cosignerKey]
        let set = try cp.cosignatures(witnesses: all, logKey: log.verifierKey, now: 1000)
        #expect(set.counted.map(\.key) == [w.cosignerKey])
        #expect(set.repeated.map(\.key) == [alias.cosignerKey])
        #expect(set.future.map(\.key) == [b.cosignerKey] && set.future[0].line == 4)
        // 600 s ahead is within the tolerance.
        let later = try cp.cosignatures(witnesses: all, logKey: log.verifierKey, now: 1001)
        #expect(later.counted.count == 2 && later.future.isEmpty)
        // The log's own key is never a witness.
        var own = checkpoint
        own.cosign(with: log, time: 1000)
        let ownSet = try SignedCheckpoint(note: own).cosignatures(
            witnesses: [log.cosignerKey], logKey: log.verifierKey, now: 1000)
        #expect(ownSet.counted.isEmpty)
    }

    @Test func aType01WitnessKeyStandsForItsCosignerKey() throws {
        let w = try NoteSignerKey.generate(name: "w.example")
        #expect(w.verifierKey.asCosigner == w.cosignerKey)
        #expect(w.cosignerKey.asCosigner == w.cosignerKey)
        var n = checkpoint
        n.sign(with: w)  // a plain Ed25519 line is not a cosignature
        let set = try SignedCheckpoint(note: n).cosignatures(witnesses: [w.verifierKey], logKey: nil, now: 0)
        #expect(set.counted.isEmpty)
    }

    @Test func witnessStateIsLockedAndNotASymlink() throws {
        let w = try NoteSignerKey.generate(name: "w.example")
        let dir = tempPath("wstate")
        let witness = Witness(key: w, stateDirectory: dir)
        _ = try witness.cosign(checkpoint.serialized, logKey: log.verifierKey, proof: nil, time: 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(files.count == 2 && files.contains("lock"))
        // A state file replaced by a symlink is not followed.
        let state = dir + "/" + files.first { $0 != "lock" }!
        try FileManager.default.removeItem(atPath: state)
        try FileManager.default.createSymbolicLink(atPath: state, withDestinationPath: "/etc/hostname")
        expectThrows(.io) { try witness.cosign(checkpoint.serialized, logKey: log.verifierKey, proof: nil, time: 2) }
    }
}
