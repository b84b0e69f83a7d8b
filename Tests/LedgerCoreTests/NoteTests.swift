import Foundation
import LedgerCore
import LedgerCrypto
import Testing

@Suite struct NoteTests {
    @Test func keysRoundTripInGoFormat() throws {
        let k = try NoteSignerKey.generate(name: "example.org/log")
        let parsed = try NoteSignerKey(parsing: k.privateKeyText + "\n")
        #expect(parsed.verifierKey == k.verifierKey)
        #expect(try NoteVerifierKey(parsing: k.verifierKey.description) == k.verifierKey)
        let cos = try NoteVerifierKey(parsing: k.cosignerKey.description)
        #expect(cos.type == .cosignatureV1)
        #expect(cos.keyID != k.verifierKey.keyID)
    }

    @Test func refusesBadKeys() throws {
        let k = try NoteSignerKey.generate(name: "alice")
        let vk = k.verifierKey.description
        let parts = vk.split(separator: "+", maxSplits: 2).map(String.init)
        expectThrows(.malformed) { try NoteVerifierKey(parsing: "bob+" + parts[1] + "+" + parts[2]) }  // ID mismatch
        expectThrows(.malformed) { try NoteVerifierKey(parsing: parts[0] + "+" + parts[1]) }
        expectThrows(.malformed) { try NoteVerifierKey(parsing: parts[0] + "+" + parts[1] + "+AAAA") }
        expectThrows(.malformed) {
            try NoteSignerKey(
                parsing: "PRIVATE+KEY+alice+00000000+" + String(k.privateKeyText.split(separator: "+", maxSplits: 4)[4])
            )
        }
        expectThrows(.malformed) { try NoteSignerKey.generate(name: "has space") }
        expectThrows(.malformed) { try NoteSignerKey.generate(name: "a+b") }
    }

