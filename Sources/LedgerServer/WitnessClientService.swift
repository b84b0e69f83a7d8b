import AsyncHTTPClient
import LedgerCore
import Logging
import NIOSSL
import ServiceLifecycle

/// The log's witness client (specs/api.md, Witness client): a background service that submits
/// the published checkpoint to every configured witness whenever it changes, checks each
/// returned cosignature under the witness's key, stores it through the ledger's `attach` (the
/// same path as `ledger checkpoint --attach`) and refreshes the ``PublishedLog`` so that
/// `/checkpoint` serves the cosigned note.
///
/// Per witness it keeps the last size the witness cosigned (0 at start; a witness that
/// answers 409 names its size and the submission is retried once from there). A failed
/// submission is retried after a backoff that doubles from ``Backoff/first`` up to
/// ``Backoff/limit``; each distinct error is logged once. Stops on graceful shutdown.
package struct WitnessClientService<Store: LedgerStore>: Service {
    /// How long to wait after failures.
    package struct Backoff: Sendable {
        package var first: Duration
        package var limit: Duration

        package init(first: Duration = .milliseconds(500), limit: Duration = .seconds(60)) {
            self.first = first
            self.limit = limit
        }

        /// The wait after `failures` consecutive failures (≥ 1).
        package func delay(after failures: Int) -> Duration {
            var d = first
            for _ in 1..<max(1, min(failures, 32)) where d < limit { d *= 2 }
            return min(d, limit)
        }
    }

    package let log: PublishedLog<Store>
    package let witnesses: [WitnessTarget]
    /// Stores a cosigned note; it checks every cosignature again (``StoreLedger/attach(_:witnesses:)``).
    package let attach: @Sendable (String) throws(LedgerError) -> Void
    /// How often the published checkpoint is looked at.
    package let interval: Duration
    package let backoff: Backoff
    package let metrics: ServerMetrics?
    package let logger: Logger
    /// Trust for `https://` witnesses; nil uses the system's roots.
    package let tls: TLSConfiguration?

    package init(
        log: PublishedLog<Store>, witnesses: [WitnessTarget],
        attach: @escaping @Sendable (String) throws(LedgerError) -> Void, interval: Duration = .seconds(1),
        backoff: Backoff = Backoff(), metrics: ServerMetrics? = nil, logger: Logger, tls: TLSConfiguration? = nil
    ) {
        self.log = log
        self.witnesses = witnesses
        self.attach = attach
        self.interval = interval
        self.backoff = backoff
        self.metrics = metrics
        self.logger = logger
        self.tls = tls
    }

    /// The client over `ledger`: cosignatures are attached with the witnesses' keys as known keys.
    package init<Rules: LedgerRules>(
        ledger: StoreLedger<Rules, Store>, log: PublishedLog<Store>, witnesses: [WitnessTarget],
        interval: Duration = .seconds(1), backoff: Backoff = Backoff(), metrics: ServerMetrics? = nil,
        logger: Logger, tls: TLSConfiguration? = nil
    ) {
        let keys = witnesses.map(\.key)
        self.init(
            log: log, witnesses: witnesses,
            attach: { text throws(LedgerError) in _ = try ledger.attach(text, witnesses: keys) }, interval: interval,
            backoff: backoff, metrics: metrics, logger: logger, tls: tls)
    }

    /// What is known of one witness.
    struct Progress: Sendable {
        /// The largest size the witness is known to have cosigned (0 at start).
        var cosignedSize: UInt64 = 0
        /// The checkpoint body whose cosignature by this witness is stored.
        var doneBody: String?
        var failures = 0
        var retryAt: ContinuousClock.Instant?
        var lastError: String?
    }

    package func run() async throws {
        let client = WitnessClient(http: WitnessClient.makeHTTPClient(tls: tls))
        var progress = [Progress](repeating: Progress(), count: witnesses.count)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let before = progress
            progress = await cancelWhenGracefulShutdown { await self.round(client, before) }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
        try? await client.http.shutdown()
    }

    /// One look at the published checkpoint: submits it to the witnesses that have not
    /// cosigned it and are not waiting out a backoff, attaches what they return.
    func round(_ client: WitnessClient, _ before: [Progress]) async -> [Progress] {
        var progress = before
        let view = log.view
        metrics?.observe(checkpoint: view.checkpoint)
        guard let checkpoint = view.checkpoint else { return progress }
        let size = checkpoint.checkpoint.size
        let body = checkpoint.note.text
        let now = ContinuousClock.now
        var due = [Int]()
        for (i, w) in witnesses.enumerated() where progress[i].doneBody != body {
            if checkpoint.note.lines(of: w.key).contains(where: {
                (try? checkpoint.note.verify($0.1, by: w.key)) != nil
            }) {
                progress[i].doneBody = body
                progress[i].cosignedSize = max(progress[i].cosignedSize, size)
            } else if progress[i].retryAt.map({ now >= $0 }) ?? true {
                due.append(i)
            }
        }
        let logKey = log.logKey
        let results = await withTaskGroup(of: (Int, Result<SignedNote, WitnessSubmissionError>).self) { group in
            for i in due {
                let (target, old) = (witnesses[i], progress[i].cosignedSize)
                group.addTask {
                    do throws(WitnessSubmissionError) {
                        let note = try await client.submit(
                            checkpoint, logKey: logKey, to: target, oldSize: old, tree: view.tree)
                        return (i, .success(note))
                    } catch {
                        return (i, .failure(error))
                    }
                }
            }
            var out = [(Int, Result<SignedNote, WitnessSubmissionError>)]()
            for await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }
        }
        var attached = false
        for (i, result) in results {
            do {
                let note = try result.get()
                do throws(LedgerError) { try attach(note.serialized) } catch {
                    throw WitnessSubmissionError(
                        "\(witnesses[i].name): the cosignature was not stored: \(error.message)")
                }
                attached = true
                succeeded(&progress[i], witnesses[i], size: size, body: body)
            } catch {
                failed(&progress[i], witnesses[i], size: size, error: "\(error)")
            }
        }
        if attached {
            do throws(LedgerError) { try log.refresh() } catch {
                logger.error("refresh after a cosignature failed", metadata: ["error": "\(error.message)"])
            }
        }
        for (i, w) in witnesses.enumerated() {
            metrics?.recordWitness(w.name, cosignedSize: progress[i].cosignedSize, publishedSize: size)
        }
        return progress
    }

    func succeeded(_ p: inout Progress, _ w: WitnessTarget, size: UInt64, body: String) {
        if p.lastError != nil {
            logger.notice("witness answers again", metadata: ["witness": "\(w.name)", "url": "\(w.url)"])
        }
        logger.info("cosigned by witness", metadata: ["witness": "\(w.name)", "size": "\(size)"])
        p = Progress(cosignedSize: size, doneBody: body)
    }

    func failed(_ p: inout Progress, _ w: WitnessTarget, size: UInt64, error: String) {
        metrics?.recordWitnessError(w.name)
        p.failures += 1
        let delay = backoff.delay(after: p.failures)
        p.retryAt = .now + delay
        if p.lastError != error {
            logger.error(
                "witness submission failed; retrying with backoff",
                metadata: [
                    "witness": "\(w.name)", "url": "\(w.url)", "size": "\(size)", "error": "\(error)",
                    "retry_in_seconds": "\(delay / .seconds(1))",
                ])
        }
        p.lastError = error
    }
}
