import Hummingbird
import HummingbirdCore
import HummingbirdTLS
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
    /// TLS (``ServerTLS``); nil serves plain HTTP.
    package var tls: TLSConfiguration?
    /// Whether a tile already cached (``TileFastPathHandler``) and a statement posted to the
    /// write API (``WriteFastPathHandler``) are answered on the connection's event loop rather
    /// than by the router; the reply is the same. Off, or when requests are logged (debug
    /// level), every request goes to the router.
    package var answersOnEventLoop = true

    package init(
        host: String = "127.0.0.1", port: Int = 8080, refreshInterval: Duration = .seconds(1),
        tls: TLSConfiguration? = nil
    ) {
        self.host = host
        self.port = port
        self.refreshInterval = refreshInterval
        self.tls = tls
    }

    /// The server's URL for `port`: `http://127.0.0.1:8080`, `http://[::1]:8080`, `https://…` with TLS.
    package func url(port: Int) -> String {
        (tls == nil ? "http://" : "https://") + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    /// HTTP/1.1, over TLS when configured. (`HTTPServerBuilder.tls` is declared `throws` but only
    /// returns a builder; the TLS set-up that can fail runs per connection, and the files were
    /// checked by ``ServerTLS/configuration(certificateFile:keyFile:)``.)
    var httpServer: HTTPServerBuilder { httpServer(channelHandlers: { [] }) }

    /// ``httpServer`` with `channelHandlers()` added to each connection after the HTTP/1 codec.
    func httpServer(
        channelHandlers: @escaping @Sendable () -> [any RemovableChannelHandler]
    ) -> HTTPServerBuilder {
        let http1 = HTTPServerBuilder.http1(configuration: .init(additionalChannelHandlers: channelHandlers()))
        guard let tls else { return http1 }
        return try! .tls(http1, tlsConfiguration: tls)
    }
}

/// What a server runs besides its routes: metrics (`GET /metrics` and the request middleware)
/// and background services such as the witness client, and the routes and services of other
/// modules (``ServerExtension``: the JSON API and the dashboard).
package struct ServerExtras: Sendable {
    package var metrics: ServerMetrics?
    package var services: [any Service]
    package var extensions: [ServerExtension]

    package init(metrics: ServerMetrics? = nil, services: [any Service] = [], extensions: [ServerExtension] = []) {
        self.metrics = metrics
        self.services = services
        self.extensions = extensions
    }
}

/// The router of the read API (specs/api.md): `/checkpoint`, `/tile/…`, `/proof/…`, and with
/// a witness, `/witness/add-checkpoint`; each request logged at debug level when `logRequests`
/// (false when the server's logger is above debug: the middleware would log nothing, at a cost).
package func buildRouter<Store: LedgerStore>(
    log: PublishedLog<Store>?, witness: WitnessRoutes<BasicRequestContext>?, metrics: ServerMetrics? = nil,
    extensions: [ServerExtension] = [], logRequests: Bool = true
) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    if logRequests { router.add(middleware: LogRequestsMiddleware(.debug)) }
    if let metrics {
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.addRoutes(metricsRoutes(metrics, published: { log?.view.checkpoint }))
    }
    if let log {
        let read = ReadRoutes(log: log, context: BasicRequestContext.self)
        router.addRoutes(read.checkpoint)
        router.addRoutes(read.tiles)
        router.addRoutes(read.proofs)
    }
    if let witness {
        router.addRoutes(witness.addCheckpoint)
        router.addRoutes(witness.logs)
    }
    for e in extensions { e.register(router) }
    return router
}

/// The router of the read API alone.
package func buildRouter<Store: LedgerStore>(log: PublishedLog<Store>) -> Router<BasicRequestContext> {
    buildRouter(log: log, witness: nil)
}

/// A witness alone (`ledger serve --witness-only`): `POST /witness/add-checkpoint` and nothing
/// else. Run it like ``runServer(log:configuration:logger:handlingSignals:witness:extras:onListening:)``.
package func runWitnessServer(
    witness: WitnessRoutes<BasicRequestContext>, configuration: ServerConfiguration, logger: Logger,
    handlingSignals: Bool = true, extras: ServerExtras = ServerExtras(),
    onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws {
    let app = Application(
        router: buildRouter(
            log: PublishedLog<FileStore>?.none, witness: witness, metrics: extras.metrics,
            logRequests: logger.logLevel <= .debug),
        server: configuration.httpServer,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
        services: extras.services,
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
    witness: WitnessRoutes<BasicRequestContext>? = nil, extras: ServerExtras = ServerExtras(),
    onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let logRequests = logger.logLevel <= .debug
    let channelHandlers = fastPaths(
        log: log, extras: extras, isOn: configuration.answersOnEventLoop && !logRequests)
    return Application(
        router: buildRouter(
            log: log, witness: witness, metrics: extras.metrics, extensions: extras.extensions,
            logRequests: logRequests),
        server: configuration.httpServer(channelHandlers: channelHandlers),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
        services: [LogRefreshService(log: log, interval: configuration.refreshInterval, logger: logger)]
            + extras.services + extras.extensions.flatMap(\.services),
        onServerRunning: { channel in await onListening(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}

/// Makes each connection's ``TileFastPathHandler`` and the extensions' handlers (the write
/// API's ``WriteFastPathHandler``) when `isOn`, nothing otherwise.
private func fastPaths<Store: LedgerStore>(
    log: PublishedLog<Store>, extras: ServerExtras, isOn: Bool
) -> @Sendable () -> [any RemovableChannelHandler] {
    guard isOn else { return { [] } }
    let metrics = extras.metrics
    let makers = extras.extensions.compactMap(\.channelHandler)
    return { [TileFastPathHandler(log: log, metrics: metrics)] + makers.map { $0(metrics) } }
}

/// Builds the application (``buildApplication(log:configuration:logger:witness:extras:onListening:)``) and
/// runs it until SIGTERM or SIGINT, which shut it down gracefully: the listener closes and
/// requests in flight finish. Cancelling the task stops it too.
///
/// - Parameter handlingSignals: false leaves SIGTERM and SIGINT alone (a server inside tests).
package func runServer<Store: LedgerStore>(
    log: PublishedLog<Store>, configuration: ServerConfiguration, logger: Logger, handlingSignals: Bool = true,
    witness: WitnessRoutes<BasicRequestContext>? = nil, extras: ServerExtras = ServerExtras(),
    onListening: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws {
    let app = buildApplication(
        log: log, configuration: configuration, logger: logger, witness: witness, extras: extras,
        onListening: onListening)
    if handlingSignals { try await app.runService() } else { try await app.runService(gracefulShutdownSignals: []) }
}
