import LedgerCore
import Logging
import ServiceLifecycle

/// A background service that refreshes a ``PublishedLog`` at a fixed interval, so that a
/// checkpoint signed by another process (`ledger checkpoint`) is published within one
/// interval. A refresh that fails leaves the published view as it was and is logged (once
/// for as long as the same error repeats). Stops on graceful shutdown.
package struct LogRefreshService<Store: LedgerStore>: Service {
    package let log: PublishedLog<Store>
    package let interval: Duration
    package let logger: Logger

    package init(log: PublishedLog<Store>, interval: Duration, logger: Logger) {
        self.log = log
        self.interval = interval
        self.logger = logger
    }

    package func run() async throws {
        var lastError: String?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { break }
            let before = log.view
            do {
                let after = try log.refresh()
                lastError = nil
                if after.size != before.size || after.checkpointText != before.checkpointText {
                    logger.info(
                        "published a checkpoint",
                        metadata: ["size": "\(after.size)", "previous_size": "\(before.size)"])
                }
            } catch {
                if error.message != lastError {
                    logger.error(
                        "refresh failed; still serving the checkpoint published before",
                        metadata: ["error": "\(error.message)", "size": "\(before.size)"])
                }
                lastError = error.message
            }
        }
    }
}
