import Foundation
import LedgerCore
import LedgerServer
import LedgerTestSupport
import NIOCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Cached tiles answered on the event loop (`TileFastPathHandler`): the router's reply byte for
/// byte, in order behind pipelined requests, and never for a request the router must see.
@Suite struct TileFastPathTests {
    /// 66,000 synthetic entries: full and partial tiles at levels 0 and 1, and entry bundles.
    static let paths = [
        "/tile/0/001", "/tile/0/257.p/208", "/tile/1/000", "/tile/1/001.p/1", "/tile/entries/000",
        "/tile/entries/257.p/208",
    ]

    static func ledger(_ tag: String) throws -> SyntheticLedger {
        var ledger = try SyntheticLedger(tag: tag)
        try ledger.append(upTo: 66_000)
        try ledger.signCheckpoint()
        return ledger
    }

    static func answeredOnEventLoop(_ server: RunningServer) async throws -> Double {
        let text = try await server.get("/metrics").text
        return metricValue(
            text, "ledger_http_requests_answered_on_event_loop_total{route=\"/tile/**\"}") ?? 0
    }

    @Test func aCachedTileIsAnsweredOnTheEventLoopWithTheRoutersReply() async throws {
        let ledger = try Self.ledger("fast-same")
        defer { ledger.remove() }
        let log = try ledger.published()
        let fast = try await RunningServer.start(log, extras: ServerExtras(metrics: ServerMetrics()))
        let routed = try await RunningServer.start(
            try ledger.published(), extras: ServerExtras(metrics: ServerMetrics()), answersOnEventLoop: false
        )
        try await fast.serving { fast in
            try await routed.serving { routed in
                let connection = try RawHTTPConnection(port: fast.port)
                let other = try RawHTTPConnection(port: routed.port)
                for (k, path) in Self.paths.enumerated() {
                    // A miss goes to the router, which builds and caches the tile; the hit that
                    // follows on the same connection is answered on the event loop.
                    let miss = try await connection.exchange([RawHTTPConnection.request(path)])[0]
                    let hit = try await connection.exchange([RawHTTPConnection.request(path)])[0]
                    #expect(try await Self.answeredOnEventLoop(fast) == Double(k + 1), "\(path)")
                    #expect(miss.status == 200 && miss.body.count > 0, "\(path)")
                    let sameAsMiss = hit.withoutDate == miss.withoutDate
                    #expect(sameAsMiss, "\(path): the hit's reply differs from the miss's")
                    // The same two requests to a server without the fast path: the same bytes.
                    for _ in 0..<2 {
                        let reply = try await other.exchange([RawHTTPConnection.request(path)])[0]
                        let sameAsRouted = reply.withoutDate == hit.withoutDate
                        #expect(sameAsRouted, "\(path): the router-only server's reply differs")
                    }
                    #expect(
                        hit.date.wholeMatch(
                            of: /(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT/) != nil)
                }
                #expect(try await Self.answeredOnEventLoop(routed) == 0)
                // Both requests of each path are counted as the router counts tile requests.
                let text = try await fast.get("/metrics").text
                let series = "ledger_http_requests_total{method=\"GET\",route=\"/tile/**\",status=\"200\"}"
                #expect(metricValue(text, series) == Double(2 * Self.paths.count))
            }
        }
    }

