import Foundation
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Testing

@Suite struct CommitRecordTests {
    func slots(_ dir: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/commit"))) }

    @Test func recordsAlternateBetweenSlotsSoATornWriteLeavesThePreviousOne() throws {
        let fx = try Fixture()  // genesis + key.register: sequences 1 (create), 2, 3
        var bytes = try slots(fx.dir)
        let newest = try CommitRecord.read(fileBytes: bytes, path: "commit")
        #expect(newest.size == 2 && newest.sequence == 3)
        // Both slots hold a valid record: the newest and the one before it.
        for off in [0, 4096] {
            guard case .success(let r) = CommitRecord.decode(bytes[off..<(off + 136)]) else {
                Issue.record("slot at \(off) is not valid")
                continue
            }
            #expect(r.sequence == 2 || r.sequence == 3)
        }
        // Tear the newest slot: the record is the previous one, and the batch it committed
        // (the key.register) is an unacknowledged tail that the next append cuts.
        let slot = Int(newest.sequence % 2) * 4096
        bytes[slot + 50] ^= 0xff
        try Data(bytes).write(to: URL(fileURLWithPath: fx.dir + "/commit"))
        let previous = try CommitRecord.read(fileBytes: bytes, path: "commit")
        #expect(previous.size == 1 && previous.sequence == 2)
        let reopened = try Ledger<CoreRules>(directory: fx.dir, clock: fx.clock.closure)
        #expect(reopened.size == 1)
        let op = fx.op
        let appended = try reopened.append([
            try Statement.make(
                kind: "key.register", body: ["vkey": .string(fx.author.verifierKey.description)], key: op,
                time: fx.clock.now)
        ])
        #expect(appended.first?.index == 1)
        #expect(try fx.audit().isValid)
        // Both slots damaged: no record, and writers refuse.
        var both = try slots(fx.dir)
        both[10] ^= 1
        both[4096 + 10] ^= 1
        try Data(both).write(to: URL(fileURLWithPath: fx.dir + "/commit"))
        expectThrows(.chainBroken) { try Ledger<CoreRules>(directory: fx.dir, clock: fx.clock.closure) }
    }

    @Test func encodingRoundTripsAndRejectsEveryFlippedByte() throws {
        let r = CommitRecord(
            sequence: 7, size: 12, entriesEnd: 4_321, lastLeafHash: MerkleHash.leaf([1]), root: MerkleHash.leaf([2]))
        let e = r.encoded
        #expect(e.count == 136)
        guard case .success(let back) = CommitRecord.decode(e[...]) else {
            Issue.record("does not decode")
            return
        }
        #expect(back == r)
        for i in 0..<136 {
            var bad = e
            bad[i] ^= 0x01
            if case .success = CommitRecord.decode(bad[...]) { Issue.record("flip at byte \(i) not detected") }
        }
    }
}
