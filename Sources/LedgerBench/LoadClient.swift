import CEpoll
import Foundation
import LedgerTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The requests of a load run: each one's whole HTTP/1.1 bytes (head and body), built once,
/// back to back in one buffer.
struct LoadRequests: Sendable {
    private(set) var bytes: [UInt8] = []
    /// Request k is `bytes[ends[k - 1]..<ends[k]]` (from 0 for the first).
    private(set) var ends: [Int] = []

    /// `POST /api/v1/entries` of each body to `127.0.0.1:port`.
    init(bodies: some Collection<[UInt8]>, port: Int) {
        bytes.reserveCapacity(bodies.reduce(0) { $0 + $1.count + 128 })
        ends.reserveCapacity(bodies.count)
        let head = "POST /api/v1/entries HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n"
        for body in bodies {
            bytes += head.utf8
            bytes += "Content-Length: \(body.count)\r\n\r\n".utf8
            bytes += body
            ends.append(bytes.count)
        }
    }

    /// `GET` of each path in `paths` from `127.0.0.1:port`.
    init(gets paths: [String], port: Int) {
        for path in paths {
            bytes += "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8
            ends.append(bytes.count)
        }
    }

    var count: Int { ends.count }

    /// The bytes of request `k`; past the last, the requests start over (request `k % count`).
    func range(_ k: Int) -> Range<Int> {
        let k = k % ends.count
        return (k == 0 ? 0 : ends[k - 1])..<ends[k]
    }
}

/// Closed-loop (or paced) clients over keep-alive HTTP/1.1 connections to 127.0.0.1, all
/// driven by one thread with non-blocking sockets and `epoll`: the generator costs little
/// CPU, so that the server gets the cores.
struct LoadClient {
    var accepted = 0
    var serverErrors = 0
    var other = 0
    var elapsed = 0.0
    /// Bytes received, heads included.
    var bytes = 0
    var latenciesMilliseconds: [Double] = []
    /// Why requests failed without a reply (counted in ``serverErrors``), with how many each.
    var failures: [String: Int] = [:]

    /// How long a request may wait for its reply before it counts as failed (as the blocking
    /// client's 30 s receive timeout did).
    static let replyTimeout = 30.0

    func percentile(_ p: Double) -> Double {
        guard !latenciesMilliseconds.isEmpty else { return 0 }
        let sorted = latenciesMilliseconds.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    /// Sends `requests[range]` (request `k` is `requests.range(k)`, so a range past the last
    /// request starts them over) over `connections` connections until they are all answered or
    /// `seconds` pass (no request starts later; those under way are awaited). Without `rate`,
    /// each connection sends its next request as soon as the reply to the last one is in (closed
    /// loop). With `rate`, request k is scheduled at start + k / rate, sent then on an idle
    /// connection (or as soon as one is idle), and its latency counts from its scheduled time.
    /// A reply of 2xx is accepted, 5xx or a failed connection a server error, any other status
    /// other.
    /// `bufferSize` is each connection's receive buffer (the bytes of one `recv`).
    static func run(
        port: Int, requests: LoadRequests, range: Range<Int>, connections: Int, seconds: Double, rate: Double?,
        bufferSize: Int = 8192
    ) -> LoadClient {
        var loop = LoadLoop(
            port: port, requests: requests, range: range, connections: connections, bufferSize: bufferSize)
        defer { loop.close() }
        return loop.run(seconds: seconds, rate: rate)
    }
}

/// The event loop of ``LoadClient/run(port:requests:range:connections:seconds:rate:)``.
private struct LoadLoop: ~Copyable {
    struct Connection {
        var fd: Int32 = -1
        /// The request under way, or -1 when idle.
        var request = -1
        var scheduled = 0.0
        var sentAt = 0.0
        var sent = 0
        var received = 0
        var head: HTTPReplyHead?
        var wantsWrite = false
    }

