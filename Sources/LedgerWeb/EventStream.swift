import Consensus
import HTTPTypes
import Hummingbird
import LedgerCore
import LedgerReports
import LedgerServer
import Logging
import ServiceLifecycle
import Synchronization

/// One server-sent event: `id: <entry index>`, `event: <name>`, `data: <one JSON line>`.
package struct ServerEvent: Sendable, Hashable {
    /// The entry the event is about; for `deadline`, the last entry published when it was sent.
    package let id: Int64
    /// `entry`, `position`, `decision` or `deadline`.
    package let name: String
    package let data: JSONValue

    package init(id: Int64, name: String, data: JSONValue) {
        self.id = id
        self.name = name
        self.data = data
    }

    /// The event as the stream sends it.
    package var text: String { "id: \(id)\nevent: \(name)\ndata: \(data.canonicalString)\n\n" }
}

/// The events that entries and deadlines give rise to (specs/api.md, "Events").
enum DomainEvents {
    /// The events of entries `range`, in entry order (each entry's `entry` event first), read
    /// from `ledger` and described with `state`, which must cover them.
    static func events<Store: LedgerStore>(
        _ range: Range<Int64>, state: NegotiationRules, ledger: StoreLedger<NegotiationRules, Store>
    ) throws -> [ServerEvent] {
        var out: [ServerEvent] = []
        /// Position changes by proposal, read once for all the positions on it in `range`.
        var changes: [String: [UInt64: PositionChange]] = [:]
        for i in range {
            let e = try ledger.entry(i)
            let st = e.statement
            let body = st.body
            let target = st.kind == "proposal" ? body["id"]?.stringValue : body["proposal"]?.stringValue
            let proposal = target.flatMap { state.proposal($0) }
            let summary =
                proposal.map { state.historyEvent(of: $0, entry: e).summary } ?? "\(st.kind) \(entrySummary(body))"
            out.append(
                ServerEvent(
                    id: i, name: "entry",
                    data: [
                        "index": .integer(i), "time": .string(e.time.rfc3339), "kind": .string(st.kind),
                        "signer": .string(st.signer.name), "summary": .string(summary),
                    ]))
            guard let p = proposal else { continue }
            if st.kind == "position" {
                if changes[p.id] == nil {
                    let history = try p.entryIndices.filter { $0 < UInt64(range.upperBound) }.map {
                        state.historyEvent(of: p, entry: try ledger.entry(Int64($0)))
                    }
                    changes[p.id] = Dictionary(
                        uniqueKeysWithValues: PositionChange.changes(history).map { ($0.index, $0) })
                }
                guard let c = changes[p.id]?[e.index] else { continue }
                var data: [String: JSONValue] = [
                    "index": .integer(i), "proposal": .string(p.id), "forum": .string(p.forum),
                    "party": .string(c.party), "stance": .string(c.stance.rawValue),
                    "was": c.was.map { .string($0.rawValue) } ?? .null,
                    "revisionEntry": .integer(Int64(c.revisionEntry)),
                ]
                if let r = c.reason { data["reason"] = .string(r) }
                out.append(ServerEvent(id: i, name: "position", data: .object(data)))
            } else if st.kind == "decision", let outcome = body["outcome"]?.stringValue {
                out.append(
                    ServerEvent(
                        id: i, name: "decision",
                        data: [
                            "index": .integer(i), "proposal": .string(p.id), "forum": .string(p.forum),
                            "outcome": .string(outcome),
                        ]))
            }
        }
        return out
    }

    /// `deadline` events for the proposals still open or blocked at `now` whose deadline is
    /// within `horizon` seconds, each with its key (proposal and deadline: sent once).
    static func deadlines(
        state: NegotiationRules, now: Timestamp, horizon: Int64, id: Int64
    ) -> [(key: String, event: ServerEvent)] {
        state.statuses(at: now).compactMap { st in
            let d = st.proposal.current.deadline
            guard !st.state.isFinal, now < d, d.secondsSinceEpoch - now.secondsSinceEpoch <= horizon else {
                return nil
            }
            let event = ServerEvent(
                id: id, name: "deadline",
                data: [
                    "proposal": .string(st.proposal.id), "forum": .string(st.proposal.forum),
                    "state": .string(st.state.rawValue), "deadline": .string(d.rfc3339),
                    "revision": .integer(Int64(st.proposal.current.number)),
                    "secondsLeft": .integer(d.secondsSinceEpoch - now.secondsSinceEpoch),
                ])
            return ("\(st.proposal.id)@\(d.rfc3339)", event)
        }
    }
}

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

