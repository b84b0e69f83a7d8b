import Consensus
import Foundation
import LedgerCore
import LedgerCrypto
import LedgerServer
import LedgerTestSupport
import Logging
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `POST /api/v1/entries` answered on the event loop (`WriteFastPathHandler`): the router's
/// checks and reply, requests in order behind a statement being committed, and everything it
/// does not answer passed to the router as it was read.
@Suite struct WriteFastPathTests {
    static func start(
        _ writer: LogWriter<NegotiationRules, FileStore>, metrics: ServerMetrics
    ) async throws -> RunningServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let logger = quietLogger("test.write-fast")
        let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, refreshInterval: .seconds(3600))
        let task = Task {
            try await runServer(
                log: writer.log, configuration: configuration, logger: logger, handlingSignals: false,
                extras: ServerExtras(metrics: metrics, extensions: [.write(writer, logger: logger)])
            ) { continuation.yield($0) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw HTTPTestClient.Failure(description: "no server") }
        return RunningServer(port: port, task: task)
    }

    /// The request as a keep-alive client sends it (answered on the event loop), or with
    /// `Connection: close` (which only the router answers).
    static func post(_ body: [UInt8], closing: Bool = false, type: String = "application/json") -> [UInt8] {
        Array(
            ("POST /api/v1/entries HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: \(type)\r\n"
                + "Content-Length: \(body.count)\r\n" + (closing ? "Connection: close\r\n" : "") + "\r\n").utf8) + body
    }

    static func answeredOnEventLoop(_ server: RunningServer) async throws -> Double {
        let text = try await server.get("/metrics").text
        return metricValue(text, "ledger_http_requests_answered_on_event_loop_total{route=\"/api/v1/entries\"}") ?? 0
    }

    /// The head with its `Date` and `Content-Length` values masked: the shape of a reply.
    static func shape(_ reply: RawHTTPConnection.Reply) -> String {
        reply.head.replacing(/\r\nDate: [^\r]*/, with: "\r\nDate: -").replacing(
            /\r\nContent-Length: [^\r]*/, with: "\r\nContent-Length: -")
    }

    @Test func aStatementIsAppendedOnTheEventLoopWithTheRoutersReply() async throws {
        let fx = try WritableLedger(tag: "write-fast")
        defer { fx.remove() }
        let metrics = ServerMetrics()
        let writer = try fx.writer(metrics: metrics)
        let server = try await Self.start(writer, metrics: metrics)
        try await server.serving { server in
            let connection = try RawHTTPConnection(port: server.port)
            let first = try fx.note("fast")
            let fast = try await connection.exchange([Self.post(first.body)])[0]
            #expect(fast.status == 202, "\(fast.head)")
            #expect(try await Self.answeredOnEventLoop(server) == 1)
            let second = try fx.note("routed")
            let routed = try await RawHTTPConnection(port: server.port).exchange([Self.post(second.body, closing: true)]
            )[0]
            #expect(routed.status == 202)
            #expect(try await Self.answeredOnEventLoop(server) == 1)
            // The same fields in the same order; the same members; receipts signed by the log.
            #expect(Self.shape(fast) == Self.shape(routed))
            let a = try JSONParser.parse(fast.body)
            let b = try JSONParser.parse(routed.body)
            #expect(fast.body == a.canonicalBytes + [0x0A])
            #expect(a.objectValue?.keys.sorted() == b.objectValue?.keys.sorted())
            let receipt = try SignedReceipt(
                parsing: try #require(a["receipt"]?.stringValue), logKey: fx.op.verifierKey
            ).receipt
            #expect(receipt.statementHash == first.statement.hash)
            #expect(a["index"]?.integerValue.map { $0 + 1 } == b["index"]?.integerValue)
            // Durable: a fresh open of the ledger holds the statement at the receipt's index.
            let reopened = try Ledger<NegotiationRules>(directory: fx.directory)
            #expect(try reopened.entry(Int64(receipt.index)).signed == first)

            // Replies that do not depend on the clock are the router's byte for byte: a
            // duplicate, a statement a rule refuses (posted twice: nothing is appended).
            let refused = try Statement.make(
                kind: "note", body: ["text": .integer(7)], key: fx.authors[1], time: .now())
            for body in [first.body, refused.body, refused.body] {
                let mine = try await connection.exchange([Self.post(body)])[0]
                let theirs = try await RawHTTPConnection(port: server.port).exchange([Self.post(body, closing: true)])[
                    0]
                #expect(mine.status == 409 || mine.status == 422, "\(mine.head)")
                let same = mine.withoutDate == theirs.withoutDate
                #expect(same, "\(mine.head)\n\(String(decoding: mine.body, as: UTF8.self)) vs \(theirs.head)")
            }
            #expect(try await Self.answeredOnEventLoop(server) == 4)
            // Requests it does not answer reach the router unchanged: a body that is no JSON, a
            // bad signature, an unknown signer, another media type, a query.
            let forged = Array(
                String(decoding: try fx.note("forged").body, as: UTF8.self).replacing("\"forged\"", with: "\"forgeD\"")
                    .utf8)
            let stranger = try Statement.make(
                kind: "note", body: ["text": .string("who?")], key: try NoteSignerKey.generate(name: "x.example"),
                time: .now())
            for request in [
                Self.post(Array("{not json".utf8)), Self.post(forged), Self.post(stranger.body),
                Self.post(try fx.note("text").body, type: "text/plain"),
            ] {
                let mine = try await connection.exchange([request])[0]
                let closing = Array(
                    String(decoding: request, as: UTF8.self).replacing(
                        "\r\n\r\n", with: "\r\nConnection: close\r\n\r\n", maxReplacements: 1
                    ).utf8)
                let theirs = try await RawHTTPConnection(port: server.port).exchange([closing])[0]
                #expect(mine.status >= 400, "\(mine.head)")
                let same = mine.withoutDate == theirs.withoutDate
                #expect(same, "\(mine.head) vs \(theirs.head)")
            }
            #expect(try await Self.answeredOnEventLoop(server) == 4)
        }
    }

    @Test func aRateLimitedStatementGetsTheRoutersReply() async throws {
        let fx = try WritableLedger(tag: "write-fast-rate")
        defer { fx.remove() }
        let metrics = ServerMetrics()
        let clock = SetClock()
        let writer = try fx.writer(
            WriteConfiguration(operatorKey: fx.op, checkpointInterval: .milliseconds(50), rateLimit: 1),
            metrics: metrics, rateClock: { clock.now })
        let server = try await Self.start(writer, metrics: metrics)
        try await server.serving { server in
            let connection = try RawHTTPConnection(port: server.port)
            #expect(try await connection.exchange([Self.post(try fx.note("one").body)])[0].status == 202)
            let next = try fx.note("two")
            let mine = try await connection.exchange([Self.post(next.body)])[0]
            let theirs = try await RawHTTPConnection(port: server.port).exchange([Self.post(next.body, closing: true)])[
                0]
            #expect(mine.status == 429)
            #expect(mine.withoutDate == theirs.withoutDate)
            #expect(try await Self.answeredOnEventLoop(server) == 1)
            // The refused statement cost nothing more: after a second, it is appended.
            clock.advance(.seconds(1))
            #expect(try await connection.exchange([Self.post(next.body)])[0].status == 202)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrderBehindAStatementBeingCommitted() async throws {
        let fx = try WritableLedger(tag: "write-fast-order")
        defer { fx.remove() }
        let metrics = ServerMetrics()
        let writer = try fx.writer(metrics: metrics)
        let server = try await Self.start(writer, metrics: metrics)
        try await server.serving { server in
            let before = writer.ledger.size
            let notes = try (0..<6).map { try fx.note("pipelined \($0)", by: $0 % 2) }
            // A request the router answers at once right behind a statement being committed
            // (its fsync takes milliseconds): its reply must still come second.
            let requests: [[UInt8]] = [
                Self.post(notes[0].body), RawHTTPConnection.request("/metrics"), Self.post(notes[1].body),
                RawHTTPConnection.request("/metrics"), Self.post(notes[0].body), Self.post(Array("{".utf8)),
                Self.post(notes[2].body), Self.post(notes[3].body), Self.post(notes[4].body), Self.post(notes[5].body),
            ]
            let replies = try await RawHTTPConnection(port: server.port).exchange(requests)
            #expect(replies.map(\.status) == [202, 200, 202, 200, 409, 400, 202, 202, 202, 202])
            // The statements were appended in request order.
            let indexes = try [0, 2, 6, 7, 8, 9].map {
                try #require(JSONParser.parse(replies[$0].body)["index"]?.integerValue)
            }
            #expect(indexes == Array(Int64(before)..<Int64(before) + 6))
            #expect(try await Self.answeredOnEventLoop(server) >= 1)
        }
    }
}

