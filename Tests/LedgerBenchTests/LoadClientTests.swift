import Foundation
import Synchronization
import Testing

@testable import LedgerBench

#if canImport(Glibc)
    import Glibc
#endif

/// The load generator's client (``LoadClient``) against a scripted HTTP server on 127.0.0.1:
/// each request's body says how it is answered (`200`, `503`, `404`, or `close` to drop the
/// connection without a reply), and replies are written in two pieces, so that the client must
/// put heads and bodies together from several reads.
@Suite(.timeLimit(.minutes(1))) struct LoadClientTests {
    /// Runs the client over `range` of `n` requests whose bodies say `answer`, against `server`.
    func run(
        _ server: ScriptedServer, _ n: Int, answer: String = "200", range: Range<Int>? = nil, connections: Int,
        seconds: Double = 30, rate: Double? = nil
    ) -> LoadClient {
        let requests = LoadRequests(bodies: (0..<n).map { _ in Array(answer.utf8) }, port: server.port)
        return LoadClient.run(
            port: server.port, requests: requests, range: range ?? 0..<n, connections: connections, seconds: seconds,
            rate: rate)
    }

    @Test func countsEachStatusAndABrokenConnectionOnceAndReconnects() throws {
        let server = try ScriptedServer()
        defer { server.stop() }
        let answers = (0..<300).map { k in ["200", "503", "404", "close", "200", "201"][k % 6] }
        let requests = LoadRequests(bodies: answers.map { Array($0.utf8) }, port: server.port)
        let result = LoadClient.run(
            port: server.port, requests: requests, range: 0..<300, connections: 8, seconds: 30, rate: nil)
        #expect(result.accepted == 150)
        #expect(result.serverErrors == 100)  // 50 × 503 and 50 dropped connections
        #expect(result.other == 50)
        #expect(result.failures == ["closed by the server": 50])
        #expect(result.latenciesMilliseconds.count == 250)
        #expect(server.requests == 300)
        // Every dropped connection was replaced by a new one.
        #expect(server.connections >= 50)
    }

    @Test func sendsOnlyTheRequestsOfItsRangeWithTheirBytes() throws {
        let server = try ScriptedServer()
        defer { server.stop() }
        let requests = LoadRequests(bodies: (0..<40).map { Array("200 \($0)".utf8) }, port: server.port)
        let result = LoadClient.run(
            port: server.port, requests: requests, range: 10..<30, connections: 3, seconds: 30, rate: nil)
        #expect(result.accepted == 20)
        #expect(server.bodies.sorted() == (10..<30).map { "200 \($0)" }.sorted())
        #expect(server.hosts == ["127.0.0.1:\(server.port)"])
    }

    @Test func getsCycleThroughTheirPathsAndCountEveryByteReceived() throws {
        let server = try ScriptedServer()
        defer { server.stop() }
        let paths = ["/200/a", "/200/bb", "/404/c"]
        let requests = LoadRequests(gets: paths, port: server.port)
        // 30 requests of 3 paths: request k is path k % 3.
        let result = LoadClient.run(
            port: server.port, requests: requests, range: 0..<30, connections: 2, seconds: 30, rate: nil,
            bufferSize: 1 << 16)
        #expect(result.accepted == 20)
        #expect(result.other == 10)
        #expect(server.requestLines.sorted() == (0..<30).map { "GET \(paths[$0 % 3]) HTTP/1.1" }.sorted())
        #expect(server.hosts == ["127.0.0.1:\(server.port)"])
        let reply = { (status: String) in
            "HTTP/1.1 \(status) Whatever\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"answer\":\"\"}"
                .utf8.count
        }
        #expect(result.bytes == 20 * reply("200") + 10 * reply("404"))
    }

    @Test func pacedRequestsKeepTheirScheduleAndCountLatencyFromIt() throws {
        let server = try ScriptedServer()
        defer { server.stop() }
        let result = run(server, 50, connections: 4, rate: 100)
        #expect(result.accepted == 50)
        // Request 49 is scheduled 0.49 s after the start: the run cannot end before.
        #expect(result.elapsed >= 0.49)
        #expect(result.elapsed < 5)
        #expect(result.latenciesMilliseconds.allSatisfy { $0 >= 0 && $0 < 1000 })
    }

    @Test func stopsStartingRequestsWhenTheTimeIsUp() throws {
        let server = try ScriptedServer()
        defer { server.stop() }
        let result = run(server, 1000, connections: 2, seconds: 0.3, rate: 100)
        #expect(result.accepted >= 20 && result.accepted <= 40, "\(result.accepted)")
        #expect(result.elapsed < 2)
    }

    @Test func aServerThatIsGoneCountsEveryRequestAsAServerError() throws {
        let server = try ScriptedServer()
        server.stop()
        let result = run(server, 5, connections: 2, seconds: 10)
        #expect(result.serverErrors == 5)
        #expect(
            result.failures.count == 1 && result.failures.first?.key.contains("connect") == true, "\(result.failures)")
        #expect(result.accepted == 0)
    }
}

