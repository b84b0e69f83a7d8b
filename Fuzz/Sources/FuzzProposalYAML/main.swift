// YAML proposals: `Yams.compose(yaml:)` as `ledger propose`/`amend` call it, the CLI's
// YAML→JSON conversion (copied, see FuzzCommon), then the consensus body readers.
import FuzzCommon
import FuzzDriver
import Yams

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let node = try? Yams.compose(yaml: text), let v = ProposalDocument.jsonValue(node),
        let o = ProposalDocument.body(v)
    else { return 0 }
    ProposalDocument.check(o)
    return 0
}

@_cdecl("FuzzProposalYAML_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzz_driver_main(argc, argv, fuzz)
}
