// Key files: the signer-key text of a `--key` file (`NoteSignerKey(parsing:)`, as read by
// `LedgerFiles.readPrivateKey`) and vkeys (`NoteVerifierKey(parsing:)`, also via the cache).
// Properties: a parsed key's text parses back to the same key.
import FuzzDriver
import LedgerCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let k = try? NoteSignerKey(parsing: text) {
        let again = try? NoteSignerKey(parsing: k.privateKeyText)
        precondition(again?.verifierKey == k.verifierKey, "a signer key does not survive its text")
        _ = k.cosignerKey
    }
    let parsed = try? NoteVerifierKey(parsing: text)
    if let v = parsed {
        precondition((try? NoteVerifierKey(parsing: v.description)) == v, "a vkey does not survive its text")
    }
    precondition((try? NoteVerifierKey.cached(text)) == parsed, "the vkey cache and the parser disagree")
    return 0
}

@_cdecl("FuzzKeys_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzz_driver_main(argc, argv, fuzz)
}
