import LedgerCore
import LedgerCrypto

/// What `proof verify --leaf` prints of the entry it checked (specs/cli.md §Proofs): the
/// decoded entry, and which of its checks were made and which were not.
struct ProvenEntryOutput {
    let proven: ProvenEntry
    /// The `--registry` directory, when one was given.
    let registry: String?

    /// Adds the entry's JSON fields to `result` and its text lines to `lines`.
    func add(to result: inout [String: JSONValue], lines: inout [String]) {
        let e = proven.entry
        let st = e.statement
        result["entry"] = .object([
            "index": .integer(Int64(e.index)), "time": .string(e.time.rfc3339), "kind": .string(st.kind),
            "signer": .string(st.signer.description), "signerName": .string(st.signer.name),
            "signerKeyID": .string(st.signer.keyIDHex), "claimedTime": .string(st.time.rfc3339), "body": st.body,
        ])
        result["signatureValid"] = true
        result["signerKeyChecked"] = .bool(proven.trustedSigner != nil)
        result["registrationChecked"] = .bool(proven.registration != nil)
        // Body text is canonical JSON; control characters that JSON leaves raw (C1, DEL, the
        // line separators) are escaped so that the line cannot drive the terminal.
        let body = escapedForMessage(String(decoding: st.canonicalBody.bytes, as: UTF8.self))
        lines += [
            "entry \(e.index), integrated \(e.time.rfc3339)",
            "  kind:         \(st.kind)",
            "  signer:       \(escapedForMessage(st.signer.label))",  // a key name may hold C1 controls
            "  claimed time: \(st.time.rfc3339)",
            "  body:         \(body)",
            "  signature:    valid under the signer key the statement names",
        ]
        if proven.trustedSigner != nil {
            lines.append("  signer key:   the --signer-vkey given")
        } else {
            lines.append("  signer key:   not checked against a key you trust (pass --signer-vkey)")
        }
        guard let r = proven.registration, let registry else {
            lines.append("  registration: not checked (pass --registry with a copy of the ledger)")
            return
        }
        var record: [String: JSONValue] = [
            "role": .string(r.role), "registeredAt": .integer(Int64(r.registeredAt)),
            "attributes": .object(r.attributes.mapValues { .string($0) }),
        ]
        var text = e.index == 0 ? "the log's operator key" : "registered at entry \(r.registeredAt) as \(r.role)"
        let attributes = r.attributes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        if !attributes.isEmpty { text += " (" + attributes.joined(separator: ", ") + ")" }
        if let revoked = r.revokedAt {
            record["revokedAt"] = .integer(Int64(revoked))
            text += ", revoked later at entry \(revoked)"
        } else {
            text += ", not revoked"
        }
        result["registration"] = .object(record)
        lines.append("  registration: \(escapedForMessage(text)) (in \(escapedForMessage(registry)))")
    }
}
