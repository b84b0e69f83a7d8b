import ArgumentParser
import LedgerCore
import LedgerServer

/// `ledger serve`'s write API options (specs/api.md §Write API).
struct WriteOptions: ParsableArguments {
    @Option(
        name: .customLong("operator-key"),
        help: "The ledger's operator key file: serve POST /api/v1/entries, sign checkpoints and receipts.")
    var operatorKey: String?
    @Option(name: .customLong("checkpoint-interval"), help: "Seconds between checkpoints while the log grows.")
    var checkpointInterval = 1.0
    @Option(name: .customLong("max-delay"), help: "Seconds a receipt promises: include-by = log time + this.")
    var maxDelay = 60
    @Option(name: .customLong("rate-limit"), help: "Statements a second per signer key (bursts of as many).")
    var rateLimit = 100
    @Option(name: .customLong("max-pending"), help: "Most statements waiting to be appended; more get 503.")
    var maxPending = 10_000

    func validate(witnessOnly: Bool) throws {
        guard checkpointInterval >= 0.01, checkpointInterval <= 3600 else {
            throw ValidationError("--checkpoint-interval must be 0.01 to 3600 seconds")
        }
        guard maxDelay >= 1, maxDelay <= 31_536_000 else {
            throw ValidationError("--max-delay must be 1 to 31536000 seconds")
        }
        guard Double(maxDelay) >= checkpointInterval else {
            throw ValidationError("--max-delay must be at least --checkpoint-interval: a receipt must be keepable")
        }
        guard rateLimit >= 1, rateLimit <= 1_000_000 else { throw ValidationError("--rate-limit must be 1 to 1000000") }
        guard maxPending >= 1, maxPending <= 1_000_000 else {
            throw ValidationError("--max-pending must be 1 to 1000000")
        }
        if witnessOnly, operatorKey != nil {
            throw ValidationError("--witness-only serves no ledger: drop --operator-key")
        }
    }

    /// The log writer over `ledger` with --operator-key, or nil without it.
    /// - Throws: `.unauthorized` when the key is not the ledger's operator key.
    func writer(ledger: Ledger<RulesInUse>, log: PublishedLog<FileStore>, metrics: ServerMetrics) throws
        -> LogWriter<RulesInUse, FileStore>?
    {
        guard let operatorKey else { return nil }
        let key = try loadPrivateKey(operatorKey)
        let configuration = WriteConfiguration(
            operatorKey: key, checkpointInterval: .milliseconds(Int64(checkpointInterval * 1000)),
            maxDelaySeconds: Int64(maxDelay), rateLimit: rateLimit, maxPending: maxPending)
        do {
            return try LogWriter(ledger: ledger, log: log, configuration: configuration, metrics: metrics)
        } catch {
            throw LedgerError(code: .malformed, message: "--operator-key \(operatorKey): \(error.message)")
        }
    }
}
