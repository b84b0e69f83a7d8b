import Foundation
import LedgerCore
import LedgerCrypto
import Testing

/// `CheckpointProofVerifier` and `ProofDocument` against the spec vectors (specs/vectors/):
/// every case of tlog-proof.json, inclusion.json and consistency.json, with the roots carried
/// by checkpoints signed by the vectors' TEST log key.
@Suite struct CheckpointProofVerifierTests {
    let keys: JSONValue
    let logSigner: NoteSignerKey
    let logKey: NoteVerifierKey

    init() throws {
        keys = try JSONParser.parse(Array(try vectorFile("keys.json").utf8))
        logSigner = try NoteSignerKey(parsing: keys["log"]!["privateKey"]!.stringValue!)
        logKey = try NoteVerifierKey(parsing: keys["log"]!["vkey"]!.stringValue!)
    }

    func cases(_ name: String) throws -> [JSONValue] {
        let limits = JSONLimits(maxStringBytes: 1 << 20, maxContainerCount: 100_000, maxInputBytes: 1 << 24)
        return try JSONParser.parse(Array(try vectorFile(name).utf8), limits: limits).arrayValue!
    }

    /// A checkpoint of `size` and `root`, signed by the vectors' log key.
    func checkpoint(size: UInt64, root: Digest, signer: NoteSignerKey? = nil) throws -> String {
        var note = try SignedNote(text: Checkpoint(origin: logKey.name, size: size, root: root).text)
        note.sign(with: signer ?? logSigner)
        return note.serialized
    }

    func hashes(_ v: JSONValue) -> [[UInt8]] { v.arrayValue!.map { Hex.decode($0.stringValue!)! } }

    /// The error `body` throws, or nil; an error of another type fails the test.
    func failure(_ body: () throws -> Void) -> LedgerError? {
        do {
            try body()
            return nil
        } catch let e as LedgerError {
            return e
        } catch {
            Issue.record("not a LedgerError: \(error)")
            return LedgerError(code: .io, message: "\(error)")
        }
    }

    @Test func tlogProofVectorsGiveTheirOutcomeAndExactError() throws {
        let all = try cases("tlog-proof.json")
        #expect(all.filter { $0["valid"] == false }.count >= 10)
        for c in all {
            let why = c["why"]!.stringValue!
            let verifier = CheckpointProofVerifier(logKey: try NoteVerifierKey(parsing: c["logKey"]!.stringValue!))
            let leaf = Array(c["leaf"]!.stringValue!.utf8)
            var result: CheckpointProofVerifier.Verified?
            let error = failure {
                result = try verifier.verify(ProofDocument(parsing: c["bundle"]!.stringValue!), leaf: leaf)
            }
            if c["valid"] == true {
                #expect(error == nil, "\(why): \(String(describing: error))")
                guard case .inclusion(_, let treeSize)? = result else {
                    Issue.record("\(why): no inclusion result")
                    continue
                }
                #expect(treeSize == 3, "\(why)")
            } else {
                #expect(error?.code.description == c["code"]!.stringValue!, "\(why)")
                #expect(error?.message == c["error"]!.stringValue!, "\(why)")
            }
        }
    }

