import Consensus
import Foundation
import Hummingbird
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

/// Promises of specs/api.md about `ledger serve` itself that no other test attacked: start-up
/// refusals, the witness's limits and state, the witness client against a lying witness, a
/// write that cannot be stored, and the refresh of the served checkpoint.
@Suite struct PromiseServerTests {
    // MARK: api.md: start-up

    /// A stored latest checkpoint over another root (signed by the log key) stops `ledger serve`
    /// before it listens: exit 1, one line, no URL on stdout.
    @Test func serveRefusesAStoredLatestCheckpointThatFailsTheChecks() async throws {
        let copy = try SampleCopy(tag: "serve-forged")
        defer { copy.remove() }
        try copy.appendNotes(1, text: "forged next")
        var forged = try SignedNote(
            text: Checkpoint(origin: copy.origin, size: 101, root: MerkleHash.leaf(Array("forged".utf8))).text)
        forged.sign(with: copy.operatorKey)
        try copy.ledger.store.storeCheckpoint(forged.serialized, size: 101)
        let r = try await onThread { try measuredLedger(["serve", copy.directory, "--port", "0"]) }
        #expect(r.status == 1, "\(r.status) \(r.stderr)")
        #expect(r.stdout.isEmpty, "it listened: \(r.stdout)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("ledger: error: "), "\(r.stderr)")
    }

    @Test func serveOnAPortAlreadyBoundIsExit2() async throws {
        let copy = try SampleCopy(tag: "serve-bound")
        defer { copy.remove() }
        try await withServer(try copy.published()) { server in
            let r = try await onThread {
                try measuredLedger(["serve", copy.directory, "--host", "127.0.0.1", "--port", "\(server.port)"])
            }
            #expect(r.status == 2, "\(r.status) \(r.stderr)")
            #expect(r.stdout.isEmpty, "\(r.stdout)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
            #expect(try await server.get("/checkpoint").status == 200, "the first server still answers")
        }
    }

