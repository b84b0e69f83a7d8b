import Consensus
import Foundation
import Hummingbird
import LedgerClient
import LedgerCore
import LedgerCrypto
import LedgerServer
import LedgerTestSupport
import Synchronization
import Testing

/// `append URL --wait` when the server answers `?wait=1` with `202` and no proof (it waits 30 s at
/// most, or is shutting down; specs/api.md): the statement is in the log, so the client waits for
/// a published checkpoint itself (`GET /proof/<index>`), and past the receipt's include-by and
/// 30 s more says that the promise is broken (exit 1). The receipt is saved either way.
@Suite struct RemoteWaitTests {
    /// A proxy that appends for real and answers `202` without a proof; the checkpoint that
    /// covers the entry is signed `publishAfter` seconds later (never when nil). The receipt's
    /// include-by is `includeBy`.
    static func run(
        publishAfter: Double?, includeBy: Timestamp, extra: [String] = []
    ) async throws -> (LedgerRun, receipt: String) {
        let copy = try SampleCopy()
        defer { copy.remove() }
        let log = try copy.published()
        let receiptFile = tempPath("wait-receipt")
        defer { try? FileManager.default.removeItem(atPath: receiptFile) }
        return try await withServer(log) { server in
            let accept: @Sendable ([UInt8], Bool) async throws -> Response = { bytes, wait in
                #expect(wait, "--wait asks for ?wait=1")
                let signed = try SignedStatement(json: try JSONParser.parse(bytes))
                let key = try LedgerFiles.readPrivateKey(RemoteClientTests.operatorKeyFile)
                let ledger = try Ledger<NegotiationRules>(directory: copy.directory)
                let appended = try ledger.append([signed])[0]
                if let publishAfter {
                    Task.detached {
                        try await Task.sleep(for: .milliseconds(Int(publishAfter * 1000)))
                        _ = try ledger.signCheckpoint(key: key)
                        try log.refresh()
                    }
                }
                let receipt = Receipt(
                    origin: key.name, index: appended.index, statementHash: signed.statement.hash,
                    leafHash: appended.leafHash, logTime: includeBy.adding(seconds: -60), includeBy: includeBy)
                let reply: JSONValue = [
                    "index": .integer(Int64(appended.index)), "leafHash": .string(appended.leafHash.base64),
                    "statementHash": .string(signed.statement.hash.base64),
                    "receipt": .string(try SignedReceipt(signing: receipt, with: key).serialized),
                ]
                return Response(
                    status: .accepted, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: reply.canonicalString)))
            }
            return try await withProxy(upstream: server.port, tamper: .none, accept: accept) { proxy in
                let url = "http://127.0.0.1:\(proxy.port)"
                let r = try await runLedger(
                    [
                        "append", url, "--key", RemoteClientTests.operatorKeyFile, "--kind", "note", "--wait",
                        "--receipt", receiptFile, "--body", "{\"text\":\"waited for\"}",
                    ] + extra)
                return (r, (try? String(contentsOfFile: receiptFile, encoding: .utf8)) ?? "")
            }
        }
    }

    /// The server's `?wait=1` hold ends before the client's request timeout, whatever the
    /// checkpoint interval: a client always gets the `202` (review: with an hour's interval the
    /// server held two intervals and the client gave up at 30 s, receipt unsaved).
    @Test func theServersHoldEndsBeforeTheClientsTimeout() throws {
        let op = try NoteSignerKey.generate(name: "hold.example/log")
        let client = try LogClient(url: "http://127.0.0.1:1")
        for interval in [Duration.seconds(1), .seconds(60), .seconds(3600)] {
            let c = WriteConfiguration(operatorKey: op, checkpointInterval: interval)
            #expect(c.waitTimeout + .seconds(4) <= client.timeout, "\(interval)")
        }
    }

    @Test func aReplyWithoutProofIsFollowedByWaitingForTheCheckpoint() async throws {
        let (r, receipt) = try await Self.run(publishAfter: 1.5, includeBy: .now().adding(seconds: 60))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "100\n", "\(r.stdout)")
        #expect(
            r.stderr.contains("the reply came before a checkpoint covered entry 100; waiting for one"), "\(r.stderr)")
        #expect(receipt.hasPrefix("minilateral-ledger/receipt/v1\n"), "the receipt is saved: \(receipt)")
    }

    @Test func noCheckpointPastIncludeByIsABrokenPromiseAndTheReceiptIsKept() async throws {
        // Include-by 27 s ago: the client waits about 3 s more, then gives up.
        let (r, receipt) = try await Self.run(publishAfter: nil, includeBy: .now().adding(seconds: -27))
        #expect(r.status == 1, "status \(r.status): \(r.stdout) \(r.stderr)")
        #expect(r.stdout.isEmpty, "\(r.stdout)")
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("ledger: error:") }
        #expect(errors.count == 1, "\(r.stderr)")
        #expect(
            errors.first?.contains("no published checkpoint covers entry 100 30 s after the receipt's include-by")
                == true, "\(r.stderr)")
        #expect(errors.first?.contains("ledger receipt check RECEIPT URL") == true)
        #expect(receipt.hasPrefix("minilateral-ledger/receipt/v1\n"), "the evidence is kept: \(receipt)")
    }
}

