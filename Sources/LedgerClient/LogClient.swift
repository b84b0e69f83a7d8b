import AsyncHTTPClient
import Foundation
import LedgerCore
import LedgerCrypto
import NIOCore
import NIOHTTP1
import Synchronization

/// An HTTP client of a served log (specs/api.md): fetches `/checkpoint`, tiles and entry
/// bundles per C2SP tlog-tiles, and posts statements to `/api/v1/entries`.
///
/// It trusts nothing it fetches: callers check every byte against a signed checkpoint
/// (``ServedLog``). Requests time out, failures of the connection and `5xx`/`429` replies are
/// retried a bounded number of times, and every error is one line naming the URL and what is
/// wrong, as a ``LedgerError``: `.io` for the network and the server's failures, `.notFound`
/// for a `404`, `.malformed` for a reply that is not what the API promises.
package struct LogClient: Sendable {
    /// The log's URL without a trailing slash: `http://127.0.0.1:8080`.
    package let baseURL: String
    /// How long one request may take, connection included.
    package var timeout: Duration = .seconds(30)
    /// Attempts per request (the first included) for a failed connection, `5xx` or `429`.
    package var attempts = 3
    /// Counts the requests sent (tests use it to check that a sync fetches only what is new).
    package let counter = RequestCounter()

    /// The largest bodies accepted: a checkpoint with its cosignatures, a tile, an entry bundle.
    static let maxCheckpointBytes = 1 << 20
    static let maxTileBytes = 256 * 32
    static let maxBundleBytes = 256 * (2 + 65_535)

    /// The HTTP client of every request: the shared client's configuration, except that a
    /// connection that cannot be established fails the attempt at once. AsyncHTTPClient would
    /// otherwise retry it until the request's deadline (swift-server/async-http-client#743), so
    /// that a closed port took three times 30 s to report; the retries are this client's own.
    static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// A client of the log at `url` (`http://` or `https://`; a trailing `/` is dropped).
    package init(url: String) throws(LedgerError) {
        guard LogClient.isURL(url), let parsed = URL(string: url), parsed.host != nil else {
            throw .malformed("\(url): not an http:// or https:// URL of a served log")
        }
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        baseURL = base
    }

    /// Whether a command's ledger argument names a served log rather than a directory.
    package static func isURL(_ s: String) -> Bool { s.hasPrefix("http://") || s.hasPrefix("https://") }

    /// One reply as it came: the status, the headers and the body.
    package struct Reply: Sendable {
        package var status: Int
        package var headers: HTTPHeaders
        package var body: [UInt8]
        package var text: String { String(decoding: body, as: UTF8.self) }
        /// The first value of the header `name` (any case).
        package func header(_ name: String) -> String? { headers.first(name: name) }
    }

    /// `POST path` with a JSON body, sent once (a statement is not submitted twice), whatever
    /// the status of the reply.
    package func postJSON(_ path: String, body: [UInt8]) async throws(LedgerError) -> Reply {
        try await send(
            path, method: .POST, body: body, contentType: "application/json", maxBytes: 1 << 20, retrying: false)
    }

    /// `GET /checkpoint`: the note text, not yet checked.
    package func checkpointText() async throws(LedgerError) -> String {
        let reply = try await get("/checkpoint", maxBytes: LogClient.maxCheckpointBytes)
        guard let text = String(validating: reply.body, as: UTF8.self) else {
            throw .malformed("\(baseURL)/checkpoint: the checkpoint is not UTF-8")
        }
        return text
    }

    /// The hashes of a hash tile (`/tile/<L>/<N>[.p/<W>]`), exactly `width` of them.
    package func tileHashes(level: Int, index: Int64, width: Int) async throws(LedgerError) -> [Digest] {
        let path = TileName(level: level, index: index, width: width).path
        let reply = try await get(path, maxBytes: LogClient.maxTileBytes)
        guard reply.body.count == width * 32 else {
            throw .malformed("\(baseURL)\(path): \(reply.body.count) bytes, expected \(width) hashes of 32")
        }
        return (0..<width).map { Digest(bytes: reply.body[($0 * 32)..<($0 * 32 + 32)])! }
    }

    /// The entries of an entry bundle (`/tile/entries/<N>[.p/<W>]`): exactly `width` of them.
    package func entryBundle(index: Int64, width: Int) async throws(LedgerError) -> [[UInt8]] {
        let path = TileName(level: nil, index: index, width: width).path
        let reply = try await get(path, maxBytes: LogClient.maxBundleBytes)
        do throws(LedgerError) { return try EntryBundle.entries(reply.body, count: width) } catch {
            throw error.prefixed("\(baseURL)\(path): ")
        }
    }

    /// `GET path`; a status other than 200 is an error naming the URL, with the start of the
    /// body (the server's one-line reason).
    package func get(_ path: String, maxBytes: Int) async throws(LedgerError) -> Reply {
        let reply = try await send(path, method: .GET, body: nil, contentType: nil, maxBytes: maxBytes)
        guard reply.status == 200 else {
            let url = baseURL + path
            let reason = LogClient.reason(reply)
            if reply.status == 404 { throw .notFound("\(url): 404 Not Found\(reason)") }
            let retried = reply.status >= 500 || reply.status == 429 ? " (after \(max(1, attempts)) attempts)" : ""
            throw .io("\(url): HTTP \(reply.status)\(reason)\(retried)")
        }
        return reply
    }

    /// The first line of an error body, quoted after `: `, or nothing.
    static func reason(_ reply: Reply) -> String {
        let line = reply.text.split(separator: "\n").first.map(String.init) ?? ""
        return line.isEmpty ? "" : ": " + String(line.prefix(200))
    }

    /// Sends one request, retrying failed connections and `5xx`/`429` replies (not other
    /// statuses, and not a POST that reached the server). Returns whatever status came last.
    package func send(
        _ path: String, method: HTTPMethod, body: [UInt8]?, contentType: String?, maxBytes: Int,
        retrying: Bool = true
    ) async throws(LedgerError) -> Reply {
        let url = baseURL + path
        var lastError = ""
        for attempt in 1...max(1, attempts) {
            if attempt > 1 { try? await Task.sleep(for: .milliseconds(200 << (attempt - 2))) }
            var request = HTTPClientRequest(url: url)
            request.method = method
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
            counter.count()
            do {
                let response = try await LogClient.http.execute(request, timeout: .init(timeout))
                let buffer = try await response.body.collect(upTo: maxBytes)
                let reply = Reply(
                    status: Int(response.status.code), headers: response.headers,
                    body: Array(buffer.readableBytesView))
                if retrying, reply.status >= 500 || reply.status == 429, attempt < attempts {
                    lastError = "HTTP \(reply.status)\(LogClient.reason(reply))"
                    continue
                }
                return reply
            } catch let error as NIOTooManyBytesError {
                throw .tooLarge("\(url): the reply is larger than \(maxBytes) bytes (\(error))")
            } catch {
                lastError = LogClient.describe(error)
                if !retrying { break }
            }
        }
        throw .io("\(url): \(lastError) (after \(retrying ? attempts : 1) attempts)")
    }

    /// A network error in a few words.
    static func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError {
            switch e {
            case .deadlineExceeded, .readTimeout, .connectTimeout: return "timed out"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: return "\(e)"
            }
        }
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        return text.split(separator: "\n").first.map(String.init) ?? text
    }
}

/// Counts requests; safe to share between tasks.
package final class RequestCounter: Sendable {
    private let value = Mutex<Int>(0)
    package init() {}
    func count() { value.withLock { $0 += 1 } }
    /// Requests sent so far.
    package var requests: Int { value.withLock { $0 } }
}
