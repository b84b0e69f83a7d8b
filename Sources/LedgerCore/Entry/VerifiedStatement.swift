import LedgerCrypto

/// A signed statement whose Ed25519 signature this process has verified, with what the
/// verification computed: the signing message and the statement hash.
///
/// The only way to make one is ``init(verifying:)``, which verifies, so a writer that is
/// given one (``StoreLedger/appendEach(verified:)``) can trust the signature without checking
/// it again: the server verifies on the request handlers, which run on every core, and its
/// single writer thread does not repeat the work.
package struct VerifiedStatement: Sendable {
    package let signed: SignedStatement
    /// SHA-256 of the signing message: the replay key.
    package let hash: Digest
    /// ``Statement/signingMessage``, which the signature was verified over.
    let signingMessage: [UInt8]

    /// Verifies `signed`'s signature under its signer key.
    ///
    /// - Throws: `.badSignature`, with the message the ledger gives on append.
    package init(verifying signed: SignedStatement) throws(LedgerError) {
        let message = signed.statement.signingMessage
        guard signed.statement.signer.publicKey.isValidSignature(signed.signature, for: message) else {
            throw VerifiedStatement.badSignature(signed)
        }
        self.signed = signed
        self.signingMessage = message
        self.hash = SHA256.hash(message)
    }

    /// The refusal of a statement whose signature does not verify.
    static func badSignature(_ signed: SignedStatement) -> LedgerError {
        .badSignature("signature does not verify for signer \(signed.statement.signer.name)")
    }
}