    @Test func goGeneratedKeyAndNoteInteroperate() throws {
        // Files written by Go's golang.org/x/mod/sumdb/note (specs/interop/run-go-interop.sh).
        let skey = try NoteSignerKey(parsing: try vectorFile("go-interop/go-test-key.private"))
        let goVkey = try vectorFile("go-interop/go-test-key.vkey").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(skey.verifierKey.description == goVkey)
        let note = try SignedNote(parsing: try vectorFile("go-interop/go-signed-checkpoint.note"))
        #expect(note.isSigned(by: try NoteVerifierKey(parsing: goVkey)))
        // Our signature over the same text with the same key is byte-identical (Ed25519 is deterministic).
        var ours = try SignedNote(text: note.text)
        ours.sign(with: skey)
        #expect(ours.serialized == note.serialized)
        // And Go verified our checkpoints.
        #expect(
            try vectorFile("go-interop/go-verifies-our-checkpoint.txt").hasPrefix(
                "OK verified by vectors.minilateral.example/log"))
    }

    @Test func signedNoteParsingIsStrict() throws {
        let k = try NoteSignerKey.generate(name: "log")
        var n = try SignedNote(text: "log\n1\n" + MerkleHash.emptyRoot.base64 + "\n")
        n.sign(with: k)
        let text = n.serialized
        #expect(try SignedNote(parsing: text) == n)
        expectThrows(.malformed) { try SignedNote(parsing: String(text.dropLast())) }
        expectThrows(.malformed) { try SignedNote(parsing: text.replacingOccurrences(of: "\u{2014} ", with: "- ")) }
        expectThrows(.malformed) { try SignedNote(parsing: "log\n1\n\n") }
        expectThrows(.malformed) { try SignedNote(text: "no newline") }
        // A signature by another key with the same name does not verify.
        let other = try NoteSignerKey.generate(name: "log")
        #expect(!n.isSigned(by: other.verifierKey))
        // A modified text does not verify.
        let tampered = try SignedNote(parsing: text.replacingOccurrences(of: "\n1\n", with: "\n2\n"))
        #expect(!tampered.isSigned(by: k.verifierKey))
    }

    @Test func checkpointTextIsStrict() throws {
        let root = MerkleHash.emptyRoot.base64
        #expect(try Checkpoint(text: "o\n0\n\(root)\n").size == 0)
        #expect(try Checkpoint(text: "o\n5\n\(root)\next one\n").extensions == ["ext one"])
        for bad in [
            "o\n05\n\(root)\n", "o\n-1\n\(root)\n", "o\n5\nAAAA\n", "o\n5\n", "\n5\n\(root)\n", "o\n5\n\(root)",
        ] {
            expectThrows(.checkpointInvalid) { try Checkpoint(text: bad) }
        }
    }

    @Test func cosignatureFollowsTlogCosignatureV1() throws {
        let log = try NoteSignerKey.generate(name: "log.example")
        let w = try NoteSignerKey.generate(name: "witness.example")
        var n = try SignedNote(text: "log.example\n3\n" + MerkleHash.emptyRoot.base64 + "\n")
        n.sign(with: log)
        n.cosign(with: w, time: 1_700_000_000)
        var t: UInt64?
        #expect(n.isSigned(by: w.cosignerKey, time: &t))
        #expect(t == 1_700_000_000)
        // The signed message is "cosignature/v1\ntime <t>\n" + text.
        let sig = n.signatures.last!
        #expect(sig.payload.count == 72)
        let msg = Array("cosignature/v1\ntime 1700000000\n".utf8) + Array(n.text.utf8)
        #expect(w.signingKey.verifyingKey.isValidSignature(Array(sig.payload[8...]), for: msg))
        // A plain Ed25519 (0x01) key of the witness does not accept the cosignature.
        #expect(!n.isSigned(by: w.verifierKey))
    }

    @Test func witnessRefusesSmallerForkedOrUnprovenCheckpoints() throws {
        let fx = try Fixture()
        let logVkey = fx.op.verifierKey
        let w = try NoteSignerKey.generate(name: "w")
        let state = tempPath("witness")
        let witness = Witness(key: w, stateDirectory: state)
        let cp3 = try fx.ledger.signCheckpoint(key: fx.op)
        _ = try witness.cosign(cp3.note.serialized, logKey: logVkey, proof: nil, time: 1)
        _ = try fx.ledger.append([try fx.note("one"), try fx.note("two")])
        let cp5 = try fx.ledger.signCheckpoint(key: fx.op)
        expectThrows(.proofInvalid) { try witness.cosign(cp5.note.serialized, logKey: logVkey, proof: nil, time: 2) }
        let proof = ConsistencyProof(
            size1: 1, size2: 4, hashes: try fx.ledger.store.tree.consistencyProof(oldSize: 1, newSize: 4).map(\.bytes))
        let good = try fx.ledger.store.tree.consistencyProof(
            oldSize: Int64(cp3.checkpoint.size), newSize: Int64(cp5.checkpoint.size))
        expectThrows(.proofInvalid) { try witness.cosign(cp5.note.serialized, logKey: logVkey, proof: proof, time: 2) }
        var bad = good.map(\.bytes)
        bad[0][0] ^= 1
        expectThrows(.fork) {
            try witness.cosign(
                cp5.note.serialized, logKey: logVkey,
                proof: ConsistencyProof(size1: cp3.checkpoint.size, size2: cp5.checkpoint.size, hashes: bad), time: 2)
        }
        let cosigned = try witness.cosign(
            cp5.note.serialized, logKey: logVkey,
            proof: ConsistencyProof(size1: cp3.checkpoint.size, size2: cp5.checkpoint.size, hashes: good.map(\.bytes)),
            time: 2)
        #expect(cosigned.isSigned(by: w.cosignerKey))
        // Going back to the smaller checkpoint is refused.
        expectThrows(.fork) { try witness.cosign(cp3.note.serialized, logKey: logVkey, proof: nil, time: 3) }
        // A checkpoint of the same size with another root, validly signed by the log, is a fork.
        var forked = try SignedNote(
            text: Checkpoint(origin: cp5.checkpoint.origin, size: cp5.checkpoint.size, root: MerkleHash.emptyRoot).text)
        forked.sign(with: fx.op)
        expectThrows(.fork) { try witness.cosign(forked.serialized, logKey: logVkey, proof: nil, time: 4) }
        // A checkpoint not signed by the log is refused before anything else.
        let stranger = try NoteSignerKey.generate(name: fx.op.name)
        var unsigned = try SignedNote(text: cp5.note.text)
        unsigned.sign(with: stranger)
        expectThrows(.badSignature) { try witness.cosign(unsigned.serialized, logKey: logVkey, proof: nil, time: 5) }
    }
}
