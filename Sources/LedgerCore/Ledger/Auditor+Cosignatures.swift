import LedgerCrypto

extension Auditor {
    /// Checks the cosignatures of the latest stored checkpoint against the auditor's witnesses
    /// and ``Options/minCosignatures``, and records them in the report.
    func checkCosignatures(logKey: NoteVerifierKey?, checkpointSizes: [UInt64], report: inout Report)
        throws(LedgerError)
    {
        if let last = checkpointSizes.last, let text = try store.checkpointText(size: last), let logKey {
            let cp = try SignedCheckpoint(parsing: text, logKey: logKey)
            report.latestCheckpointSize = last
            report.cosignatures = cp.cosigners(among: options.witnesses).map { "\($0.key.name) at \($0.time)" }
        }
        if options.minCosignatures > 0 {
            guard report.latestCheckpointSize != nil else {
                throw .checkpointInvalid("no stored checkpoint to carry the \(options.minCosignatures) required cosignatures")
            }
            guard report.cosignatures.count >= options.minCosignatures else {
                throw .checkpointInvalid(
                    "latest checkpoint (size \(report.latestCheckpointSize!)) has \(report.cosignatures.count) valid cosignatures from the given witnesses, \(options.minCosignatures) required")
            }
        }
    }
}
