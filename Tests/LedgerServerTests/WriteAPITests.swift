import Consensus
import Dispatch
import Foundation
import LedgerCore
import LedgerCrypto
import LedgerServer
import Logging
import Synchronization
import Testing

/// A ledger with an operator and registered authors, served with the write API in this process.
struct WritableLedger {
    let directory: String
    let op: NoteSignerKey
    let authors: [NoteSignerKey]
    let ledger: Ledger<NegotiationRules>

    init(tag: String, authors count: Int = 2) throws {
        let directory = tempPath(tag)
        let op = try NoteSignerKey.generate(name: "write.example/log")
        let authors = try (0..<count).map { try NoteSignerKey.generate(name: "author-\($0).example") }
        self.directory = directory
        self.op = op
        self.authors = authors
        let created = try Ledger<NegotiationRules>.create(directory: directory, operatorKey: op)
        _ = try created.append(
            try authors.map {
                try Statement.make(
                    kind: "key.register", body: ["vkey": .string($0.verifierKey.description)], key: op, time: .now())
            })
        ledger = try Ledger<NegotiationRules>(directory: directory)
    }

    /// A signed note by author `k` (a fresh nonce each time), as the JSON body of a request.
    func note(_ text: String, by k: Int = 0, time: Timestamp = .now()) throws -> SignedStatement {
        try Statement.make(kind: "note", body: ["text": .string(text)], key: authors[k], time: time)
    }

    func writer(
        _ configuration: WriteConfiguration? = nil, metrics: ServerMetrics? = nil,
        rateClock: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        signerRefreshInterval: Duration = .seconds(1)
    ) throws -> LogWriter<NegotiationRules, FileStore> {
        let log = try PublishedLog(ledger: ledger)
        try log.refresh()
        return try LogWriter(
            ledger: ledger, log: log,
            configuration: configuration
                ?? WriteConfiguration(operatorKey: op, checkpointInterval: .milliseconds(50), rateLimit: 1000),
            metrics: metrics, rateClock: rateClock, signerRefreshInterval: signerRefreshInterval)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

extension SignedStatement {
    var body: [UInt8] { json.canonicalBytes }
}

extension RunningServer {
    /// The server of `ledger serve DIR --operator-key …`, in this process on a free port.
    static func start<Rules, Store>(writer: LogWriter<Rules, Store>) async throws -> RunningServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "test.write")
        logger.logLevel = .critical
        let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, refreshInterval: .seconds(3600))
        let task = Task {
            try await runServer(
                log: writer.log, configuration: configuration, logger: logger, handlingSignals: false,
                extras: ServerExtras(extensions: [.write(writer, logger: logger)])
            ) { continuation.yield($0) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw HTTPTestClient.Failure(description: "no server") }
        return RunningServer(port: port, task: task)
    }

    func submit(_ body: [UInt8], wait: Bool = false, type: String = "application/json") async throws -> HTTPResult {
        try await HTTPTestClient.post(
            port: port, "/api/v1/entries" + (wait ? "?wait=1" : ""), body: body, headers: ["Content-Type": type])
    }
}

/// Runs `body` with a write server over `writer`, stopped afterwards.
func withWriteServer<Rules, Store, R>(
    _ writer: LogWriter<Rules, Store>, _ body: (RunningServer) async throws -> R
) async throws -> R {
    try await RunningServer.start(writer: writer).serving(body)
}

/// A monotonic clock that a test moves by hand.
final class SetClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { instant.withLock { $0 } }
    func advance(_ d: Duration) { instant.withLock { $0 += d } }
}

/// The JSON object of a response body.
func jsonObject(_ r: HTTPResult) throws -> JSONValue { try JSONParser.parse(r.body) }

