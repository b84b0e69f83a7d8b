import Dispatch
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
    /// Entries whose events are built, and written to a client, at a time.
    package var replayStep: Int64 = 1_000
    /// Entries whose events are kept for the clients that resume with `Last-Event-ID` (at
    /// least this many of the latest): older events are not sent, a `truncated` event is.
    package var replayLimit: Int64 = 10_000

    package init() {}
}

/// `GET /api/v1/events` and the service that feeds it.
package final class EventStream<Store: LedgerStore>: Sendable {
    package let view: DomainView<Store>
    package let configuration: EventStreamConfiguration
    package let hub: EventHub
    /// The events of the latest entries, built once and shared by the clients.
    package let window: EventWindow
    /// Where the service logs (the server's logger: `--log-level` applies).
    let logger: Logger

    /// Events start at the checkpoint published now: earlier entries are sent only to a
    /// client that resumes with `Last-Event-ID`.
    package init(
        view: DomainView<Store>, configuration: EventStreamConfiguration = .init(),
        logger: Logger = Logger(label: "ledger.serve.events")
    ) {
        self.view = view
        self.configuration = configuration
        self.logger = logger
        let size = view.log.view.size
        hub = EventHub(through: size, bufferLimit: configuration.bufferLimit)
        window = EventWindow(end: size, limit: configuration.replayLimit, step: configuration.replayStep)
    }

    /// Builds the events of the entries published since the last call (once, whoever calls),
    /// and returns the end of the entries whose events exist; on an error the window stays as
    /// it was, and the error is logged.
    @discardableResult
    func catchUp() -> Int64 {
        do { return try window.update(from: view) } catch {
            logger.error("events: \(error)")
            return window.entries.upperBound
        }
    }

    /// Builds the events of what is published now (``catchUp()``, on a dispatch queue: it may
    /// read up to ``EventStreamConfiguration/replayLimit`` entries, which must not hold a thread
    /// of the concurrency pool) and tells the clients. Whoever builds the events tells the
    /// clients, so no checkpoint's events are held back whichever of the service or a request
    /// got there first (a repeated `advance` to the same end is a no-op for a client).
    @discardableResult
    func publishNew() async -> Int64 {
        let end = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.catchUp()) }
        }
        if end > hub.through { hub.advance(to: end) }
        return end
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
            // The events of what is published now exist, and the clients were told of them,
            // before this client subscribes: it starts at the checkpoint published now.
            await self.publishNew()
            let (id, stream, through) = self.hub.subscribe()
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
                    try await self.send(from: &next, to: through, writer: &writer)
                    // The server waits for the requests in flight before it stops, and this one
                    // would never end: graceful shutdown ends the stream.
                    try await withGracefulShutdownHandler {
                        for await message in stream {
                            switch message {
                            case .text(let text): try await writer.write(ByteBuffer(string: text))
                            case .advance(let size):
                                try await self.send(from: &next, to: size, writer: &writer)
                            }
                        }
                    } onGracefulShutdown: {
                        self.hub.finish(id)
                    }
                    try await writer.finish(nil)
                })
        }
    }

    /// Writes the events of the entries from `next` up to `end` (not included), from the
    /// shared ``EventWindow``, one step at a time; `next` ends past the last entry written.
    /// When the window no longer has the events from `next` on, a `truncated` event says so
    /// and the events from the window's first entry follow.
    func send(from next: inout Int64, to end: Int64, writer: inout some ResponseBodyWriter) async throws {
        while next < end, let chunk = window.chunk(from: next, to: end) {
            if let resumedAt = chunk.truncatedAt {
                let notice = ServerEvent(
                    id: resumedAt - 1, name: "truncated",
                    data: ["from": .integer(next), "resumedAt": .integer(resumedAt)])
                try await writer.write(ByteBuffer(string: notice.text))
            }
            if !chunk.text.isEmpty { try await writer.write(ByteBuffer(string: chunk.text)) }
            next = chunk.next
        }
    }
}
