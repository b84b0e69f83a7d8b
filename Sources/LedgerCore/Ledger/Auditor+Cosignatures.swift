import LedgerCrypto

extension StoreAuditor {
    /// Checks the cosignatures of the latest stored checkpoint against the auditor's witnesses
    /// and ``Options/minCosignatures``, and records the counted ones in the report.
    ///
    /// A line under a witness key that does not verify rejects the checkpoint. Cosignatures
    /// count once per distinct public key, and not at all when timestamped more than
    /// ``CosignaturePolicy/futureTolerance`` ahead of the verifier's clock
    /// (``CosignaturePolicy/now()``).
    func checkCosignatures(logKey: NoteVerifierKey?, checkpointSizes: [UInt64], report: inout Report)
        throws(LedgerError)
    {
        if let last = checkpointSizes.last, let logKey {
            report.latestCheckpointSize = last
            if let set = try StoreAuditor.latestCosignatures(
                store: store, size: last, logKey: logKey, witnesses: options.witnesses,
                now: options.now ?? CosignaturePolicy.now())
            {
                report.cosignatures = set.counted.map(\.description)
            }
        }
        if options.minCosignatures > 0 {
            guard let size = report.latestCheckpointSize else {
                throw .checkpointInvalid(
                    "no stored checkpoint to carry the \(options.minCosignatures) required cosignatures")
            }
            guard report.cosignatures.count >= options.minCosignatures else {
                throw .checkpointInvalid(
                    "latest checkpoint (size \(size)) has \(report.cosignatures.count) valid cosignatures from "
                        + "distinct witness keys given, \(options.minCosignatures) required"
                )
            }
        }
    }

    /// The cosignatures by `witnesses` on the stored checkpoint of `size` (nil when there is
    /// none), after checking its log signature.
    /// - Throws: when a line by the log or by a witness does not verify, prefixed `checkpoint N: `.
    public static func latestCosignatures(
        store: Store, size: UInt64, logKey: NoteVerifierKey, witnesses: [NoteVerifierKey], now: UInt64
    ) throws(LedgerError) -> CosignatureSet? {
        guard let text = try store.checkpointText(size: size) else { return nil }
        do throws(LedgerError) {
            let cp = try SignedCheckpoint(parsing: text, logKey: logKey)
            return try cp.cosignatures(witnesses: witnesses, logKey: logKey, now: now)
        } catch {
            throw error.prefixed("checkpoint \(size): ")
        }
    }
}
