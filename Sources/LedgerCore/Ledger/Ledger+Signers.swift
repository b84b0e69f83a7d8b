import LedgerCrypto
import Synchronization

extension StoreLedger {
    /// Makes `r`'s signer set the one ``signerRefusal(_:)`` reads. Call with the replayed
    /// state's lock held, after a replay or an append.
    func publishSigners(_ r: Replayed) {
        let authority = r.state.authority
        let size = r.size
        signers.withLock { $0 = (size, authority) }
    }

    /// The refusal that the rules would give any statement by `signer` as the next entry
    /// because the signer set does not let that key sign (an unknown or revoked key), as of
    /// the entries this process last replayed or appended; nil when the key may sign.
    ///
    /// Never waits for a commit, so that a server can refuse such statements before it
    /// queues them (``LedgerRules/signerRefusal(_:at:in:)``). The rules still check every
    /// statement on append: the set may have changed since. A set that may be stale (another
    /// process appended since) is brought up to date by ``currentState()``.
    package func signerRefusal(_ signer: NoteVerifierKey) -> LedgerError? {
        let (size, authority) = signers.withLock { $0 }
        guard size > 0 else { return nil }
        return Rules.signerRefusal(signer, at: UInt64(size), in: authority)
    }
}
