import Dispatch
import LedgerCore
import Logging
import ServiceLifecycle

/// A background service that, every interval, signs a checkpoint with the operator key when
/// the log grew (``StoreLedger/signCheckpoint(key:)``), publishes it (``PublishedLog/refresh()``)
/// and wakes the requests waiting for it. Also expires waits past their deadline (every second). On graceful
/// shutdown it stops and wakes every waiting request.
package struct CheckpointSigningService<Rules: LedgerRules, Store: LedgerStore>: Service {
    package let writer: LogWriter<Rules, Store>
    package let interval: Duration
    package let logger: Logger

    package init(writer: LogWriter<Rules, Store>, interval: Duration, logger: Logger) {
        self.writer = writer
        self.interval = interval
        self.logger = logger
    }

    package func run() async throws {
        defer { writer.waiters.close() }
        var lastError: String?
        let clock = ContinuousClock()
        var nextSigning = clock.now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if clock.now >= nextSigning {
                nextSigning = clock.now + interval
                do {
                    try await signIfGrown()
                    lastError = nil
                } catch {
                    if error.message != lastError {
                        logger.error("signing a checkpoint failed", metadata: ["error": "\(error.message)"])
                    }
                    lastError = error.message
                }
            }
            // Waits past their deadline end within a second, whatever the interval (an hour's
            // interval once held `?wait=1` for the hour, past the client's timeout).
            writer.waiters.expire()
            let pause = min(Self.expiryTick, nextSigning - clock.now)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: max(pause, .milliseconds(1))) }
        }
    }

    /// How often waits past their deadline are ended (at most this late).
    static var expiryTick: Duration { .seconds(1) }

    /// Signs and publishes a checkpoint when the ledger holds more entries than the latest
    /// published one; the blocking work runs off the concurrency pool.
    func signIfGrown() async throws(LedgerError) {
        let writer = self.writer
        let logger = self.logger
        let result: Result<Void, LedgerError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    returning: Result { () throws(LedgerError) in
                        let published = writer.log.view
                        if writer.ledger.size > published.size || published.checkpoint == nil {
                            let signed = try writer.ledger.signCheckpoint(key: writer.configuration.operatorKey)
                            let view = try writer.log.refresh()
                            logger.debug(
                                "signed a checkpoint",
                                metadata: ["size": "\(signed.checkpoint.size)", "published": "\(view.size)"])
                        }
                        writer.waiters.publish(size: writer.log.view.size)
                    })
            }
        }
        try result.get()
    }
}
