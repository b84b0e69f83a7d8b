// tlog-proof bundles (c2sp.org/tlog-proof@v1): `TlogProof(parsing:)`, then the inclusion
// proof it carries checked against the root of its checkpoint. Property: a parsed bundle
// re-serializes to a text that parses to the same bundle.
import FuzzDriver
import LedgerCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let p = try? TlogProof(parsing: text) else { return 0 }
    let again = try? TlogProof(parsing: p.serialized)
    precondition(
        again?.index == p.index && again?.hashes == p.hashes && again?.extra == p.extra
            && again?.checkpoint == p.checkpoint,
        "a parsed tlog-proof does not survive serialization")
    if let cp = try? SignedCheckpoint(note: p.checkpoint) {
        // The leaf is the `extra` bytes (the seeds carry the leaf there, so that they verify);
        // the verifier must not crash whatever the sizes and hashes.
        let leaf = MerkleHash.leaf(p.extra ?? [])
        _ = try? ProofVerifier.verifyInclusion(
            index: p.index, treeSize: cp.checkpoint.size, leafHash: leaf, proof: p.hashes, root: cp.checkpoint.root)
    }
    return 0
}

@_cdecl("FuzzTlogProof_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzz_driver_main(argc, argv, fuzz)
}
