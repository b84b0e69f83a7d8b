import LedgerCrypto

/// The content of a leaf that a proof showed to be in the log, checked offline
/// (specs/cli.md §Proofs): the leaf decodes to the entry at the proven index, its statement's
/// signature verifies under the signer key it names, and where the caller supplies them, that
/// key is one the caller trusts and was registered, and not revoked, at that entry.
///
/// An auditor with only the proof, the leaf, the checkpoint, the log's key and the signer's
/// key checks everything but the registration; the registration needs the signer set as of the
/// entry, which only the log's entries up to it show (``StoreLedger/authority(asOf:)``).
public struct ProvenEntry: Sendable {
    /// The decoded entry.
    public let entry: Entry
    /// The caller's key that the statement's signer is, or nil when the caller gave none.
    public let trustedSigner: NoteVerifierKey?
    /// The signer's record in the registry given, or nil when none was given.
    public let registration: Authority.KeyRecord?

    /// Decodes and checks a proven leaf.
    ///
    /// - Parameters:
    ///   - leaf: the leaf bytes, already proven to be leaf `index` of a signed tree.
    ///   - index: the index the proof proved.
    ///   - signerKeys: keys the caller trusts; when not empty, the statement's signer must be one
    ///     of them (name, key ID and public key).
    ///   - registry: the signer set of the log (as of a checkpoint covering the entry); when
    ///     given, the signer must be active at `index` in it (the operator key, for entry 0).
    /// - Throws: `.chainBroken` for a leaf that is not a ledger entry or names another index;
    ///   `.badSignature` for a statement signature that does not verify, or a signer that is
    ///   none of `signerKeys`; `.unauthorized` for a signer not registered, or revoked, at the
    ///   entry.
    public init(
        leaf: [UInt8], index: UInt64, signerKeys: [NoteVerifierKey] = [], registry: Authority? = nil
    ) throws(LedgerError) {
        let entry: Entry
        do throws(LedgerError) { entry = try Entry(leaf: leaf) } catch {
            throw .chainBroken("leaf \(index) is in the tree but is not a ledger entry: \(error.message)")
        }
        guard entry.index == index else {
            throw .chainBroken("the leaf is entry \(entry.index), but the proof is for leaf \(index)")
        }
        let signer = entry.statement.signer
        let name = signer.label
        guard entry.signed.hasValidSignature else {
            throw .badSignature("entry \(index): the statement's signature does not verify under its signer \(name)")
        }
        if !signerKeys.isEmpty {
            guard let trusted = signerKeys.first(where: { $0 == signer }) else {
                let given = signerKeys.map(\.label).joined(separator: ", ")
                throw .badSignature("entry \(index) is signed by \(name), not by the signer key given (\(given))")
            }
            trustedSigner = trusted
        } else {
            trustedSigner = nil
        }
        if let registry {
            registration = try Self.registration(of: signer, at: index, in: registry)
        } else {
            registration = nil
        }
        self.entry = entry
    }

    /// The signer's record, which must allow it to sign entry `index`.
    private static func registration(of signer: NoteVerifierKey, at index: UInt64, in registry: Authority)
        throws(LedgerError) -> Authority.KeyRecord
    {
        let name = signer.label
        guard let record = registry.record(for: signer) else {
            throw .unauthorized("entry \(index): signer \(name) is not registered in the log")
        }
        if index == 0 {
            guard signer == registry.operatorKey else {
                throw .unauthorized("entry 0: signer \(name) is not the log's operator key")
            }
            return record
        }
        guard record.registeredAt < index else {
            throw .unauthorized(
                "entry \(index): signer \(name) was registered only at entry \(record.registeredAt), after it")
        }
        if let revoked = record.revokedAt, revoked <= index {
            throw .unauthorized("entry \(index): signer \(name) was revoked at entry \(revoked), before it")
        }
        return record
    }
}
