import Foundation
import LedgerTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// One HTTP/1.1 response as it came over the wire.
struct HTTPResult: Sendable {
    var status: Int
    /// Header names in lower case.
    var headers: [String: String]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A minimal HTTP/1.1 client over a loopback socket that sends the request path byte for
/// byte, as written (no normalisation, no percent-decoding), which the non-canonical path
/// tests need. The blocking socket work runs on its own thread, never on the Swift
/// concurrency pool that the in-process server's handlers need.
enum HTTPTestClient {
    static func get(port: Int, _ path: String) async throws -> HTTPResult {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try getBlocking(port: port, path) })
            }.start()
        }
    }

    /// A POST of `body` to `path`, with `headers` besides Host, Content-Length and Connection.
    static func post(port: Int, _ path: String, body: [UInt8], headers: [String: String] = [:]) async throws
        -> HTTPResult
    {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Result { try getBlocking(port: port, path, method: "POST", body: body, headers: headers) })
            }.start()
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func getBlocking(
        port: Int, _ path: String, method: String = "GET", body: [UInt8]? = nil, headers: [String: String] = [:]
    ) throws -> HTTPResult {
        let fd: Int32
        do { fd = try LoopbackSocket.connect(port: port) } catch { throw Failure(description: "\(error)") }
        defer { close(fd) }
        let length =
            (headers["Content-Length"] == nil ? body.map { "Content-Length: \($0.count)\r\n" } ?? "" : "")
            + headers.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)\r\n" }
            .joined()
        let request =
            Array(
                "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\(length)Connection: close\r\n\r\n".utf8)
            + (body ?? [])
        var sent = 0
        while sent < request.count {
            // MSG_NOSIGNAL: a server that answers early (413) and closes must not kill the tests with SIGPIPE.
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else {
                if sent > 0 && (errno == EPIPE || errno == ECONNRESET) { break }  // read the early answer
                throw Failure(description: "send: errno \(errno)")
            }
            sent += n
        }
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n >= 0 else { throw Failure(description: "recv: errno \(errno)") }
            if n == 0 { break }
            data += chunk[..<n]
        }
        return try parse(data)
    }

    /// Splits a response into status, headers and body; the body must be as long as its
    /// Content-Length says.
    static func parse(_ data: [UInt8]) throws -> HTTPResult {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = (0..<max(0, data.count - 3)).first(where: { Array(data[$0..<$0 + 4]) == separator }) else {
            throw Failure(description: "no end of headers in \(data.count) bytes")
        }
        let head = String(decoding: data[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw Failure(description: "bad status line \(head[0])")
        }
        var headers = [String: String]()
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[line[..<colon].lowercased()] = value
        }
        let body = Array(data[(end + 4)...])
        if let length = headers["content-length"].flatMap(Int.init), length != body.count {
            throw Failure(description: "Content-Length \(length) but \(body.count) body bytes")
        }
        return HTTPResult(status: status, headers: headers, body: body)
    }
}
