import Consensus
import LedgerCore
import LedgerServer
import Logging
import ServiceLifecycle

/// Watches the published checkpoint while clients are connected: when it grows, builds the
/// events of the new entries once (``EventWindow``) and tells the clients, which send them;
/// sends `deadline` events as deadlines come within the horizon, and keep-alive comments.
struct EventService<Store: LedgerStore>: Service {
    let stream: EventStream<Store>

    func run() async throws {
        let view = stream.view
        let configuration = stream.configuration
        let logger = stream.logger
        var announced = Set<String>()
        var sinceKeepAlive = Duration.zero
        let horizon = configuration.deadlineHorizon.components.seconds
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: configuration.checkInterval) }
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { break }
            // With no client connected nothing is built or announced: under a write load that
            // is work for no one. A client that connects builds what it needs (at most the
            // kept window) before it subscribes (`publishNew` in the handler).
            guard stream.hub.clientCount > 0 else { continue }
            // The new entries' events are built once (here or by a request that came first) and
            // the clients are told they exist; a no-op when nothing was published since.
            await stream.publishNew()
            do {
                let s = try view.snapshot()
                if s.size > 0 {
                    let now = max(view.clock(), s.state.lastTime)
                    let due = DomainEvents.deadlines(state: s.state, now: now, horizon: horizon, id: s.size - 1)
                        .filter { announced.insert($0.key).inserted }
                    if !due.isEmpty { stream.hub.publish(due.map(\.event.text)) }
                }
            } catch {
                logger.error("events: \(error)")
            }
            sinceKeepAlive += configuration.checkInterval
            if sinceKeepAlive >= configuration.keepAlive {
                sinceKeepAlive = .zero
                stream.hub.publish([": keep-alive\n\n"])
            }
        }
        stream.hub.finishAll()
    }
}
