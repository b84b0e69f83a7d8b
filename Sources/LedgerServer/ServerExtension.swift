import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Routes and background services that another module adds to the server: the JSON API and
/// the dashboard (`LedgerWeb`) plug in here, so that `LedgerServer` depends on no domain module.
package struct ServerExtension: Sendable {
    /// Adds the extension's routes to the server's router.
    package var register: @Sendable (Router<BasicRequestContext>) -> Void
    /// Services that run beside the server and stop with it.
    package var services: [any Service]
    /// Makes a handler for each connection that answers some of the extension's requests on
    /// the event loop, before the router (given the server's metrics), when the server uses
    /// such handlers (``ServerConfiguration/answersOnEventLoop``).
    package var channelHandler: (@Sendable (ServerMetrics?) -> any RemovableChannelHandler)?

    package init(
        services: [any Service] = [],
        channelHandler: (@Sendable (ServerMetrics?) -> any RemovableChannelHandler)? = nil,
        register: @escaping @Sendable (Router<BasicRequestContext>) -> Void
    ) {
        self.register = register
        self.services = services
        self.channelHandler = channelHandler
    }
}

extension ServerExtension {
    /// The write API over `writer`: `POST /api/v1/entries` (and its ``WriteFastPathHandler``)
    /// and the checkpoint signing service.
    package static func write<Rules, Store>(_ writer: LogWriter<Rules, Store>, logger: Logger) -> ServerExtension {
        ServerExtension(
            services: [
                CheckpointSigningService(
                    writer: writer, interval: writer.configuration.checkpointInterval, logger: logger)
            ],
            channelHandler: { metrics in WriteFastPathHandler(writer: writer, metrics: metrics, logger: logger) },
            register: { router in router.addRoutes(WriteEndpoint(writer: writer).entries) })
    }
}
