import Hummingbird
import LedgerCore
import Logging
import NIOCore
import ServiceLifecycle

/// Where and how the server listens.
package struct ServerConfiguration: Sendable {
    /// The address to bind: loopback unless asked otherwise.
    package var host: String
    /// The TCP port; 0 binds any free port (the one bound is passed to `onListening`).
    package var port: Int
    /// How often the store is checked for a newer checkpoint (``LogRefreshService``).
    package var refreshInterval: Duration

    package init(host: String = "127.0.0.1", port: Int = 8080, refreshInterval: Duration = .seconds(1)) {
        self.host = host
        self.port = port
        self.refreshInterval = refreshInterval
    }

    /// The server's URL for `port`: `http://127.0.0.1:8080`, `http://[::1]:8080`.
    package func url(port: Int) -> String {
        "http://" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }
}

/// The router of the read API (specs/api.md): `/checkpoint`, `/tile/…`, `/proof/…`, and with
/// a witness, `/witness/add-checkpoint`; each request logged at debug level.
package func buildRouter<Store: LedgerStore>(
    log: PublishedLog<Store>?, witness: WitnessRoutes<BasicRequestContext>?, additions: ServerAdditions = .init()
) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: LogRequestsMiddleware(.debug))
    if let log {
        let read = ReadRoutes(log: log, context: BasicRequestContext.self)
        router.addRoutes(read.checkpoint)
        router.addRoutes(read.tiles)
        router.addRoutes(read.proofs)
    }
    if let witness { router.addRoutes(witness.addCheckpoint) }
    for routes in additions.routes { router.addRoutes(routes) }
    return router
}

/// The router of the read API alone.
package func buildRouter<Store: LedgerStore>(log: PublishedLog<Store>) -> Router<BasicRequestContext> {
    buildRouter(log: log, witness: nil)
}

/// A witness alone (`ledger serve --witness-only`): `POST /witness/add-checkpoint` and nothing
/// else. Run it like ``runServer(log:configuration:logger:handlingSignals:witness:onListening:)``.
package func runWitnessServer(
    witness: WitnessRoutes<BasicRequestContext>, configuration: ServerConfiguration, logger: Logger,
    handlingSignals: Bool = true, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws {
    let app = Application(
        router: buildRouter(log: PublishedLog<FileStore>?.none, witness: witness),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
    if handlingSignals { try await app.runService() } else { try await app.runService(gracefulShutdownSignals: []) }
}

/// The server application: the read API over `log`, and the service that refreshes it.
/// Run it with `runService()` (graceful shutdown on SIGTERM and SIGINT) or `run()`.
///
/// - Parameters:
///   - log: what to serve; refresh it once before, so that a broken ledger stops the start.
///   - witness: when given, `POST /witness/add-checkpoint` is served too.
///   - onListening: called with the bound port once the server accepts connections.
package func buildApplication<Store: LedgerStore>(
    log: PublishedLog<Store>, configuration: ServerConfiguration, logger: Logger,
    witness: WitnessRoutes<BasicRequestContext>? = nil, additions: ServerAdditions = .init(),
    onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(log: log, witness: witness, additions: additions),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
        services: [LogRefreshService(log: log, interval: configuration.refreshInterval, logger: logger) as any Service]
            + additions.services,
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}

/// Builds the application (``buildApplication(log:configuration:logger:witness:onListening:)``) and
/// runs it until SIGTERM or SIGINT, which shut it down gracefully: the listener closes and
/// requests in flight finish. Cancelling the task stops it too.
///
/// - Parameter handlingSignals: false leaves SIGTERM and SIGINT alone (a server inside tests).
package func runServer<Store: LedgerStore>(
    log: PublishedLog<Store>, configuration: ServerConfiguration, logger: Logger, handlingSignals: Bool = true,
    witness: WitnessRoutes<BasicRequestContext>? = nil, additions: ServerAdditions = .init(),
    onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws {
    let app = buildApplication(
        log: log, configuration: configuration, logger: logger, witness: witness, additions: additions,
        onListening: onListening)
    if handlingSignals { try await app.runService() } else { try await app.runService(gracefulShutdownSignals: []) }
}
