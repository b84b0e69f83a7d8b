import Synchronization

/// What the hub sends a client: text to write as it is (a `deadline` event, a keep-alive
/// comment), or news that events exist up to an entry index (in the shared ``EventWindow``).
enum EventMessage: Sendable {
    case text(String)
    case advance(Int64)
}

/// Fans messages out to the connected clients, each through a bounded buffer.
///
/// Entry events are not queued per client: they are built once, into the shared
/// ``EventWindow``, and a message says how far they go; each client then writes the events of
/// the entries it has not sent yet from the window, a step at a time, as fast as it writes. So
/// a checkpoint that covers many new entries costs each client one message, and the events are
/// built once for all the clients.
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