    @Test func inclusionVectorsAgainstSignedCheckpoints() throws {
        let all = try cases("inclusion.json")
        #expect(all.filter { $0["valid"] == false }.count >= 8)
        let verifier = CheckpointProofVerifier(logKey: logKey)
        for c in all {
            let why = c["why"]?.stringValue ?? "index \(c["index"]!) of \(c["treeSize"]!)"
            let index = UInt64(c["index"]!.integerValue!)
            let size = UInt64(c["treeSize"]!.integerValue!)
            let proof = InclusionProof(
                index: index, treeSize: size, leafHash: digest(hex: c["leafHash"]!.stringValue!),
                hashes: hashes(c["proof"]!))
            let cp = try checkpoint(size: size, root: digest(hex: c["root"]!.stringValue!))
            var result: CheckpointProofVerifier.Verified?
            let error = failure {
                result = try verifier.verify(ProofDocument(parsing: proof.json.canonicalString), checkpoint: cp)
            }
            if c["valid"] == true {
                #expect(
                    error == nil && result == .inclusion(index: index, treeSize: size),
                    "\(why): \(String(describing: error))")
            } else {
                #expect(error?.code == .proofInvalid, "\(why): \(String(describing: error))")
            }
        }
    }

    @Test func consistencyVectorsAgainstSignedCheckpoints() throws {
        let all = try cases("consistency.json")
        #expect(all.filter { $0["valid"] == false }.count >= 8)
        let verifier = CheckpointProofVerifier(logKey: logKey)
        for c in all {
            let size1 = UInt64(c["size1"]!.integerValue!)
            let size2 = UInt64(c["size2"]!.integerValue!)
            let why = c["why"]?.stringValue ?? "\(size1) to \(size2)"
            let proof = ConsistencyProof(size1: size1, size2: size2, hashes: hashes(c["proof"]!))
            let old = try checkpoint(size: size1, root: digest(hex: c["root1"]!.stringValue!))
            let new = try checkpoint(size: size2, root: digest(hex: c["root2"]!.stringValue!))
            var result: CheckpointProofVerifier.Verified?
            let error = failure {
                result = try verifier.verify(
                    ProofDocument(parsing: proof.json.canonicalString), checkpoint: new, oldCheckpoint: old)
            }
            if c["valid"] == true {
                #expect(error == nil && result == .consistency(size1: size1, size2: size2), "\(why)")
            } else {
                #expect(error?.code == .proofInvalid, "\(why): \(String(describing: error))")
            }
        }
    }

    /// The first valid tlog-proof vector and its parts, for the cases below.
    func validBundle() throws -> (bundle: String, leaf: [UInt8], tlog: TlogProof) {
        let c = try #require(try cases("tlog-proof.json").first { $0["valid"] == true })
        let bundle = c["bundle"]!.stringValue!
        return (bundle, Array(c["leaf"]!.stringValue!.utf8), try TlogProof(parsing: bundle))
    }

    @Test func proofOfAnotherSizeThanTheCheckpointIsRefused() throws {
        let (_, leaf, tlog) = try validBundle()
        let verifier = CheckpointProofVerifier(logKey: logKey)
        let cp = try SignedCheckpoint(parsing: tlog.checkpoint.serialized, logKey: logKey).checkpoint
        let inclusion = InclusionProof(
            index: tlog.index, treeSize: cp.size + 1, leafHash: MerkleHash.leaf(leaf), hashes: tlog.hashes)
        let e1 = failure {
            _ = try verifier.verify(.inclusion(inclusion), checkpoint: tlog.checkpoint.serialized)
        }
        #expect(e1?.code == .proofInvalid)
        #expect(e1?.message == "proof is for tree size 4 but the checkpoint has size 3")

        let small = try checkpoint(size: 1, root: MerkleHash.leaf(Array("x".utf8)))
        let consistency = ConsistencyProof(size1: 2, size2: 3, hashes: [])
        let e2 = failure {
            _ = try verifier.verify(
                .consistency(consistency), checkpoint: tlog.checkpoint.serialized, oldCheckpoint: small)
        }
        #expect(e2?.code == .proofInvalid)
        #expect(e2?.message == "proof is from 2 to 3 but the checkpoints have sizes 1 and 3")
    }

    @Test func missingInputsAreNamedInTheError() throws {
        let (bundle, _, tlog) = try validBundle()
        let verifier = CheckpointProofVerifier(logKey: logKey)
        let noLeaf = failure { _ = try verifier.verify(ProofDocument(parsing: bundle)) }
        #expect(noLeaf?.code == .malformed && noLeaf?.input == .leaf)
        #expect(noLeaf?.message == "a tlog-proof needs the leaf it proves")

        let consistency = ConsistencyProof(size1: 1, size2: 3, hashes: [])
        let noCheckpoint = failure { _ = try verifier.verify(.consistency(consistency)) }
        #expect(noCheckpoint?.code == .malformed && noCheckpoint?.input == .checkpoint)
        let noOld = failure {
            _ = try verifier.verify(.consistency(consistency), checkpoint: tlog.checkpoint.serialized)
        }
        #expect(noOld?.code == .malformed && noOld?.input == .oldCheckpoint)
        // No message names a command-line flag.
        for e in [noLeaf, noCheckpoint, noOld] { #expect(e?.message.contains("--") == false) }
    }

    @Test func proofDocumentTellsTheTypesApart() throws {
        let (bundle, _, _) = try validBundle()
        guard case .tlogProof = try ProofDocument(parsing: bundle) else {
            Issue.record("not a tlog-proof")
            return
        }
        let h = MerkleHash.leaf([1])
        let inclusion = InclusionProof(index: 0, treeSize: 1, leafHash: h, hashes: [])
        guard case .inclusion(let p) = try ProofDocument(parsing: " " + inclusion.json.canonicalString + "\n"),
            p == inclusion
        else {
            Issue.record("not the inclusion proof")
            return
        }
        let consistency = ConsistencyProof(size1: 1, size2: 2, hashes: [h.bytes])
        guard case .consistency(let q) = try ProofDocument(parsing: consistency.json.canonicalString), q == consistency
        else {
            Issue.record("not the consistency proof")
            return
        }
        // Neither form: an inclusion proof without its index, JSON of another type, not JSON.
        let noIndex = failure { _ = try ProofDocument(parsing: #"{"leafHash":"\#(h.base64)","hashes":[]}"#) }
        #expect(noIndex?.code == .malformed)
        #expect(noIndex?.message == "inclusion proof needs integer index and treeSize")
        let array = failure { _ = try ProofDocument(parsing: "[1,2]") }
        #expect(array?.code == .malformed)
        #expect(array?.message == "consistency proof needs integer size1 and size2")
        let other = failure { _ = try ProofDocument(parsing: "c2sp.org/tlog-proof@v2\nindex 0\n") }
        #expect(other?.code == .malformed)
        #expect(other?.message == "tlog-proof must start with c2sp.org/tlog-proof@v1")
        let text = failure { _ = try ProofDocument(parsing: "index 0\n") }
        #expect(text?.code == .malformed)
        #expect(text?.message.hasPrefix("invalid JSON") == true, "\(String(describing: text))")
    }

    @Test func tamperedCheckpointsAndLeavesAreRefused() throws {
        let (bundle, leaf, tlog) = try validBundle()
        let verifier = CheckpointProofVerifier(logKey: logKey)
        // The root of the checkpoint changed after signing: the log signature no longer verifies.
        let cp = try SignedCheckpoint(parsing: tlog.checkpoint.serialized, logKey: logKey).checkpoint
        let otherRoot = MerkleHash.leaf(Array("tampered".utf8))
        let tampered = tlog.checkpoint.serialized.replacingOccurrences(of: cp.root.base64, with: otherRoot.base64)
        let e1 = failure {
            _ = try verifier.verify(
                ProofDocument(parsing: bundle.replacingOccurrences(of: cp.root.base64, with: otherRoot.base64)),
                leaf: leaf)
        }
        #expect(e1?.code == .badSignature)
        let inclusion = InclusionProof(
            index: tlog.index, treeSize: cp.size, leafHash: MerkleHash.leaf(leaf), hashes: tlog.hashes)
        #expect(failure { _ = try verifier.verify(.inclusion(inclusion), checkpoint: tampered) }?.code == .badSignature)
        // A checkpoint signed by another key under the log's name.
        let other = try NoteSignerKey(parsing: keys["witnesses"]!.arrayValue![0]["privateKey"]!.stringValue!)
        let forged = try checkpoint(size: cp.size, root: cp.root, signer: other)
        #expect(failure { _ = try verifier.verify(.inclusion(inclusion), checkpoint: forged) } != nil)
        // The untampered checkpoint passes, with the leaf; another leaf is refused by its hash.
        #expect(
            try verifier.verify(.inclusion(inclusion), checkpoint: tlog.checkpoint.serialized, leaf: leaf)
                == .inclusion(index: tlog.index, treeSize: 3))
        let wrongLeaf = failure {
            _ = try verifier.verify(.inclusion(inclusion), checkpoint: tlog.checkpoint.serialized, leaf: leaf + [0x20])
        }
        #expect(wrongLeaf?.code == .proofInvalid)
        #expect(wrongLeaf?.message.hasPrefix("the leaf hashes to ") == true)
        // A tampered proof hash.
        var hashes = tlog.hashes
        hashes[0][0] ^= 1
        let badHash = InclusionProof(
            index: tlog.index, treeSize: cp.size, leafHash: MerkleHash.leaf(leaf), hashes: hashes)
        let e2 = failure { _ = try verifier.verify(.inclusion(badHash), checkpoint: tlog.checkpoint.serialized) }
        #expect(e2?.code == .proofInvalid)
        #expect(e2?.message == "inclusion proof does not lead to the root")
    }

    @Test func sizesOverTheJSONRangeAreMalformed() throws {
        let left = MerkleHash.leaf(Array("left".utf8))
        let leaf = Array("leaf".utf8)
        let size = UInt64(JSONValue.maxSafeInteger) + 2
        let root = MerkleHash.node(left, MerkleHash.leaf(leaf))
        var note = try SignedNote(text: Checkpoint(origin: logKey.name, size: size, root: root).text)
        note.sign(with: logSigner)
        let tlog = TlogProof(index: size - 1, hashes: [left.bytes], checkpoint: note)
        let e = failure {
            _ = try CheckpointProofVerifier(logKey: logKey).verify(ProofDocument(parsing: tlog.serialized), leaf: leaf)
        }
        #expect(e?.code == .malformed)
        #expect(e?.message == "tlog-proof index \(size - 1) is over 2^53 − 1, the largest size a proof may have")
    }

    @Test func requiredCosignaturesAreCounted() throws {
        let (bundle, leaf, _) = try validBundle()
        let witnesses = try keys["witnesses"]!.arrayValue!.map {
            try NoteVerifierKey(parsing: $0["vkey"]!.stringValue!)
        }
        let document = try ProofDocument(parsing: bundle)
        let now = UInt64(keys["cosignatureTime"]!.integerValue!) + 60
        let two = CheckpointProofVerifier(logKey: logKey, witnesses: witnesses, minCosignatures: 2, now: now)
        #expect(try two.verify(document, leaf: leaf) == .inclusion(index: 1, treeSize: 3))
        let three = CheckpointProofVerifier(logKey: logKey, witnesses: witnesses, minCosignatures: 3, now: now)
        let e = failure { _ = try three.verify(document, leaf: leaf) }
        #expect(e?.code == .checkpointInvalid)
        #expect(
            e?.message == "checkpoint (size 3) has 2 valid cosignatures from distinct witness keys given, 3 required")
        // Cosignatures from the future (beyond the tolerance) do not count.
        let early = CheckpointProofVerifier(logKey: logKey, witnesses: witnesses, minCosignatures: 1, now: now - 3600)
        #expect(failure { _ = try early.verify(document, leaf: leaf) }?.code == .checkpointInvalid)
    }
}