/// The server's side of `?wait=1`: a wait ends at its deadline (within the service's one-second
/// tick), whatever the checkpoint interval. Waits were once expired only when a checkpoint was
/// due, so an hour's interval held every `?wait=1` for the hour.
@Suite struct CheckpointWaitExpiryTests {
    @Test(.timeLimit(.minutes(10))) func aWaitEndsAtItsDeadlineWhateverTheCheckpointInterval() async throws {
        let fx = try WritableLedger(tag: "wait-expiry")
        defer { fx.remove() }
        let hour = Duration.seconds(3600)
        let writer = try fx.writer(WriteConfiguration(operatorKey: fx.op, checkpointInterval: hour, rateLimit: 1000))
        let service = CheckpointSigningService(writer: writer, interval: hour, logger: quietLogger("test.expiry"))
        let task = Task { try await service.run() }
        defer { task.cancel() }
        let started = ContinuousClock.now
        let covered = await writer.waiters.wait(for: 1_000_000, until: .now + .milliseconds(300))
        #expect(!covered)
        // Within the one-second tick on a quiet machine; the bound leaves room for a starved test
        // process, and is far below the hour the wait once took.
        #expect(ContinuousClock.now - started < .seconds(300), "ended \(ContinuousClock.now - started) after")
    }
}

/// SIGTERM while a `?wait=1` is held (specs/api.md: "or when the server shuts down, it replies
/// `202`"): the wait ends at once and the server exits. It once held shutdown for the whole wait:
/// the HTTP server stops first and waits for requests in flight, and the waits were released only
/// when the signing service stopped after it.
@Suite struct ShutdownDuringWaitTests {
    @Test(.timeLimit(.minutes(5))) func aHeldWaitIsAnswered202AtShutdownAndTheServerExits() async throws {
        let suite = WriteServeCommandTests()
        let (fx, keyFile) = try suite.ledgerWithKeyFile("shutdown-wait")
        defer { suite.remove(fx, keyFile) }
        let server = try await ServeProcess.start([
            fx.directory, "--operator-key", keyFile, "--checkpoint-interval", "3600", "--max-delay", "3600",
        ])
        // The first checkpoint is signed at start; the wait is for the entry after it.
        try await Task.sleep(for: .seconds(1))
        let statement = try fx.note("held")
        // The reply's arrival is timed on the posting thread (not the concurrency pool, which a
        // full test run can starve).
        let port = server.port
        let reply = Task {
            try await onThread { () -> (HTTPResult, Date) in
                let r = try HTTPTestClient.getBlocking(
                    port: port, "/api/v1/entries?wait=1", method: "POST", body: statement.body,
                    headers: ["Content-Type": "application/json"])
                return (r, Date())
            }
        }
        try await Task.sleep(for: .seconds(2))
        let signalled = Date()
        kill(server.process.processIdentifier, SIGTERM)
        let (r, answered) = try await reply.value
        #expect(r.status == 202, "\(r.status) \(r.text)")
        #expect(try JSONParser.parse(r.body)["proof"] == nil)
        #expect(try await waitForExit(server.process, seconds: 60), "still running after SIGTERM")
        // At once, not at the end of the 25 s hold (1.7 s to the exit, measured by hand).
        #expect(answered.timeIntervalSince(signalled) < 15, "answered \(answered.timeIntervalSince(signalled)) s after")
    }
}
