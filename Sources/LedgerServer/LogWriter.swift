import Dispatch
import LedgerCore
import LedgerCrypto
import Synchronization

/// What the write API is configured with (`ledger serve --operator-key …`).
package struct WriteConfiguration: Sendable {
    /// The log's operator key: signs checkpoints and receipts.
    package var operatorKey: NoteSignerKey
    /// How often a checkpoint is signed when the log grew.
    package var checkpointInterval: Duration
    /// The receipt's promise: include-by = log time + this many seconds.
    package var maxDelaySeconds: Int64
    /// Statements a second per signer key (token bucket, bursts of as many).
    package var rateLimit: Int
    /// Most submissions waiting for the writer; more are refused with 503.
    package var maxPending: Int

    package init(
        operatorKey: NoteSignerKey, checkpointInterval: Duration = .seconds(1), maxDelaySeconds: Int64 = 60,
        rateLimit: Int = 100, maxPending: Int = 10_000
    ) {
        self.operatorKey = operatorKey
        self.checkpointInterval = checkpointInterval
        self.maxDelaySeconds = maxDelaySeconds
        self.rateLimit = rateLimit
        self.maxPending = maxPending
    }

    /// How long `?wait=1` waits for a covering checkpoint: 25 s, whatever the checkpoint
    /// interval, so that the reply (then a `202` without proof) comes well within a client's
    /// 30 s request timeout, and the client waits for the proof itself (specs/api.md).
    package var waitTimeout: Duration { .seconds(25) }
}

/// The log's writing side, shared by the write routes and the checkpoint signing service:
/// the ledger, the group committer, the rate limiter and the requests waiting for a checkpoint.
package final class LogWriter<Rules: LedgerRules, Store: LedgerStore>: Sendable {
    package let ledger: StoreLedger<Rules, Store>
    package let log: PublishedLog<Store>
    package let configuration: WriteConfiguration
    package let committer: GroupCommitter<Rules, Store>
    package let limiter: RateLimiter
    package let waiters: CheckpointWaiters
    /// The log's origin (the operator key's name).
    package let origin: String
    /// When ``signerRefusal(_:)`` last brought the ledger's signer set up to date.
    private let signersRefreshed = Mutex(ContinuousClock.now)
    /// How long a signer set that refuses a key is trusted before ``signerRefusal(_:)``
    /// replays the ledger again.
    let signerRefreshInterval: Duration

    /// - Parameters:
    ///   - metrics: when given, each group commit records its appends and its duration (which
    ///     is dominated by the fsyncs) there.
    ///   - rateClock: the rate limiter's clock (in tests, one they set).
    ///   - signerRefreshInterval: see ``signerRefusal(_:)``.
    /// - Throws: `.unauthorized` when the key is not the ledger's operator key.
    package init(
        ledger: StoreLedger<Rules, Store>, log: PublishedLog<Store>, configuration: WriteConfiguration,
        metrics: ServerMetrics? = nil, rateClock: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        signerRefreshInterval: Duration = .seconds(1)
    ) throws(LedgerError) {
        let op = try ledger.operatorKey()
        guard configuration.operatorKey.verifierKey == op else {
            throw .unauthorized(
                "the key \(configuration.operatorKey.verifierKey) is not the ledger's operator key \(op)")
        }
        self.ledger = ledger
        self.log = log
        self.configuration = configuration
        var observe: (@Sendable (Int, Double) -> Void)?
        if let metrics {
            observe = { appended, seconds in
                metrics.recordAppend(count: appended)
                metrics.recordFsync(seconds: seconds)
            }
        }
        committer = GroupCommitter(ledger: ledger, maxPending: configuration.maxPending, observe: observe)
        limiter = RateLimiter(rate: configuration.rateLimit, clock: rateClock)
        waiters = CheckpointWaiters(published: log.view.size)
        origin = op.name
        self.signerRefreshInterval = signerRefreshInterval
    }

    /// The signed receipt for an appended entry.
    /// - Parameters:
    ///   - statementHash: the entry's statement hash, when the caller has it (else computed).
    package func receipt(
        for appended: StoreLedger<Rules, Store>.Appended, statementHash: Digest? = nil
    ) throws(LedgerError) -> SignedReceipt {
        let time = appended.entry.time
        let receipt = Receipt(
            origin: origin, index: appended.index, statementHash: statementHash ?? appended.entry.signed.statement.hash,
            leafHash: appended.leafHash, logTime: time, includeBy: time.adding(seconds: configuration.maxDelaySeconds))
        return try SignedReceipt(signing: receipt, with: configuration.operatorKey)
    }

    /// The refusal the ledger's rules would give any statement by `signer` because the key
    /// is unknown or revoked (``StoreLedger/signerRefusal(_:)``), or nil: such statements are
    /// refused before they spend a rate budget or a place in the queue.
    ///
    /// The signer set is the one after this process's last append. When it refuses and was
    /// not brought up to date in the last ``signerRefreshInterval`` (a second), the ledger is
    /// replayed first (another
    /// process, `ledger append`, may have registered the key), on a dispatch queue: the
    /// replay may wait for a commit, which a task of the concurrency pool must not.
    package func signerRefusal(_ signer: NoteVerifierKey) async -> LedgerError? {
        guard ledger.signerRefusal(signer) != nil else { return nil }
        let now = ContinuousClock.now
        let refresh = signersRefreshed.withLock { last -> Bool in
            guard now - last >= signerRefreshInterval else { return false }
            last = now
            return true
        }
        if refresh {
            let ledger = self.ledger
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async {
                    _ = try? ledger.currentState()
                    done.resume()
                }
            }
        }
        return ledger.signerRefusal(signer)
    }
}
