import Foundation
import LedgerCore
import LedgerCrypto
import Testing

/// `StoreLedger.appendMirrored`: a mirror takes another copy's entries byte for byte, and only
/// after they pass every check and hash to the checkpoint's root.
@Suite struct MirrorAppendTests {
    /// The source's lines after `from`, and its signed checkpoint.
    static func served(_ fx: Fixture, from: Int64) throws -> ([[UInt8]], SignedCheckpoint, String) {
        let store = try FileStore(directory: fx.dir)
        let lines = try store.lines(from..<store.size).map { Array($0) }
        let cp = try fx.ledger.signCheckpoint(key: fx.op)
        return (lines, cp, cp.note.serialized)
    }

    @Test func mirrorTakesTheEntriesByteForByteInTwoSteps() throws {
        let fx = try Fixture()
        defer { try? FileManager.default.removeItem(atPath: fx.dir) }
        _ = try fx.ledger.append([try fx.note("one")])
        let mirror = StoreLedger<CoreRules, MemoryStore>(store: MemoryStore())
        var (lines, cp, text) = try Self.served(fx, from: 0)
        try mirror.appendMirrored(lines, checkpoint: cp, checkpointText: text, logKey: fx.op.verifierKey)
        _ = try fx.ledger.append([try fx.note("two"), try fx.note("three")])
        (lines, cp, text) = try Self.served(fx, from: mirror.size)
        #expect(lines.count == 2)
        try mirror.appendMirrored(lines, checkpoint: cp, checkpointText: text, logKey: fx.op.verifierKey)
        let source = try FileStore(directory: fx.dir)
        #expect(
            try mirror.store.lines(0..<mirror.size).map(Array.init) == source.lines(0..<source.size).map(Array.init))
        #expect(mirror.size == 5)
        #expect(try mirror.store.checkpointText(size: 5) == text)
        let report = StoreAuditor<CoreRules, MemoryStore>(store: mirror.store, options: .init()).run()
        #expect(
            report.isValid && report.entries == 5 && report.checkpointsChecked == 2,
            "\(String(describing: report.failure))")
    }

    @Test func aTamperedLineAWrongRootOrAnotherLogKeyWritesNothing() throws {
        let fx = try Fixture()
        defer { try? FileManager.default.removeItem(atPath: fx.dir) }
        _ = try fx.ledger.append([try fx.note("one")])
        let (lines, cp, text) = try Self.served(fx, from: 0)
        let mirror = StoreLedger<CoreRules, MemoryStore>(store: MemoryStore())

        var tampered = lines
        // The note's text "one" becomes "onf": still canonical JSON, no longer what was signed.
        let line = String(decoding: tampered[2], as: UTF8.self)
        tampered[2] = Array(line.replacingOccurrences(of: "\"one\"", with: "\"onf\"").utf8)
        #expect(tampered[2] != lines[2])
        expectThrows(.badSignature) {
            try mirror.appendMirrored(tampered, checkpoint: cp, checkpointText: text, logKey: fx.op.verifierKey)
        }
        #expect(try mirror.size == 0 && mirror.store.checkpointSizes().isEmpty)

        expectThrows(.fork) {
            try mirror.appendMirrored(
                Array(lines.dropLast()), checkpoint: try Self.checkpoint(size: 2, root: cp.checkpoint.root, fx.op),
                checkpointText: try Self.checkpoint(size: 2, root: cp.checkpoint.root, fx.op).note.serialized,
                logKey: fx.op.verifierKey)
        }
        #expect(mirror.size == 0)

        let other = try NoteSignerKey.generate(name: "test.example/log")
        expectThrows(.badSignature) {
            try mirror.appendMirrored(lines, checkpoint: cp, checkpointText: text, logKey: other.verifierKey)
        }
        #expect(try mirror.size == 0 && mirror.store.checkpointSizes().isEmpty)
    }

    static func checkpoint(size: UInt64, root: Digest, _ key: NoteSignerKey) throws -> SignedCheckpoint {
        var note = try SignedNote(text: Checkpoint(origin: key.name, size: size, root: root).text)
        note.sign(with: key)
        return try SignedCheckpoint(note: note)
    }
}
