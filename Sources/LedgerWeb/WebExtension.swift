import Consensus
import Hummingbird
import LedgerCore
import LedgerServer

/// The JSON API (`/api/v1/…`) and the dashboard (`/`), as an extension of the server.
package enum LedgerWeb {
    /// The routes and services of the JSON API and the dashboard over `view`.
    package static func serverExtension<Store: LedgerStore>(view: DomainView<Store>) -> ServerExtension {
        ServerExtension { router in
            JSONAPI.register(on: router, view: view)
            Dashboard.register(on: router, view: view)
        }
    }
}
