import Consensus
import Hummingbird
import LedgerCore
import LedgerServer
import Logging

/// The JSON API (`/api/v1/…`) and the dashboard (`/`), as an extension of the server.
package enum LedgerWeb {
    /// The routes and services of the JSON API and the dashboard over `view`.
    ///
    /// - Parameters:
    ///   - events: the event stream (`GET /api/v1/events`); by default one with the default
    ///     configuration, which logs to `logger`.
    ///   - logger: the server's logger.
    package static func serverExtension<Store: LedgerStore>(
        view: DomainView<Store>, events: EventStream<Store>? = nil,
        logger: Logger = Logger(label: "ledger.serve.events")
    ) -> ServerExtension {
        let events = events ?? EventStream(view: view, logger: logger)
        return ServerExtension(services: [events.service]) { router in
            JSONAPI.register(on: router, view: view)
            events.register(on: router)
            Dashboard.register(on: router, view: view)
        }
    }
}
