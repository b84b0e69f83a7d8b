import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A client of a server-sent event stream for tests: one loopback connection that sends a GET
/// and reads the response as it arrives (chunked transfer coding decoded). The blocking socket
/// work runs on its own thread, never on the Swift concurrency pool that an in-process server
/// needs.
package final class EventStreamTestClient: @unchecked Sendable {
    // @unchecked: `fd` is set once in init; `head`, `body` and `raw` are only touched by
    // `read(until:seconds:)`, which callers await one at a time (it is not reentrant: a test
    // reads one stream from one task).
    private let fd: Int32
    private var raw: [UInt8] = []
    private var headerEnd: Int?
    private var chunkOffset = 0
    /// The response's status line and header fields, once read.
    package private(set) var head = ""
    /// The body decoded so far.
    package private(set) var body = ""
    /// Whether the body has ended (the last chunk of a chunked body arrived).
    package private(set) var ended = false

    /// Connects to `port` and sends `GET path` with `headers`. With `receiveBuffer`, the
    /// socket's receive buffer is set that small first (a client that reads slowly).
    package init(port: Int, path: String, headers: [String: String] = [:], receiveBuffer: Int32? = nil) throws {
        fd = try LoopbackSocket.connect(port: port, receiveBuffer: receiveBuffer)
        let fields = headers.map { "\($0.key): \($0.value)\r\n" }.joined()
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\(fields)\r\n".utf8)
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == request.count else {
            close(fd)
            throw EventStreamTestClient.Failure(description: "send: errno \(errno)")
        }
    }

    deinit { close(fd) }

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
        package init(description: String) { self.description = description }
    }

    /// A whole response to `GET path`, sent with `Connection: close` and read until the
    /// server closes the connection.
    package static func get(port: Int, _ path: String, headers: [String: String] = [:]) async throws
        -> EventStreamTestClient
    {
        var fields = headers
        fields["Connection"] = "close"
        let client = try EventStreamTestClient(port: port, path: path, headers: fields)
        _ = try await client.read(until: { _ in false }, seconds: 30)
        guard client.status != nil else { throw Failure(description: "GET \(path): no response") }
        return client
    }

    /// The value of header field `name` (case-insensitive) in ``head``.
    package func header(_ name: String) -> String? {
        for line in head.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == name.lowercased() {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// Reads until `done(body)` holds, the server closes the connection, or `seconds` pass;
    /// returns whether `done` held. The default is long (90 s): it only matters when what is
    /// awaited is late, and while the whole suite runs on two cores, synchronous tests that wait
    /// for child processes hold the concurrency pool's threads, so an in-process server's
    /// timers can run tens of seconds late. Waits that expect nothing give a short `seconds`.
    package func read(until done: @escaping @Sendable (String) -> Bool, seconds: Double = 90) async throws -> Bool {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try self.readBlocking(until: done, seconds: seconds) })
            }.start()
        }
    }

    /// Reads until the response's body has ended (its last chunk arrived), the server closes
    /// the connection, or `seconds` pass; returns whether the body ended.
    package func readToEnd(seconds: Double = 20) async throws -> Bool {
        try await read(until: { [unowned self] _ in self.ended }, seconds: seconds)
    }

    private func readBlocking(until done: (String) -> Bool, seconds: Double) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !done(body) {
            guard Date() < deadline else { return false }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return done(body) }
            if n < 0 {
                guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                    throw EventStreamTestClient.Failure(description: "recv: errno \(errno)")
                }
                continue
            }
            raw += chunk[..<n]
            decode()
        }
        return true
    }

    /// Moves what has arrived into ``head`` and ``body``.
    private func decode() {
        if headerEnd == nil {
            let separator = Array("\r\n\r\n".utf8)
            guard raw.count >= 4,
                let end = (0...(raw.count - 4)).first(where: { raw[$0..<$0 + 4].elementsEqual(separator) })
            else { return }
            headerEnd = end + 4
            chunkOffset = end + 4
            head = String(decoding: raw[..<end], as: UTF8.self)
        }
        let chunked = head.lowercased().contains("transfer-encoding: chunked")
        guard chunked else {
            body += String(decoding: raw[chunkOffset...], as: UTF8.self)
            chunkOffset = raw.count
            return
        }
        while true {
            guard
                let lineEnd = (chunkOffset..<max(chunkOffset, raw.count - 1)).first(where: {
                    raw[$0] == 0x0d && raw[$0 + 1] == 0x0a
                })
            else { return }
            let sizeText = String(decoding: raw[chunkOffset..<lineEnd], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";")[0], radix: 16) else { return }
            let start = lineEnd + 2
            guard raw.count >= start + size + 2 else { return }
            body += String(decoding: raw[start..<(start + size)], as: UTF8.self)
            chunkOffset = start + size + 2
            if size == 0 {
                ended = true
                return
            }
        }
    }

    /// The status code of the response, once its head was read.
    package var status: Int? {
        let parts = head.split(separator: " ")
        return parts.count >= 2 ? Int(parts[1]) : nil
    }
}

/// One event of a `text/event-stream` body.
package struct ParsedEvent: Sendable, Hashable {
    package var id: String?
    package var event: String?
    package var data: String

    /// The events in `text` (complete ones: ended by a blank line); comments are skipped.
    package static func parse(_ text: String) -> [ParsedEvent] {
        var out: [ParsedEvent] = []
        for block in text.components(separatedBy: "\n\n").dropLast() {
            var e = ParsedEvent(id: nil, event: nil, data: "")
            var hasField = false
            for line in block.split(separator: "\n", omittingEmptySubsequences: true) where !line.hasPrefix(":") {
                hasField = true
                let (name, value) =
                    line.firstIndex(of: ":").map {
                        (String(line[..<$0]), String(line[line.index(after: $0)...]).drop { $0 == " " })
                    } ?? (String(line), "")
                switch name {
                case "id": e.id = String(value)
                case "event": e.event = String(value)
                case "data": e.data += e.data.isEmpty ? String(value) : "\n" + value
                default: break
                }
            }
            if hasField { out.append(e) }
        }
        return out
    }
}
