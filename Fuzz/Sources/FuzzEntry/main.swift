// Ledger leaves: `Entry(leaf:)` (fast scanner, then the full canonical parser), the
// `LeafScanner` used by replays, and the consensus rules' leaf readers. Properties:
//  - an accepted leaf is exactly its entry's canonical bytes;
//  - the fast path and the full parser agree on every leaf the fast path accepts;
//  - `LeafScanner` accepts only leaves that `Entry(leaf:)` accepts, with the same header.
@testable import Consensus
import FuzzDriver
@testable import LedgerCore

nonisolated(unsafe) var scanner = LeafScanner()
nonisolated(unsafe) var signers = SignerCache()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let raw = UnsafeRawBufferPointer(start: data, count: size)
    let entry = try? Entry(leaf: raw)
    if let e = entry {
        precondition(e.canonicalBytes.elementsEqual(raw), "accepted leaf differs from its canonical bytes")
        _ = e.leafHash
        _ = NegotiationRules.prepare(e)
    }
    if let fast = Entry.scan(raw, signers: &signers) {
        let full = try? Entry(parsing: raw)
        precondition(full == fast, "the fast path accepts a leaf the full parser reads differently")
    }
    for kind in ["position", "note", "proposal", "genesis"] {
        let header = scanner.read(raw, kind: kind) { h, body in
            _ = body.value("stance")
            _ = try? body.string("proposal")
            return h
        }
        if let h = header {
            guard let e = entry else { preconditionFailure("LeafScanner accepts a leaf that Entry(leaf:) refuses") }
            precondition(h.index == e.index && h.time == e.time && h.signer == e.statement.signer)
            precondition(e.statement.kind == kind)
        }
    }
    if let r = NegotiationRules.readPosition(raw, scanner: &scanner) {
        _ = r
        precondition(entry != nil, "readPosition accepts a leaf that Entry(leaf:) refuses")
    }
    return 0
}

@_cdecl("FuzzEntry_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzz_driver_main(argc, argv, fuzz)
}
