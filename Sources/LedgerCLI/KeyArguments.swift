import Consensus
import Foundation
import LedgerCore
import LedgerCrypto

/// Keys given on the command line, checked for the mistakes people make with them: a private
/// key pasted where a vkey belongs, and a key of the wrong role used to sign.
enum KeyArguments {
    /// The text of a `--vkey` (or `--witness`, `--signer-vkey`) argument, as given. A private key
    /// pasted in its place, or the name of a private key file, is refused; the key itself is
    /// never echoed.
    static func vkey(_ s: String, flag: String = "--vkey") throws(LedgerError) -> String {
        if isPrivateKeyText(s) {
            throw .malformed(
                "\(flag): that is a private key (PRIVATE+KEY+…), not a vkey; never share a private key or pass it "
                    + "as an argument (shell history and process lists keep it): if others may have seen it, "
                    + "generate a new one; `ledger key show KEYFILE` prints the vkey to give")
        }
        var isDirectory: ObjCBool = false
        if !s.contains("+"), FileManager.default.fileExists(atPath: s, isDirectory: &isDirectory),
            !isDirectory.boolValue,
            let bytes = try? LedgerFiles.read(s), FileKind.sniff(bytes) == .privateKey
        {
            throw .malformed(
                "\(flag): \(s) is a private key file, not a vkey; give its vkey (`ledger key show \(s)`), "
                    + "and never share the file")
        }
        return s
    }

    /// A `NAME=VKEY` argument (`serve --witness URL=VKEY`, `--log ORIGIN=VKEY`), unchanged, after
    /// the checks of ``vkey(_:flag:)`` on its VKEY part, or on the whole when it is a private key
    /// or has no `=`: the parse errors that follow quote the argument, and must never quote a
    /// private key.
    static func pair(_ spec: String, flag: String) throws(LedgerError) -> String {
        let value = spec.firstIndex(of: "=").map { String(spec[spec.index(after: $0)...]) }
        _ = try vkey(isPrivateKeyText(spec) ? spec : value ?? spec, flag: flag)
        return spec
    }

    /// `s` parsed as a vkey, after the checks of ``vkey(_:flag:)``.
    static func verifierKey(_ s: String, flag: String = "--vkey") throws(LedgerError) -> NoteVerifierKey {
        try NoteVerifierKey(parsing: try vkey(s, flag: flag))
    }

    /// Whether `s` looks like a private signer key: `PRIVATE+KEY+…` (any case, surrounding space
    /// allowed).
    static func isPrivateKeyText(_ s: String) -> Bool {
        let t = s.drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\"" || $0 == "'" })
        return t.prefix(12).uppercased() == "PRIVATE+KEY+"
    }

    /// Refuses a signing key whose registered role is not a delegation's (the operator's, a
    /// secretariat's, a witness's), for the commands that a delegation signs: the rules would
    /// refuse the entry with a less direct reason.
    static func requireDelegationKey(_ key: NoteVerifierKey, file: String, in state: NegotiationRules) throws {
        let what: String
        if key == state.authority.operatorKey {
            what = "the operator's key"
        } else if let r = state.authority.record(for: key), r.role != "delegation" {
            what =
                r.role == "secretariat"
                ? "the \(r.attributes["forum"] ?? "?") secretariat's key"
                : r.role.isEmpty ? "a registered signer with no role" : "a key with role \(r.role)"
        } else {
            return
        }
        throw LedgerError.malformed(
            "--key: \(file) is \(what), not a delegation key; sign with the key registered for the delegation "
                + "(`ledger forum show DIR --forum ID` lists them)")
    }
}