    let port: Int
    let requests: LoadRequests
    let range: Range<Int>
    var connections: [Connection]
    var idle: [Int]
    let epoll: Int32
    /// Each connection's receive buffer, `bufferSize` bytes at `index * bufferSize`.
    let buffers: UnsafeMutableRawBufferPointer
    let bufferSize: Int
    var result = LoadClient()
    var inFlight = 0

    init(port: Int, requests: LoadRequests, range: Range<Int>, connections: Int, bufferSize: Int) {
        self.port = port
        self.bufferSize = bufferSize
        self.requests = requests
        self.range = range
        self.connections = Array(repeating: Connection(), count: connections)
        idle = Array((0..<connections).reversed())
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        buffers = .allocate(byteCount: connections * bufferSize, alignment: 16)
        result.latenciesMilliseconds.reserveCapacity(min(range.count, 1 << 22))
    }

    mutating func close() {
        for c in connections where c.fd >= 0 { Glibc.close(c.fd) }
        if epoll >= 0 { Glibc.close(epoll) }
        buffers.deallocate()
    }

    mutating func run(seconds: Double, rate: Double?) -> LoadClient {
        let start = BenchSystem.monotonicSeconds()
        var next = range.lowerBound
        var lastTimeoutCheck = start
        var events = [epoll_event](repeating: epoll_event(), count: connections.count)
        guard epoll >= 0 else {
            result.serverErrors = range.count
            return result
        }
        while true {
            var now = BenchSystem.monotonicSeconds()
            // Start what is due on the idle connections.
            while !idle.isEmpty, next < range.upperBound, now - start < seconds {
                let scheduled = rate.map { start + Double(next - range.lowerBound) / $0 } ?? now
                guard scheduled <= now else { break }
                begin(idle.removeLast(), request: next, scheduled: scheduled, now: now)
                next += 1
            }
            let open = next < range.upperBound && now - start < seconds
            guard inFlight > 0 || open else { break }
            // Wait for replies, the next scheduled request or the end of the phase.
            var wake = now + 1
            if open {
                wake = min(wake, start + seconds)
                if let rate, !idle.isEmpty { wake = min(wake, start + Double(next - range.lowerBound) / rate) }
            }
            let timeout = Int32(max(0, ((wake - now) * 1000).rounded(.up)))
            let ready = events.withUnsafeMutableBufferPointer {
                epoll_wait(epoll, $0.baseAddress, Int32($0.count), timeout)
            }
            now = BenchSystem.monotonicSeconds()
            for e in events.prefix(Int(max(0, ready))) {
                let k = Int(e.data.u32)
                if e.events & (EPOLLOUT.rawValue | EPOLLERR.rawValue) != 0, connections[k].wantsWrite { send(k) }
                if e.events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0, connections[k].fd >= 0 {
                    receive(k, now: now)
                }
            }
            if now - lastTimeoutCheck >= 1 {
                lastTimeoutCheck = now
                for k in connections.indices
                where connections[k].request >= 0 && now - connections[k].sentAt > LoadClient.replyTimeout {
                    fail(k, "no reply in \(Int(LoadClient.replyTimeout)) s")
                }
            }
        }
        result.elapsed = BenchSystem.monotonicSeconds() - start
        return result
    }

    /// Sends `request` on connection `k`, connecting first when it has no socket.
    mutating func begin(_ k: Int, request: Int, scheduled: Double, now: Double) {
        if connections[k].fd < 0 {
            let fd: Int32
            do { fd = try LoopbackSocket.connect(port: port) } catch {
                result.serverErrors += 1
                result.failures["\(error)", default: 0] += 1
                idle.append(k)
                return
            }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            guard watch(fd, k, writable: false, op: EPOLL_CTL_ADD) else {
                Glibc.close(fd)
                result.serverErrors += 1
                result.failures["epoll_ctl: errno \(errno)", default: 0] += 1
                idle.append(k)
                return
            }
            connections[k].fd = fd
        }
        connections[k].request = request
        connections[k].scheduled = scheduled
        connections[k].sentAt = now
        connections[k].sent = 0
        connections[k].received = 0
        connections[k].head = nil
        inFlight += 1
        send(k)
    }