/// A blocking HTTP/1.1 server on 127.0.0.1 (a thread per connection) that answers each request
/// as its body says.
final class ScriptedServer: Sendable {
    let port: Int
    private let listener: Int32
    private let state = Mutex<
        (requests: Int, connections: Int, bodies: [String], hosts: Set<String>, requestLines: [String])
    >((0, 0, [], [], []))

    var requests: Int { state.withLock { $0.requests } }
    var connections: Int { state.withLock { $0.connections } }
    var bodies: [String] { state.withLock { $0.bodies } }
    var hosts: Set<String> { state.withLock { $0.hosts } }
    var requestLines: [String] { state.withLock { $0.requestLines } }

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 64) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in
            // The thread closes the listener (after `stop` shut it down), so that its number
            // cannot be reused by another socket while it still accepts on it.
            defer { close(listener) }
            while true {
                let fd = accept(listener, nil, nil)
                guard fd >= 0 else { return }
                // No Nagle delay for the second piece of a reply.
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                state.withLock { $0.connections += 1 }
                Thread { [self] in serve(fd) }.start()
            }
        }.start()
    }

    /// Stops listening: new connections are refused.
    func stop() { shutdown(listener, Int32(SHUT_RDWR)) }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            guard let end = data.firstRange(of: Array("\r\n\r\n".utf8))?.lowerBound else {
                let n = recv(fd, &chunk, chunk.count, 0)
                guard n > 0 else { return }
                data += chunk[..<n]
                continue
            }
            let head = String(decoding: data[..<end], as: UTF8.self)
            let fields = head.components(separatedBy: "\r\n").dropFirst()
            let value = { (name: String) in
                fields.first { $0.lowercased().hasPrefix(name + ":") }.map {
                    $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)
                }
            }
            let length = value("content-length").flatMap { Int($0) } ?? 0
            while data.count < end + 4 + length {
                let n = recv(fd, &chunk, chunk.count, 0)
                guard n > 0 else { return }
                data += chunk[..<n]
            }
            let body = String(decoding: data[(end + 4)..<(end + 4 + length)], as: UTF8.self)
            data.removeFirst(end + 4 + length)
            let requestLine = head.components(separatedBy: "\r\n")[0]
            state.withLock {
                $0.requests += 1
                $0.bodies.append(body)
                $0.requestLines.append(requestLine)
                if let host = value("host") { $0.hosts.insert(host) }
            }
            guard body != "close" else { return }
            // A request without a body (a GET) is answered as its path's first segment says.
            let status = body.isEmpty ? requestLine.split(separator: "/")[1].prefix(3) : body.prefix(3)
            let reply = "{\"answer\":\"\(body)\"}"
            let first = Array("HTTP/1.1 \(status) Whatever\r\nContent-Type: application/json\r\nContent-Len".utf8)
            let rest = Array("gth: \(reply.utf8.count)\r\n\r\n\(reply)".utf8)
            guard send(fd, first, first.count, Int32(MSG_NOSIGNAL)) == first.count else { return }
            usleep(200)
            guard send(fd, rest, rest.count, Int32(MSG_NOSIGNAL)) == rest.count else { return }
        }
    }
}
