// Signed notes and checkpoints (C2SP signed-note, tlog-checkpoint, tlog-cosignature):
// `SignedNote(parsing:)`, `Checkpoint(text:)`, `SignedCheckpoint(parsing:logKey:)` and the
// cosignature check. Properties: a parsed note re-serializes to a text that parses to the
// same note; a parsed checkpoint's text parses back to the same checkpoint.
import FuzzDriver
import LedgerCore

/// The test-vector log key (specs/vectors/keys.json) and the sample ledger's log key.
let logKeys = [
    "vectors.minilateral.example/log+41371e7b+AdBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3",
    "demo.minilateral-ledger.example+8318c542+ARXcBFtB+YflZzloSpvrFspkcCz6GnYXceafQB8H2A6F",
].map { try! NoteVerifierKey(parsing: $0) }
/// The test-vector witnesses' cosigner (0x04) keys, and one Ed25519 (0x01) key.
let witnesses = [
    "witness-1.example+75cef7ac+BKCapfR6Z1mAL/lV+NwtKhSlyZ0jvpf4ZBJ/+Tg0VaTw",
    "witness-2.example+42dea8d4+BBfLefsrQSDysexl5BmNbgiyjoE/6wHkpACDm4XhgIDO",
    "witness-1.example+b6c56226+AaCapfR6Z1mAL/lV+NwtKhSlyZ0jvpf4ZBJ/+Tg0VaTw",
].map { try! NoteVerifierKey(parsing: $0) }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let note = try? SignedNote(parsing: text) {
        let again = try? SignedNote(parsing: note.serialized)
        precondition(again == note, "a parsed note does not survive serialization")
        for k in logKeys + witnesses {
            var t: UInt64?
            _ = note.isSigned(by: k, time: &t)
        }
    }
    if let cp = try? Checkpoint(text: text) {
        precondition((try? Checkpoint(text: cp.text)) == cp, "a parsed checkpoint does not survive its text")
    }
    for k in logKeys {
        if let sc = try? SignedCheckpoint(parsing: text, logKey: k) {
            _ = sc.cosigners(among: witnesses)
        }
    }
    if let sc = try? SignedCheckpoint(parsing: text, logKey: nil) { _ = sc.cosigners(among: witnesses) }
    return 0
}

@_cdecl("FuzzNote_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    fuzz_driver_main(argc, argv, fuzz)
}