/// What the hub sends a client: text to write as it is (a `deadline` event, a keep-alive
/// comment), or news that events exist up to an entry index (the client builds them itself).
enum EventMessage: Sendable {
    case text(String)
    case advance(Int64)
}

/// Fans messages out to the connected clients, each through a bounded buffer.
///
/// Entry events are not queued: a message says how far the published checkpoint has grown, and
/// each client builds the events of the entries it has not sent yet, from the published state,
/// in steps, as fast as it writes them. So a checkpoint that covers a million new entries costs
/// each client one message and memory for one step.
package final class EventHub: Sendable {
    private struct State {
        var clients: [Int: AsyncStream<EventMessage>.Continuation] = [:]
        var next = 0
        /// Clients have been told of every entry before this index.
        var through: Int64
    }

    private let state: Mutex<State>
    package let bufferLimit: Int

    package init(through: Int64, bufferLimit: Int) {
        state = Mutex(State(through: through))
        self.bufferLimit = bufferLimit
    }

    /// A new client: its id, its stream, and the entry index clients were told of so far.
    func subscribe() -> (id: Int, stream: AsyncStream<EventMessage>, through: Int64) {
        let (stream, continuation) = AsyncStream<EventMessage>.makeStream(
            bufferingPolicy: .bufferingOldest(bufferLimit))
        let (id, through) = state.withLock { s in
            let id = s.next
            s.next += 1
            s.clients[id] = continuation
            return (id, s.through)
        }
        continuation.onTermination = { [weak self] _ in self?.remove(id) }
        return (id, stream, through)
    }

    func remove(_ id: Int) { _ = state.withLock { $0.clients.removeValue(forKey: id) } }

    /// Ends client `id`'s stream.
    func finish(_ id: Int) { state.withLock { $0.clients.removeValue(forKey: id) }?.finish() }

    /// The number of connected clients.
    package var clientCount: Int { state.withLock { $0.clients.count } }

    /// The entry index clients were told of so far.
    package var through: Int64 { state.withLock { $0.through } }

    /// Sends `texts` to every client.
    package func publish(_ texts: [String]) { send(texts.map(EventMessage.text)) }

    /// Tells every client that events exist for the entries before `size`.
    func advance(to size: Int64) {
        send([.advance(size)]) { $0.through = max($0.through, size) }
    }

    /// Sends `messages` to every client (after `update`, under the same lock). A client whose
    /// buffer is full is dropped: its stream ends, and so does its response.
    private func send(_ messages: [EventMessage], update: (inout State) -> Void = { _ in }) {
        let dropped = state.withLock { s -> [AsyncStream<EventMessage>.Continuation] in
            update(&s)
            var dropped: [AsyncStream<EventMessage>.Continuation] = []
            for (id, c) in s.clients {
                for m in messages {
                    if case .dropped = c.yield(m) {
                        dropped.append(c)
                        s.clients[id] = nil
                        break
                    }
                }
            }
            return dropped
        }
        // Finished outside the lock: finishing runs onTermination, which takes it.
        for c in dropped { c.finish() }
    }

    /// Ends every client's stream (at shutdown).
    func finishAll() {
        let all = state.withLock { s in
            defer { s.clients = [:] }
            return Array(s.clients.values)
        }
        for c in all { c.finish() }
    }
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
            let start = resume.map { min($0 + 1, through) } ?? through
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

/// Watches the published checkpoint: when it grows, tells the clients (which send the events
/// of the new entries); sends `deadline` events as deadlines come within the horizon, and
/// keep-alive comments.
struct EventService<Store: LedgerStore>: Service {
    let stream: EventStream<Store>

    func run() async throws {
        let view = stream.view
        let configuration = stream.configuration
        let logger = Logger(label: "ledger.serve.events")
        var announced = Set<String>()
        var sinceKeepAlive = Duration.zero
        let horizon = configuration.deadlineHorizon.components.seconds
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: configuration.checkInterval) }
            guard !Task.isShuttingDownGracefully && !Task.isCancelled else { break }
            let size = view.log.view.size
            if size > stream.hub.through { stream.hub.advance(to: size) }
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
