// JSON proposals: `JSONParser.parse` with the ledger's limits, as the CLI's `parseUserJSON`
// calls it, then the consensus body readers (FuzzCommon).
import FuzzCommon
import FuzzDriver
import LedgerCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let raw = UnsafeRawBufferPointer(start: data, count: size)
    guard let v = try? JSONParser.parse(raw), let o = ProposalDocument.body(v) else { return 0 }
    ProposalDocument.check(o)
    return 0
}

@_cdecl("FuzzProposalJSON_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzz_driver_main(argc, argv, fuzz)
}
