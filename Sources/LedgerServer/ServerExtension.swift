import Hummingbird
import ServiceLifecycle

/// Routes and background services that another module adds to the server: the JSON API and
/// the dashboard (`LedgerWeb`) plug in here, so that `LedgerServer` depends on no domain module.
package struct ServerExtension: Sendable {
    /// Adds the extension's routes to the server's router.
    package var register: @Sendable (Router<BasicRequestContext>) -> Void
    /// Services that run beside the server and stop with it.
    package var services: [any Service]

    package init(
        services: [any Service] = [], register: @escaping @Sendable (Router<BasicRequestContext>) -> Void
    ) {
        self.register = register
        self.services = services
    }
}