    @Test func pipelinedRepliesComeInRequestOrder() async throws {
        let ledger = try Self.ledger("fast-order")
        defer { ledger.remove() }
        let log = try ledger.published()
        let fast = try await RunningServer.start(log, extras: ServerExtras(metrics: ServerMetrics()))
        try await fast.serving { fast in
            let a = "/tile/0/001"
            let b = "/tile/entries/000"
            let expected = [
                a: try log.tileBody(#require(TilePath(parsing: "0/001")))!,
                b: try log.tileBody(#require(TilePath(parsing: "entries/000")))!,
            ]
            let proof = try await fast.get("/proof/300").body
            let checkpoint = try await fast.get("/checkpoint").body
            let connection = try RawHTTPConnection(port: fast.port)
            // A cached tile first (answered at once), then one the router answers (slower), then
            // cached ones: these wait for the router's reply.
            let order = [a, "/proof/300", b, "/checkpoint", "/tile/0/002", a]
            let replies = try await connection.exchange(order.map { RawHTTPConnection.request($0) })
            #expect(replies.map(\.status) == Array(repeating: 200, count: order.count))
            // Compared as Booleans: a failure names the reply, not its thousands of bytes.
            let bodies = replies.map(\.body)
            let same = [
                bodies[0] == Array(buffer: expected[a]!), bodies[1] == proof, bodies[2] == Array(buffer: expected[b]!),
                bodies[3] == checkpoint, bodies[4].count == 256 * 32, bodies[5] == Array(buffer: expected[a]!),
            ]
            #expect(same == Array(repeating: true, count: order.count), "replies in the order \(order)")
            // The first was answered on the event loop.
            #expect(try await Self.answeredOnEventLoop(fast) >= 1)
        }
    }

    @Test func requestsTheRouterMustSeeAreNotAnsweredOnTheEventLoop() async throws {
        let ledger = try Self.ledger("fast-pass")
        defer { ledger.remove() }
        let log = try ledger.published()
        let path = "/tile/0/001"
        _ = try log.tileBody(#require(TilePath(parsing: "0/001")))
        let fast = try await RunningServer.start(log, extras: ServerExtras(metrics: ServerMetrics()))
        let routed = try await RunningServer.start(
            try ledger.published(), extras: ServerExtras(metrics: ServerMetrics()), answersOnEventLoop: false
        )
        try await fast.serving { fast in
            try await routed.serving { routed in
                for request in [
                    RawHTTPConnection.request(path, method: "HEAD"),
                    RawHTTPConnection.request(path + "?x=1"),
                    RawHTTPConnection.request(path, fields: "Content-Length: 3\r\n", body: "abc"),
                    RawHTTPConnection.request(
                        path, fields: "Transfer-Encoding: chunked\r\n", body: "3\r\nabc\r\n0\r\n\r\n"),
                    RawHTTPConnection.request(path, fields: "Expect: 100-continue\r\n"),
                    RawHTTPConnection.request("/tile/0/01"),
                ] {
                    let mine = try await RawHTTPConnection(port: fast.port).exchange([request])[0]
                    let theirs = try await RawHTTPConnection(port: routed.port).exchange([request])[0]
                    let text = String(decoding: request, as: UTF8.self)
                    let same = mine.withoutDate == theirs.withoutDate
                    #expect(same, "\(text): \(mine.head) vs \(theirs.head)")
                }
                #expect(try await Self.answeredOnEventLoop(fast) == 0)
                // Connection: close is the router's to honour: the reply, then the connection closes.
                let closing = try RawHTTPConnection(port: fast.port)
                let reply = try await closing.exchange([
                    RawHTTPConnection.request(path, fields: "Connection: close\r\n")
                ])
                #expect(reply[0].status == 200)
                #expect(try await closing.isClosedByServer(withinSeconds: 10))
                #expect(try await Self.answeredOnEventLoop(fast) == 0)
                // Connection: keep-alive is answered here, and the connection stays open.
                let open = try RawHTTPConnection(port: fast.port)
                _ = try await open.exchange([RawHTTPConnection.request(path, fields: "Connection: keep-alive\r\n")])
                #expect(try await Self.answeredOnEventLoop(fast) == 1)
                #expect(try await !open.isClosedByServer(withinSeconds: 1))
            }
        }
    }

    @Test func theDateFieldIsAnIMFFixdate() {
        // RFC 9110 §5.6.7's example: 784111777 is Sun, 06 Nov 1994 08:49:37 GMT.
        var t: time_t = 784_111_777
        var parts = tm()
        gmtime_r(&t, &parts)
        #expect(HTTPDateCache.format(parts) == "Sun, 06 Nov 1994 08:49:37 GMT")
        t = 1_798_761_599  // 2026-12-31T23:59:59Z, a Thursday
        gmtime_r(&t, &parts)
        #expect(HTTPDateCache.format(parts) == "Thu, 31 Dec 2026 23:59:59 GMT")
    }
}

/// One keep-alive HTTP/1.1 connection to 127.0.0.1 that writes requests byte for byte and
/// reads whole replies (by `Content-Length`); the blocking socket work runs on a thread of its
/// own, never on the concurrency pool the in-process server needs.
final class RawHTTPConnection: @unchecked Sendable {
    struct Reply {
        let head: String
        let body: [UInt8]
        var status: Int { Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0 }
        /// The head without its `Date` field, and the body.
        var withoutDate: String { head.replacing(/\r\nDate: [^\r]*/, with: "") + "\n" + body.description }
        var date: String {
            head.split(separator: "\r\n").first { $0.hasPrefix("Date: ") }.map { String($0.dropFirst(6)) } ?? ""
        }
    }

    private let fd: Int32
    private var pending: [UInt8] = []

    /// `receiveBuffer` sets the socket's receive buffer before it connects (a slow reader).
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        fd = try LoopbackSocket.connect(port: port, receiveBuffer: receiveBuffer)
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// A request's bytes: `fields` are extra header lines, each ending in CRLF.
    static func request(_ path: String, method: String = "GET", fields: String = "", body: String = "") -> [UInt8] {
        Array("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(fields)\r\n\(body)".utf8)
    }

    /// Writes `requests` in one write, then reads one reply to each. A reply to HEAD must
    /// have no `Content-Length` or a zero one (this reader would wait for the body).
    func exchange(_ requests: [[UInt8]]) async throws -> [Reply] {
        try await onThread { try self.exchangeBlocking(requests) }
    }

    /// Writes `requests`, shuts the connection's sending side down (a half-close), and reads
    /// replies until the server closes the connection: every whole reply, in order.
    /// With `slowReader`, reading starts a second after the half-close (with a small receive
    /// buffer, the server then still holds replies).
    func exchangeHalfClosing(_ requests: [[UInt8]], slowReader: Bool = false) async throws -> [Reply] {
        try await onThread {
            let bytes = requests.flatMap { $0 }
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { send(self.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { throw HTTPTestClient.Failure(description: "send: errno \(errno)") }
                sent += n
            }
            shutdown(self.fd, Int32(SHUT_WR))
            if slowReader { Thread.sleep(forTimeInterval: 1) }
            var replies = [Reply]()
            while let reply = try? self.readReply(headRequest: false) { replies.append(reply) }
            return replies
        }
    }

    /// Whether the server closes the connection within `seconds` (reads end of file).
    func isClosedByServer(withinSeconds seconds: Int) async throws -> Bool {
        try await onThread {
            var timeout = timeval(tv_sec: seconds, tv_usec: 0)
            setsockopt(self.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var byte: UInt8 = 0
            return recv(self.fd, &byte, 1, 0) == 0
        }
    }

    private func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// ``exchange(_:)`` on the calling thread (never a thread of the concurrency pool).
    func exchangeBlocking(_ requests: [[UInt8]]) throws -> [Reply] {
        let bytes = requests.flatMap { $0 }
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw HTTPTestClient.Failure(description: "send: errno \(errno)") }
            sent += n
        }
        let isHead = requests.map { $0.starts(with: Array("HEAD ".utf8)) }
        return try isHead.map { try readReply(headRequest: $0) }
    }

    fileprivate func readReply(headRequest: Bool) throws -> Reply {
        let separator = Array("\r\n\r\n".utf8)
        while true {
            if let end = pending.firstRange(of: separator) {
                let head = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
                let length =
                    head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                let bodyLength = headRequest ? 0 : length
                if pending.count >= end.upperBound + bodyLength {
                    let body = Array(pending[end.upperBound..<end.upperBound + bodyLength])
                    pending.removeFirst(end.upperBound + bodyLength)
                    return Reply(head: head, body: body)
                }
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else {
                throw HTTPTestClient.Failure(
                    description: n == 0 ? "closed before a whole reply" : "recv: errno \(errno)")
            }
            pending += chunk[..<n]
        }
    }
}

/// A client that pipelines requests and never reads the replies: reading stops while the
/// connection is not writable, so the replies the server holds stay bounded (specs/api.md).
@Suite struct FastPathBackPressureTests {
    /// The resident memory of process `pid`, in KiB (Linux `/proc`).
    static func residentKiB(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    }

    @Test func aClientThatNeverReadsCannotMakeTheServerHoldItsReplies() async throws {
        let copy = tempPath("backpressure")
        try FileManager.default.copyItem(atPath: sampleLedger, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let server = try await ServeProcess.start([copy])
        defer { kill(server.process.processIdentifier, SIGKILL) }
        let tile = "/tile/0/000.p/100"  // 3,200 bytes: 200,000 replies would be 660 MB
        #expect(try await HTTPTestClient.get(port: server.port, tile).status == 200)  // cached now
        let before = try Self.residentKiB(server.process.processIdentifier)
        let sent = try await withCheckedThrowingContinuation { (done: CheckedContinuation<Int, any Error>) in
            Thread {
                done.resume(
                    with: Result {
                        let fd = try LoopbackSocket.connect(port: server.port)
                        defer { close(fd) }
                        var timeout = timeval(tv_sec: 3, tv_usec: 0)
                        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                        let request = RawHTTPConnection.request(tile)
                        let batch = Array((0..<1000).map { _ in request }.joined())
                        var requests = 0
                        // Until the server stops reading (a send times out) or 200,000 are sent.
                        while requests < 200_000 {
                            let n = batch.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                            guard n == batch.count else { break }
                            requests += 1000
                        }
                        Thread.sleep(forTimeInterval: 1)
                        return requests
                    })
            }.start()
        }
        let after = try Self.residentKiB(server.process.processIdentifier)
        #expect(sent < 200_000, "the server read every request: nothing held it back")
        #expect(after - before < 32 * 1024, "the server grew by \(after - before) KiB for \(sent) requests")
    }
}

/// A client that half-closes its connection after pipelining requests gets every reply
/// (specs/api.md): the half-close waits for the replies written on the event loop.
@Suite struct FastPathHalfCloseTests {
    @Test func everyPipelinedTileRequestIsAnsweredBeforeAHalfClose() async throws {
        let sample = try SampleCopy(tag: "half-close")
        defer { sample.remove() }
        _ = try sample.log.tileBody(#require(TilePath(parsing: "0/000.p/100")))
        let server = try await RunningServer.start(sample.log, extras: ServerExtras(metrics: ServerMetrics()))
        try await server.serving { server in
            let request = RawHTTPConnection.request("/tile/0/000.p/100")
            // 1,000 requests (45 kB) fit in the socket buffers: the client sends them all and
            // half-closes while the server, which stops reading while it cannot write, holds replies.
            for count in [1, 1000] {
                let replies = try await RawHTTPConnection(port: server.port, receiveBuffer: 4096).exchangeHalfClosing(
                    Array(repeating: request, count: count), slowReader: true)
                #expect(replies.count == count)
                #expect(replies.allSatisfy { $0.status == 200 && $0.body.count == 3200 })
            }
        }
    }

    @Test func aStatementPostedBeforeAHalfCloseIsAnswered() async throws {
        let fx = try WritableLedger(tag: "write-half-close")
        defer { fx.remove() }
        let metrics = ServerMetrics()
        let writer = try fx.writer(metrics: metrics)
        let server = try await WriteFastPathTests.start(writer, metrics: metrics)
        try await server.serving { server in
            for count in [1, 20] {
                let notes = try (0..<count).map { try fx.note("half-closed \(count) \($0)") }
                let replies = try await RawHTTPConnection(port: server.port).exchangeHalfClosing(
                    notes.map { WriteFastPathTests.post($0.body) })
                #expect(replies.map(\.status) == Array(repeating: 202, count: count))
            }
            #expect(try await WriteFastPathTests.answeredOnEventLoop(server) == 21)
        }
    }
}
