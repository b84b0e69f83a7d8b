import Hummingbird
import LedgerCore
import Logging
import ServiceLifecycle

/// Routes and background services that a server runs besides the read API (for example the
/// write API and its checkpoint signing service).
package struct ServerAdditions {
    package var routes: [RouteCollection<BasicRequestContext>]
    package var services: [any Service]

    package init(routes: [RouteCollection<BasicRequestContext>] = [], services: [any Service] = []) {
        self.routes = routes
        self.services = services
    }

    /// The write API over `writer`: `POST /api/v1/entries` and the checkpoint signing service.
    package static func write<Rules, Store>(_ writer: LogWriter<Rules, Store>, logger: Logger) -> ServerAdditions {
        ServerAdditions(
            routes: [WriteEndpoint(writer: writer).entries],
            services: [
                CheckpointSigningService(
                    writer: writer, interval: writer.configuration.checkpointInterval, logger: logger)
            ])
    }
}