/// `POST /api/v1/entries` (specs/api.md §Write API) against a real server on loopback.
@Suite struct WriteAPITests {
    @Test func aStatementIsAppendedAndAnsweredWithASignedReceipt() async throws {
        let fx = try WritableLedger(tag: "write-202")
        defer { fx.remove() }
        let statement = try fx.note("hello")
        let writer = try fx.writer()
        let r = try await withWriteServer(writer) { try await $0.submit(statement.body) }
        #expect(r.status == 202, "\(r.text)")
        #expect(r.headers["content-type"] == "application/json")
        let o = try jsonObject(r)
        #expect(r.body == o.canonicalBytes + [0x0A], "one canonical JSON object and a newline")
        let index = try #require(o["index"]?.integerValue)
        #expect(o["statementHash"]?.stringValue == statement.statement.hash.base64)
        let receiptText = try #require(o["receipt"]?.stringValue)
        let receipt = try SignedReceipt(parsing: receiptText, logKey: fx.op.verifierKey).receipt
        #expect(receipt.index == UInt64(index) && receipt.statementHash == statement.statement.hash)
        #expect(receipt.leafHash.base64 == o["leafHash"]?.stringValue)
        #expect(receipt.includeBy == receipt.logTime.adding(seconds: 60))
        // Durable and what the receipt says: the entry at the index, read from a fresh open.
        let reopened = try Ledger<NegotiationRules>(directory: fx.directory)
        #expect(try reopened.entry(index).signed == statement)
        #expect(MerkleHash.leaf(try reopened.store.leaf(index)) == receipt.leafHash)
        // A receipt with one changed byte does not verify.
        let tampered = receiptText.replacingOccurrences(of: "index \(index)\n", with: "index \(index + 1)\n")
        #expect(throws: LedgerError.badSignature("")) {
            try SignedReceipt(parsing: tampered, logKey: fx.op.verifierKey)
        }
    }

    /// The group commits feed the metrics: every appended entry is counted, each commit timed,
    /// and a refused statement counts for nothing.
    @Test func groupCommitsAreCountedInTheMetrics() async throws {
        let fx = try WritableLedger(tag: "write-metrics")
        defer { fx.remove() }
        let metrics = ServerMetrics()
        let writer = try fx.writer(metrics: metrics)
        let notes = try (0..<5).map { try fx.note("counted \($0)") }
        let statuses = try await withWriteServer(writer) { server in
            var statuses = [Int]()
            for n in notes { statuses.append(try await server.submit(n.body).status) }
            statuses.append(try await server.submit(notes[0].body).status)
            return statuses
        }
        #expect(statuses == [202, 202, 202, 202, 202, 409])
        let text = String(decoding: metrics.render(), as: UTF8.self)
        #expect(metricValue(text, "ledger_appends_total") == 5, "\(text)")
        #expect(metricValue(text, "ledger_fsync_duration_seconds_count") == Double(writer.committer.commits))
    }

    /// Re-posting a key's statements (public in the entry bundles) cannot spend that key's rate
    /// budget: a refused statement's token is given back.
    @Test func repostedStatementsDoNotSpendTheirSignersBudget() async throws {
        let fx = try WritableLedger(tag: "write-refund")
        defer { fx.remove() }
        let clock = SetClock()
        let writer = try fx.writer(
            WriteConfiguration(operatorKey: fx.op, checkpointInterval: .seconds(1), rateLimit: 2),
            rateClock: { clock.now })
        let first = try fx.note("the victim's")
        let statuses = try await withWriteServer(writer) { server in
            var statuses = [try await server.submit(first.body).status]
            for _ in 0..<5 { statuses.append(try await server.submit(first.body).status) }
            statuses.append(try await server.submit(try fx.note("the victim's next").body).status)
            return statuses
        }
        #expect(statuses == [202, 409, 409, 409, 409, 409, 202])
    }

    @Test func waitAnswers201WithAProofThatVerifiesAgainstTheSignedCheckpoint() async throws {
        let fx = try WritableLedger(tag: "write-201")
        defer { fx.remove() }
        let statement = try fx.note("wait for me")
        let r = try await withWriteServer(try fx.writer()) { try await $0.submit(statement.body, wait: true) }
        #expect(r.status == 201, "\(r.text)")
        let o = try jsonObject(r)
        #expect(r.body == o.canonicalBytes + [0x0A], "one canonical JSON object and a newline")
        let index = try #require(o["index"]?.integerValue)
        let proof = try ProofDocument(parsing: try #require(o["proof"]?.stringValue))
        let leaf = try FileStore(directory: fx.directory).leaf(index)
        let outcome = try CheckpointProofVerifier(logKey: fx.op.verifierKey).check(proof, leaf: leaf)
        #expect(outcome.verified == .inclusion(index: UInt64(index), treeSize: outcome.checkpoint.checkpoint.size))
        #expect(outcome.checkpoint.checkpoint.size > UInt64(index))
        #expect(o["receipt"]?.stringValue != nil)
        // The proof is for this statement's leaf, not any other.
        #expect(throws: LedgerError.self) {
            try CheckpointProofVerifier(logKey: fx.op.verifierKey).check(proof, leaf: Array(leaf.dropLast()))
        }
    }

    @Test func badInputIsRefusedWithProblemJSON() async throws {
        let fx = try WritableLedger(tag: "write-400")
        defer { fx.remove() }
        let stranger = try NoteSignerKey.generate(name: "stranger.example")
        let good = try fx.note("good")
        var sig = good.signature
        sig[5] ^= 0x10
        let forged = SignedStatement(statement: good.statement, signature: sig)
        let unknown = try Statement.make(kind: "note", body: ["text": "who?"], key: stranger, time: .now())
        let badKind = try Statement.make(kind: "no.such.kind", body: ["x": 1], key: fx.authors[0], time: .now())
        let skewed = try fx.note("late", time: Timestamp.now().adding(seconds: 7200))
        // A rule of the consensus engine: a secretariat for a forum that has no charter.
        let noForum = try Statement.make(
            kind: "secretariat.register",
            body: ["forum": "G99", "vkey": .string(fx.authors[1].verifierKey.description)],
            key: fx.op, time: .now())
        // `rule` names the consensus engine's rule where the refusal names one, else the code.
        let cases: [(body: [UInt8], type: String, status: Int, rule: String?, code: String?)] = [
            (Array("{not json".utf8), "application/json", 400, nil, nil),
            (Array("{\"sig\":\"AAAA\"}".utf8), "application/json", 400, nil, nil),
            (Array("[1,2]".utf8), "application/json; charset=utf-8", 400, nil, nil),
            (good.body, "text/plain", 415, nil, nil),
            (forged.body, "application/json", 422, "badSignature", "badSignature"),
            (unknown.body, "application/json", 422, "unauthorized", "unauthorized"),
            (badKind.body, "application/json", 422, "unknownKind", "unknownKind"),
            (skewed.body, "application/json", 422, "timeSkew", "timeSkew"),
            (noForum.body, "application/json", 422, "secretariat.register.forum", "refused"),
        ]
        let before = fx.ledger.store.size
        try await withWriteServer(try fx.writer()) { server in
            for c in cases {
                let r = try await server.submit(c.body, type: c.type)
                #expect(r.status == c.status, "\(String(decoding: c.body.prefix(60), as: UTF8.self)): \(r.text)")
                #expect(r.headers["content-type"] == "application/problem+json")
                #expect(r.headers["cache-control"] == "no-cache", "a problem is never cached")
                let o = try jsonObject(r)
                #expect(o["status"]?.integerValue == Int64(c.status))
                #expect(o["type"]?.stringValue?.hasPrefix("urn:minilateral-ledger:problem:") == true)
                #expect(o["title"]?.stringValue != nil && o["detail"]?.stringValue != nil)
                #expect(o["rule"]?.stringValue == c.rule, "\(r.text)")
                #expect(o["code"]?.stringValue == c.code, "\(r.text)")
            }
        }
        #expect(try FileStore(directory: fx.directory).size == before, "nothing refused was written")
    }

    @Test func aDuplicateIs409NamingTheExistingEntry() async throws {
        let fx = try WritableLedger(tag: "write-409")
        defer { fx.remove() }
        let statement = try fx.note("once")
        try await withWriteServer(try fx.writer()) { server in
            let first = try await server.submit(statement.body)
            #expect(first.status == 202)
            let index = try #require(try jsonObject(first)["index"]?.integerValue)
            _ = try await server.submit(try fx.note("another").body)
            let again = try await server.submit(statement.body)
            #expect(again.status == 409, "\(again.text)")
            #expect(again.headers["x-log-index"] == String(index))
            #expect(try jsonObject(again)["rule"]?.stringValue == "replay")
        }
    }

    @Test func aBodyOverTheLimitIs413WithoutReadingIt() async throws {
        let fx = try WritableLedger(tag: "write-413")
        defer { fx.remove() }
        try await withWriteServer(try fx.writer()) { server in
            // Declared larger than the limit: answered at once, though the body never comes.
            let started = Date()
            let declared = try await HTTPTestClient.post(
                port: server.port, "/api/v1/entries", body: Array("{}".utf8),
                headers: ["Content-Type": "application/json", "Content-Length": "1000000"])
            #expect(declared.status == 413, "\(declared.text)")
            #expect(Date().timeIntervalSince(started) < 10)
            // Sent without a declared length (chunked): cut off at the limit.
            let chunk = [UInt8](repeating: 0x20, count: 70_000)
            let chunked = try await HTTPTestClient.post(
                port: server.port, "/api/v1/entries",
                body: Array("11170\r\n".utf8) + chunk + Array("\r\n0\r\n\r\n".utf8),
                headers: ["Content-Type": "application/json", "Transfer-Encoding": "chunked", "Content-Length": ""])
            #expect(chunked.status == 413, "\(chunked.text)")
            #expect(try jsonObject(chunked)["type"]?.stringValue == "urn:minilateral-ledger:problem:too-large")
            // At the limit exactly, the body is read (and here refused as malformed JSON).
            let atLimit = try await server.submit([UInt8](repeating: 0x20, count: 65_535))
            #expect(atLimit.status == 400, "\(atLimit.text)")
        }
    }

    @Test func aSignerOverItsRateIs429WithRetryAfterAndOthersAreNotHeldBack() async throws {
        let fx = try WritableLedger(tag: "write-429")
        defer { fx.remove() }
        // The limiter's clock stands still until the test moves it: no wall time in the test.
        let clock = SetClock()
        let writer = try fx.writer(
            WriteConfiguration(operatorKey: fx.op, checkpointInterval: .seconds(1), rateLimit: 2),
            rateClock: { clock.now })
        try await withWriteServer(writer) { server in
            var statuses = [Int]()
            var retryAfter: String?
            for k in 0..<3 {
                let r = try await server.submit(try fx.note("burst \(k)").body)
                statuses.append(r.status)
                if r.status == 429 { retryAfter = r.headers["retry-after"] }
            }
            #expect(statuses == [202, 202, 429], "a bucket of 2 a second, spent at one instant")
            #expect(retryAfter.flatMap(Int.init).map { $0 >= 1 } == true)
            let other = try await server.submit(try fx.note("someone else", by: 1).body)
            #expect(other.status == 202, "the other signer's bucket is full")
            // A forged statement in the first author's name does not spend that author's budget.
            clock.advance(.seconds(1))
            var sig = try fx.note("forged").signature
            sig[0] ^= 1
            let forged = SignedStatement(statement: try fx.note("forged").statement, signature: sig)
            for _ in 0..<3 { #expect(try await server.submit(forged.body).status == 422) }
            #expect(try await server.submit(try fx.note("after").body).status == 202)
        }
    }

    /// Holds the ledger's `flock` from another open of the store until `release` is signalled,
    /// so that the server's writer blocks inside its commit.
    func holdLock(_ directory: String, held: DispatchSemaphore, release: DispatchSemaphore) throws {
        let store = try FileStore(directory: directory)
        Thread {
            try? store.withWriteLock { _ throws(LedgerError) in
                held.signal()
                release.wait()
            }
        }.start()
        held.wait()
    }

    /// Waits (bounded) until `condition` holds.
    func eventually(_ what: String, seconds: Double = 20, _ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else { throw HTTPTestClient.Failure(description: "timed out: \(what)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test func concurrentSubmissionsShareCommits() async throws {
        let fx = try WritableLedger(tag: "write-group", authors: 4)
        defer { fx.remove() }
        let writer = try fx.writer()
        let sequence = { try FileStore(directory: fx.directory).readCommitRecord().sequence }
        let before = try sequence()
        let statements = try (0..<40).map { try fx.note("concurrent \($0)", by: $0 % 4) }
        let held = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let results = try await withWriteServer(writer) { server in
            try holdLock(fx.directory, held: held, release: release)
            return try await withThrowingTaskGroup(of: HTTPResult.self) { group in
                for s in statements { group.addTask { try await server.submit(s.body) } }
                // Everything queued behind the commit the lock holds up, then released (also
                // when the wait fails, so that nothing stays blocked behind the lock).
                do {
                    // (The blocked commit may have taken more than one: all 40 are in it or queued.)
                    try await eventually("40 submissions in the held commit or queued") {
                        writer.committer.pending + writer.committer.inCommit >= 40
                    }
                } catch {
                    release.signal()
                    throw error
                }
                release.signal()
                return try await group.reduce(into: [HTTPResult]()) { $0.append($1) }
            }
        }
        #expect(results.allSatisfy { $0.status == 202 }, "\(results.map(\.status))")
        let indexes = Set(try results.map { try jsonObject($0)["index"]?.integerValue ?? -1 })
        #expect(indexes.count == 40)
        let commits = writer.committer.commits
        #expect(commits <= 3, "40 submissions, \(commits) commits")
        #expect(try sequence() - before == UInt64(commits), "one commit record (and fsync) per commit")
        let reopened = try Ledger<NegotiationRules>(directory: fx.directory)
        let stored = try Set((0..<reopened.size).map { try reopened.entry($0).signed })
        #expect(Set(statements).isSubset(of: stored))
    }

    @Test func aFullQueueIs503WithRetryAfter() async throws {
        let fx = try WritableLedger(tag: "write-503")
        defer { fx.remove() }
        let writer = try fx.writer(
            WriteConfiguration(operatorKey: fx.op, checkpointInterval: .seconds(1), rateLimit: 1000, maxPending: 2))
        let held = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        try await withWriteServer(writer) { server in
            try holdLock(fx.directory, held: held, release: release)
            let first = Task { try await server.submit(try fx.note("in the commit").body) }
            var queued = [Task<HTTPResult, any Error>]()
            let refused: HTTPResult
            // The lock is released whatever happens, so that nothing stays blocked behind it.
            do {
                try await eventually("the writer took the first") { writer.committer.inCommit == 1 }
                queued = [
                    Task { try await server.submit(try fx.note("queued 1").body) },
                    Task { try await server.submit(try fx.note("queued 2").body) },
                ]
                try await eventually("two queued") { writer.committer.pending == 2 }
                refused = try await server.submit(try fx.note("one too many").body)
            } catch {
                release.signal()
                throw error
            }
            #expect(refused.status == 503, "\(refused.text)")
            #expect(refused.headers["retry-after"] == "1")
            #expect(try jsonObject(refused)["type"]?.stringValue == "urn:minilateral-ledger:problem:overloaded")
            release.signal()
            #expect(try await first.value.status == 202)
            for q in queued { #expect(try await q.value.status == 202) }
        }
    }
}
