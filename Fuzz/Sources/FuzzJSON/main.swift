// Canonical JSON: the strict parser (RFC 8259 with the ledger's limits) and the RFC 8785
// canonical-only mode. Properties checked on every input:
//  - a value that parses re-encodes to canonical bytes that parse back, canonically, to it;
//  - text accepted as canonical is exactly the canonical encoding of its value.
import FuzzDriver
import LedgerCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let raw = UnsafeRawBufferPointer(start: data, count: size)
    let parsed = try? JSONParser.parse(raw)
    if let v = parsed {
        let c = v.canonicalBytes
        let again = c.withUnsafeBytes { try? JSONParser.parseCanonical($0) }
        precondition(again == v, "the canonical form does not parse back to the same value")
    }
    if let v = try? JSONParser.parseCanonical(raw) {
        precondition(parsed == v, "canonical text that the plain parser reads differently")
        precondition(v.canonicalBytes.elementsEqual(raw), "text accepted as canonical is not its canonical form")
    }
    // Small limits reach the limit checks with short inputs.
    let tight = JSONLimits(maxDepth: 3, maxStringBytes: 8, maxContainerCount: 4, maxInputBytes: 4096)
    if let v = try? JSONParser.parse(raw, limits: tight) { precondition(parsed == v) }
    return 0
}

@_cdecl("FuzzJSON_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzz_driver_main(argc, argv, fuzz)
}
