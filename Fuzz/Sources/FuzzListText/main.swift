// Control-list import, format .text: `ControlListImporter.importList(bytes:path:format:)`.
// Property: an imported list re-encodes (JSON and CSV) to text that imports to the same list.
import ControlLists
import FuzzCommon
import FuzzDriver

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let list = try? ControlListImporter.importList(bytes: bytes, path: "list.txt", format: .text) else {
        return 0
    }
    checkRoundTrip(list)
    return 0
}

@_cdecl("FuzzListText_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzz_driver_main(argc, argv, fuzz)
}