    /// Sends what the socket takes of connection `k`'s request; watches for `EPOLLOUT` when it
    /// takes less than all.
    mutating func send(_ k: Int) {
        let c = connections[k]
        let r = requests.range(c.request)
        let n = requests.bytes.withUnsafeBytes { all in
            Glibc.send(c.fd, all.baseAddress! + r.lowerBound + c.sent, r.count - c.sent, Int32(MSG_NOSIGNAL))
        }
        if n < 0 {
            guard errno == EAGAIN || errno == EWOULDBLOCK else { return fail(k, "send: errno \(errno)") }
        } else {
            connections[k].sent += n
        }
        let wantsWrite = connections[k].sent < r.count
        guard wantsWrite != c.wantsWrite else { return }
        connections[k].wantsWrite = wantsWrite
        guard watch(c.fd, k, writable: wantsWrite, op: EPOLL_CTL_MOD) else {
            return fail(k, "epoll_ctl: errno \(errno)")
        }
    }

    /// Adds or changes `fd` (connection `k`) in the epoll set: readable, and writable when asked.
    func watch(_ fd: Int32, _ k: Int, writable: Bool, op: Int32) -> Bool {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | (writable ? EPOLLOUT.rawValue : 0)
        event.data.u32 = UInt32(k)
        return epoll_ctl(epoll, op, fd, &event) == 0
    }

    /// Reads what connection `k` has; completes its request when the whole reply is in.
    mutating func receive(_ k: Int, now: Double) {
        let c = connections[k]
        let buffer = UnsafeMutableRawBufferPointer(
            rebasing: buffers[(k * bufferSize)...].prefix(bufferSize))
        // Until the head is parsed the bytes are kept; after it, the body is only counted.
        let into = c.head == nil ? c.received : 0
        let n = recv(c.fd, buffer.baseAddress! + into, buffer.count - into, 0)
        if n < 0, errno == EAGAIN || errno == EWOULDBLOCK { return }
        guard c.request >= 0 else {
            // The server closed an idle connection (or sent what no request asked for).
            dropSocket(k)
            return
        }
        guard n > 0 else { return fail(k, n == 0 ? "closed by the server" : "recv: errno \(errno)") }
        connections[k].received += n
        result.bytes += n
        if connections[k].head == nil {
            switch HTTPReplyHead.parse(UnsafeRawBufferPointer(rebasing: buffer.prefix(connections[k].received))) {
            case .incomplete:
                guard connections[k].received < buffer.count else { return fail(k, "reply head too long") }
                return
            case .malformed: return fail(k, "not an HTTP reply")
            case .head(let head): connections[k].head = head
            }
        }
        guard let head = connections[k].head, connections[k].received >= head.headLength + head.contentLength else {
            return
        }
        result.latenciesMilliseconds.append((now - c.scheduled) * 1000)
        switch head.status {
        case 200..<300: result.accepted += 1
        case 500...: result.serverErrors += 1
        default: result.other += 1
        }
        finish(k)
    }

    /// Connection `k`'s request failed (the connection broke, timed out or sent no HTTP): a
    /// server error; the socket is closed and the next request on `k` connects again.
    mutating func fail(_ k: Int, _ why: String) {
        result.serverErrors += 1
        result.failures[why, default: 0] += 1
        dropSocket(k)
        finish(k)
    }

    mutating func finish(_ k: Int) {
        guard connections[k].request >= 0 else { return }
        connections[k].request = -1
        inFlight -= 1
        idle.append(k)
    }

    mutating func dropSocket(_ k: Int) {
        guard connections[k].fd >= 0 else { return }
        Glibc.close(connections[k].fd)
        connections[k].fd = -1
        connections[k].wantsWrite = false
    }
}