    /// A witness may not witness its own key: `--log O=<the witness's vkey>` is exit 2.
    @Test func aWitnessOfItsOwnKeyIsRefusedAtStartUp() async throws {
        let key = try NoteSignerKey.generate(name: "witness.example/self")
        let keyFile = tempPath("self-witness") + ".key"
        let state = tempPath("self-witness-state")
        try LedgerFiles.writePrivateKey(key, to: keyFile)
        defer {
            try? FileManager.default.removeItem(atPath: keyFile)
            try? FileManager.default.removeItem(atPath: state)
        }
        let r = try await onThread {
            try measuredLedger([
                "serve", "--witness-only", "--key", keyFile, "--state", state, "--log",
                "log.example=\(key.verifierKey.description)", "--port", "0",
            ])
        }
        #expect(r.status == 2, "\(r.status) \(r.stderr)")
        #expect(r.stdout.isEmpty, "it listened: \(r.stdout)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }

    // MARK: api.md: the witness's limits and its state

    @Test func theWitnessRefusesOversizedMalformedAndTooLongRequests() async throws {
        let log = try WitnessedLog(origin: "example.com/limits")
        let witnessKey = try NoteSignerKey.generate(name: "witness.example/limits")
        let state = tempPath("witness-limits")
        defer { try? FileManager.default.removeItem(atPath: state) }
        let endpoint = try makeWitness(key: witnessKey, logs: [log.key.name: [log.key.verifierKey]], state: state)
        let server = try await RunningServer.startWitness(endpoint)
        try await server.serving { w in
            let valid = addCheckpointBody(old: 0, try log.checkpoint(8))
            // Over 64 KiB: the size alone is refused, before the body is parsed.
            var big = valid
            big.insert(contentsOf: [UInt8](repeating: UInt8(ascii: "A"), count: 64 * 1024), at: 0)
            let oversized = try await w.add(big)
            #expect(oversized.status == 400, "\(oversized.status) \(oversized.text)")
            #expect(oversized.text.contains("over 64 KiB"), "\(oversized.text)")
            // 64 proof lines, each valid base64 of 32 bytes.
            let proof = (0..<64).map { _ in MerkleHash.leaf(Array("p".utf8)) }
            let long = try await w.add(addCheckpointBody(old: 0, proof: proof, try log.checkpoint(8)))
            #expect(long.status == 400, "\(long.status) \(long.text)")
            #expect(long.text.contains("more than 63"), "\(long.text)")
            var invalid = valid
            invalid.insert(contentsOf: [0xC3, 0x28], at: valid.count - 2)
            let notUTF8 = try await w.add(invalid)
            #expect(notUTF8.status == 400, "\(notUTF8.status) \(notUTF8.text)")
            #expect(notUTF8.text.contains("UTF-8"), "\(notUTF8.text)")
            for r in [oversized, long, notUTF8] {
                #expect(r.text.split(separator: "\n").count == 1 && r.text.hasSuffix("\n"), "\(r.text)")
                #expect(r.headers["content-type"] == "text/plain; charset=utf-8", "\(r.headers)")
            }
            // None of them was cosigned: the state is still empty, and the valid body is 200.
            #expect(try FileWitnessState(directory: state).lastCosigned(origin: log.key.name) == nil)
            #expect(try await w.add(valid).status == 200)
        }
    }

    /// A state directory that cannot be written (mode 0500, or immutable for root): `500`,
    /// nothing cosigned, the state unchanged.
    @Test(.enabled(if: readOnlyWorks, "no way to make a directory read-only for this user"))
    func aStateThatCannotBeWrittenIs500AndNothingIsCosigned() async throws {
        let log = try WitnessedLog(origin: "example.com/readonly")
        let witnessKey = try NoteSignerKey.generate(name: "witness.example/readonly")
        let state = tempPath("witness-readonly")
        defer {
            Self.makeWritable(state)
            try? FileManager.default.removeItem(atPath: state)
        }
        let endpoint = try makeWitness(key: witnessKey, logs: [log.key.name: [log.key.verifierKey]], state: state)
        let server = try await RunningServer.startWitness(endpoint)
        try await server.serving { w in
            #expect(try await w.add(addCheckpointBody(old: 0, try log.checkpoint(8))).status == 200)
            let before = try directoryContents(state)
            #expect(Self.makeReadOnly(state))
            let r = try await w.add(addCheckpointBody(old: 8, proof: log.proof(8, 20), try log.checkpoint(20)))
            Self.makeWritable(state)
            #expect(r.status == 500, "\(r.status) \(r.text)")
            #expect(r.text == "internal error: the server's log says why\n", "\(r.text)")
            #expect(try directoryContents(state) == before, "the state changed")
            let record = try #require(try FileWitnessState(directory: state).lastCosigned(origin: log.key.name))
            #expect(record.checkpoint.size == 8)
            // Writable again: the same request is cosigned.
            let again = try await w.add(addCheckpointBody(old: 8, proof: log.proof(8, 20), try log.checkpoint(20)))
            #expect(again.status == 200, "\(again.text)")
        }
    }

    // MARK: api.md: the witness client against a witness that lies

    enum LyingWitness: String, CaseIterable, Sendable {
        case conflictBeyond = "409 naming a size beyond the checkpoint"
        case redirect = "302 to a URL that would cosign"
        case future = "a valid cosignature dated an hour ahead"
    }

    @Test(.timeLimit(.minutes(2)), arguments: LyingWitness.allCases)
    func theWitnessClientStoresNothingFromALyingWitness(_ lie: LyingWitness) async throws {
        let sample = try SampleCopy(tag: "wc-lie")
        defer { sample.remove() }
        let witness = try NoteSignerKey.generate(name: "witness.liar.demo")
        let bodies = Mutex<[String]>([])
        let router = Router(context: BasicRequestContext.self)
        // The witness's cosignature line for the note in an add-checkpoint body.
        let cosignature: @Sendable (String) throws -> Response = { body in
            var note = try SignedNote(
                parsing: body.components(separatedBy: "\n\n").dropFirst().joined(separator: "\n\n"))
            let before = note.serialized
            note.cosign(with: witness, time: UInt64(Date().timeIntervalSince1970) + (lie == .future ? 3600 : 0))
            let line = String(note.serialized.dropFirst(before.count))
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: line)))
        }
        router.post("witness/add-checkpoint") { request, _ -> Response in
            let body = String(decoding: try await request.body.collect(upTo: 1 << 16).readableBytesView, as: UTF8.self)
            bodies.withLock { $0.append(body) }
            switch lie {
            case .conflictBeyond:
                return Response(
                    status: .conflict, headers: [.contentType: "text/x.tlog.size"],
                    body: .init(byteBuffer: ByteBuffer(string: "101\n")))
            case .redirect:
                return Response(status: .found, headers: [.location: "/elsewhere/add-checkpoint"])
            case .future: return try cosignature(body)
            }
        }
        router.post("elsewhere/add-checkpoint") { request, _ -> Response in
            bodies.withLock { $0.append("redirect followed") }
            return try cosignature(
                String(decoding: try await request.body.collect(upTo: 1 << 16).readableBytesView, as: UTF8.self))
        }
        // A client that follows a 302 may turn the POST into a GET.
        router.get("elsewhere/add-checkpoint") { _, _ -> Response in
            bodies.withLock { $0.append("redirect followed") }
            return Response(status: .notFound)
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: quietLogger("test.liar"))
        let fake = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { fake.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let target = try WitnessTarget(url: "http://127.0.0.1:\(port)/witness", key: witness.verifierKey.asCosigner)
        let metrics = ServerMetrics()
        let server = try await RunningServer.start(
            sample.log,
            extras: ServerExtras(
                metrics: metrics, services: [WitnessClientTests.service(sample, [target], metrics: metrics)]))
        try await server.serving { server in
            let errors = "ledger_witness_submission_errors_total{witness=\"witness.liar.demo\"}"
            let counted = try await eventually {
                metricValue(try await server.get("/metrics").text, errors) ?? 0 >= 2
            }
            #expect(counted, "\(lie.rawValue): no error counted")
            #expect(!(try await server.get("/checkpoint").text.contains("witness.liar.demo")), "\(lie.rawValue)")
            #expect(try sample.ledger.store.checkpointText(size: 100)?.contains("witness.liar.demo") == false)
        }
        fake.cancel()
        _ = try? await fake.value
        let sent = bodies.withLock { $0 }
        #expect(!sent.isEmpty)
        #expect(!sent.contains("redirect followed"), "the client followed a redirect")
        let logLine = try #require(try sample.checkpoint(size: 100).serialized.split(separator: "\n").last)
        for body in sent where body != "redirect followed" {
            // The log's own line only: not the sample's G7-JP.demo and G7-US.demo cosignatures.
            let signatures = body.split(separator: "\n").filter { $0.hasPrefix("— ") }
            #expect(signatures.map(String.init) == [String(logLine)], "\(lie.rawValue): \(body)")
        }
    }

    // MARK: README, api.md: a newer checkpoint is published within a refresh; a forged one never

    /// `ledger serve --refresh-interval 0.1` (the built binary): a checkpoint signed by `ledger
    /// checkpoint --sign` in another process is served within seconds; a forged note of a larger
    /// size dropped into the store is never served, and the server keeps answering.
    @Test(.timeLimit(.minutes(3))) func aSignedCheckpointIsServedSoonAndAForgedOneNever() async throws {
        let copy = try SampleCopy(tag: "refresh")
        defer { copy.remove() }
        let server = try await ServeProcess.start([copy.directory, "--refresh-interval", "0.1"])
        do {
            let first = try await HTTPTestClient.get(port: server.port, "/checkpoint")
            #expect(first.text.hasPrefix(copy.origin + "\n100\n"), "\(first.text)")
            let key = RemoteClientTests.operatorKeyFile
            let appended = try await onThread {
                try runLedgerBlocking([
                    "append", copy.directory, "--key", key, "--kind", "note", "--body", #"{"text":"r"}"#,
                ])
            }
            #expect(appended.status == 0, "\(appended.err)")
            let signed = try await onThread {
                try runLedgerBlocking(["checkpoint", copy.directory, "--sign", "--key", key])
            }
            #expect(signed.status == 0, "\(signed.err)")
            let stored = try #require(try copy.ledger.store.checkpointText(size: 101))
            let served = try await eventually(seconds: 120) {
                try await HTTPTestClient.get(port: server.port, "/checkpoint").text == stored
            }
            #expect(served, "the checkpoint of size 101 was not served within 120 s")

            // One more entry, and a note of its size over another root, signed by the log key.
            let more = try await onThread {
                try runLedgerBlocking([
                    "append", copy.directory, "--key", key, "--kind", "note", "--body", #"{"text":"s"}"#,
                ])
            }
            #expect(more.status == 0, "\(more.err)")
            var forged = try SignedNote(
                text: Checkpoint(origin: copy.origin, size: 102, root: MerkleHash.leaf(Array("forged".utf8))).text)
            forged.sign(with: copy.operatorKey)
            try copy.ledger.store.storeCheckpoint(forged.serialized, size: 102)
            // Twenty refresh intervals and more: the old checkpoint still served, entry 101 not.
            try await Task.sleep(for: .seconds(2))
            let after = try await HTTPTestClient.get(port: server.port, "/checkpoint")
            #expect(after.status == 200 && after.text == stored, "\(after.text)")
            #expect(try await HTTPTestClient.get(port: server.port, "/proof/101").status == 404)
            #expect(try await HTTPTestClient.get(port: server.port, "/proof/100").status == 200)
            try await server.stop()
        } catch {
            kill(server.process.processIdentifier, SIGKILL)
            server.process.waitUntilExit()
            throw error
        }
    }

    // MARK: api.md, write API: a store that cannot be written is 500, and nothing is appended

    /// Whether ``makeReadOnly(_:)`` stops this process from opening a file for writing:
    /// `chattr +i` as root (when the capability is there), mode 0500 otherwise.
    static let readOnlyWorks: Bool = {
        let probe = tempPath("read-only-probe")
        FileManager.default.createFile(atPath: probe, contents: Data("x".utf8))
        defer {
            makeWritable(probe)
            try? FileManager.default.removeItem(atPath: probe)
        }
        guard makeReadOnly(probe) else { return false }
        let fd = open(probe, O_RDWR | O_APPEND)
        if fd >= 0 { close(fd) }
        return fd < 0
    }()

    static func makeReadOnly(_ path: String) -> Bool {
        if geteuid() == 0 { return (try? runProcess("/usr/bin/chattr", ["+i", path]).status) == 0 }
        return chmod(path, 0o500) == 0
    }

    static func makeWritable(_ path: String) {
        if geteuid() == 0 { _ = try? runProcess("/usr/bin/chattr", ["-i", path]) }
        chmod(path, 0o700)
    }

    @Test(.enabled(if: readOnlyWorks, "no way to make a file read-only for this user"))
    func aPostThatCannotBeStoredIs500WithNoIndexAndNothingAppended() async throws {
        let fx = try WritableLedger(tag: "write-500", authors: 1)
        let entries = fx.directory + "/entries.jsonl"
        defer {
            Self.makeWritable(entries)
            fx.remove()
        }
        let sizeBefore = try Ledger<NegotiationRules>(directory: fx.directory).size
        let bytesBefore = try Data(contentsOf: URL(fileURLWithPath: entries))
        let statement = try fx.note("never stored")
        let writer = try fx.writer()
        #expect(Self.makeReadOnly(entries))
        let r = try await withWriteServer(writer) { try await $0.submit(statement.body) }
        Self.makeWritable(entries)
        #expect(r.status == 500, "\(r.status) \(r.text)")
        #expect(r.headers["content-type"] == "application/problem+json", "\(r.headers)")
        let problem = try jsonObject(r)
        #expect(problem["status"] == .integer(500), "\(r.text)")
        #expect(problem["index"] == nil && problem["receipt"] == nil, "\(r.text)")
        #expect(!r.text.contains(fx.directory), "the reply names the server's files: \(r.text)")
        let reopened = try Ledger<NegotiationRules>(directory: fx.directory)
        #expect(reopened.size == sizeBefore)
        #expect(try Data(contentsOf: URL(fileURLWithPath: entries)) == bytesBefore)
        let verified = try await onThread { try runLedgerBlocking(["verify", fx.directory]) }
        #expect(verified.status == 0, "\(verified.out) \(verified.err)")
    }
}