/// SIGTERM to `ledger serve --operator-key` while keep-alive clients post statements: every
/// statement the server appended was answered (specs/api.md: graceful shutdown waits for the
/// reply of a statement being committed on the event loop).
@Suite struct WriteFastPathShutdownTests {
    @Test func everyStatementAppendedBeforeASIGTERMIsAnswered() async throws {
        let fx = try WritableLedger(tag: "write-fast-term", authors: 4)
        let keyFile = fx.directory + "-op.key"
        try LedgerFiles.writePrivateKey(fx.op, to: keyFile)
        defer {
            fx.remove()
            try? FileManager.default.removeItem(atPath: keyFile)
        }
        let before = fx.ledger.size
        let notes = try (0..<6000).map { try fx.note("shutdown \($0)", by: $0 % 4) }
        let server = try await ServeProcess.start([
            fx.directory, "--operator-key", keyFile, "--rate-limit", "1000000", "--checkpoint-interval", "1",
        ])
        let answered = Mutex<[Digest: Int]>([:])
        let connections = 32
        // Each connection posts its share, one after another, until the server closes it.
        let clients = Task.detached {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Thread {
                    DispatchQueue.concurrentPerform(iterations: connections) { k in
                        guard let connection = try? RawHTTPConnection(port: server.port) else { return }
                        for note in stride(from: k, to: notes.count, by: connections).map({ notes[$0] }) {
                            guard let reply = try? connection.exchangeBlocking([WriteFastPathTests.post(note.body)])
                            else { return }
                            answered.withLock { $0[note.statement.hash] = reply[0].status }
                        }
                    }
                    done.resume()
                }.start()
            }
        }
        try await Task.sleep(for: .milliseconds(700))
        kill(server.process.processIdentifier, SIGTERM)
        #expect(try await waitForExit(server.process, seconds: 30), "still running 30 s after SIGTERM")
        await clients.value
        let ledger = try Ledger<NegotiationRules>(directory: fx.directory)
        let replies = answered.withLock { $0 }
        #expect(ledger.size > before, "nothing was appended before the SIGTERM")
        #expect(replies.count < notes.count, "every statement was posted before the SIGTERM: no test")
        var unanswered = [Int64]()
        for index in before..<ledger.size where replies[try ledger.entry(index).signed.statement.hash] != 202 {
            unanswered.append(index)
        }
        #expect(unanswered.isEmpty, "appended without a 202 reply: entries \(unanswered.prefix(10))")
    }
}
