import HTTPTypes
import Hummingbird
import LedgerCore
import LedgerServer
import Logging
import ServiceLifecycle

/// How the event stream behaves (specs/api.md, "Events").
package struct EventStreamConfiguration: Sendable {
    /// How often the published checkpoint is looked at (the published view is in memory).
    package var checkInterval: Duration = .seconds(1)
    /// A comment line (`: keep-alive`) is sent this often.
    package var keepAlive: Duration = .seconds(15)
    /// A `deadline` event is sent when a proposal's deadline is this close.
    package var deadlineHorizon: Duration = .seconds(3 * 86_400)
    /// Events a client may have waiting; a client that falls further behind is dropped.
    package var bufferLimit = 256
    /// Entries whose events a client builds and writes at a time (after `Last-Event-ID`, and
    /// when a checkpoint covers many new entries).
    package var replayStep: Int64 = 1_000

    package init() {}
}

/// `GET /api/v1/events` and the service that feeds it.
package final class EventStream<Store: LedgerStore>: Sendable {
    package let view: DomainView<Store>
    package let configuration: EventStreamConfiguration
    package let hub: EventHub

    /// Events start at the checkpoint published now: earlier entries are sent only to a
    /// client that resumes with `Last-Event-ID`.
    package init(view: DomainView<Store>, configuration: EventStreamConfiguration = .init()) {
        self.view = view
        self.configuration = configuration
        hub = EventHub(through: view.log.view.size, bufferLimit: configuration.bufferLimit)
    }

    /// The service that watches the published checkpoint and the clock.
    package var service: some Service { EventService(stream: self) }

    /// The `Last-Event-ID` header field.
    static var lastEventID: HTTPField.Name { HTTPField.Name("Last-Event-ID")! }

    func register(on router: Router<BasicRequestContext>) {
        router.get("api/v1/events") { request, context -> Response in
            var resume: Int64?
            if let raw = request.headers[EventStream.lastEventID] {
                guard let n = Int64(raw), n >= 0, String(n) == raw else {
                    throw APIProblem(
                        status: .badRequest,
                        detail: "Last-Event-ID: \"\(raw)\" is not an entry index (a decimal integer)",
                        members: ["parameter": "Last-Event-ID"])
                }
                resume = n
            }
            let (id, stream, through) = self.hub.subscribe()
            let logger = context.logger
            // The first entry whose events this client has not been sent.
            // (`resume` may be Int64.max: no `+ 1` before the comparison.)
            let start = resume.map { $0 >= through ? through : $0 + 1 } ?? through
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    defer { self.hub.remove(id) }
                    try await writer.write(ByteBuffer(string: ": minilateral ledger events\n\n"))
                    var next = start
                    try await self.send(from: &next, to: through, writer: &writer, logger: logger)
                    // The server waits for the requests in flight before it stops, and this one
                    // would never end: graceful shutdown ends the stream.
                    try await withGracefulShutdownHandler {
                        for await message in stream {
                            switch message {
                            case .text(let text): try await writer.write(ByteBuffer(string: text))
                            case .advance(let size):
                                try await self.send(from: &next, to: size, writer: &writer, logger: logger)
                            }
                        }
                    } onGracefulShutdown: {
                        self.hub.finish(id)
                    }
                    try await writer.finish(nil)
                })
        }
    }

    /// Writes the events of the entries from `next` up to `end` (not included), built from the
    /// published state in steps of ``EventStreamConfiguration/replayStep`` entries, so that
    /// memory stays bounded; `next` ends past the last entry written.
    func send(
        from next: inout Int64, to end: Int64, writer: inout some ResponseBodyWriter, logger: Logger
    ) async throws {
        guard next < end else { return }
        let snapshot: DomainView<Store>.Snapshot
        do { snapshot = try view.snapshot() } catch {
            logger.error("events: \(error)")
            return
        }
        let end = min(end, snapshot.size)
        while next < end {
            let upper = min(end, next + configuration.replayStep)
            let events: [ServerEvent]
            do { events = try DomainEvents.events(next..<upper, state: snapshot.state, ledger: view.ledger) } catch {
                logger.error("events: entries \(next)..<\(upper): \(error)")
                return
            }
            try await writer.write(ByteBuffer(string: events.map(\.text).joined()))
            next = upper
        }
    }
}
