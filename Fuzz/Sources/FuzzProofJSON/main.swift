// Proof JSON: `InclusionProof(json:)` and `ConsistencyProof(json:)` over `JSONParser`, then
// the RFC 9162 verifiers with the roots given in the input (`root`, `root1`, `root2`, base64)
// or the zero digest. Properties: a proof survives its JSON form; a proof that verifies
// stops verifying when the leaf hash or the (new) root changes.
import FuzzDriver
import LedgerCore
import LedgerCrypto

func digest(_ v: JSONValue, _ field: String) -> Digest {
    v[field]?.stringValue.flatMap { Digest(base64: $0) } ?? .zero
}

func flipped(_ d: Digest) -> Digest {
    var b = d.bytes
    b[0] ^= 1
    return Digest(bytes: b)!
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let raw = UnsafeRawBufferPointer(start: data, count: size)
    guard let v = try? JSONParser.parse(raw) else { return 0 }
    if let p = try? InclusionProof(json: v) {
        if p.index <= UInt64(JSONValue.maxSafeInteger) && p.treeSize <= UInt64(JSONValue.maxSafeInteger) {
            precondition((try? InclusionProof(json: p.json)) == p, "an inclusion proof does not survive its JSON form")
        }
        let root = digest(v, "root")
        if (try? p.verify(root: root)) != nil {
            let other = InclusionProof(
                index: p.index, treeSize: p.treeSize, leafHash: flipped(p.leafHash), hashes: p.hashes)
            precondition((try? other.verify(root: root)) == nil, "an inclusion proof verifies for two leaf hashes")
            precondition((try? p.verify(root: flipped(root))) == nil, "an inclusion proof verifies for two roots")
        }
    }
    if let p = try? ConsistencyProof(json: v) {
        precondition((try? ConsistencyProof(json: p.json)) == p, "a consistency proof does not survive its JSON form")
        let root1 = digest(v, "root1")
        let root2 = digest(v, "root2")
        if (try? p.verify(root1: root1, root2: root2)) != nil {
            precondition(
                (try? p.verify(root1: root1, root2: flipped(root2))) == nil,
                "a consistency proof verifies for two new roots")
            precondition(
                (try? p.verify(root1: flipped(root1), root2: root2)) == nil,
                "a consistency proof verifies for two old roots")
        }
    }
    return 0
}

@_cdecl("FuzzProofJSON_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzz_driver_main(argc, argv, fuzz)
}
