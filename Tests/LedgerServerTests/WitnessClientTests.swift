import Consensus
import Foundation
import LedgerCore
import LedgerCrypto
import LedgerServer
import Logging
import NIOSSL
import Testing

/// A copy of the sample ledger, its operator key (the demo's, not secret) and a published log.
struct SampleCopy {
    let directory: String
    let ledger: Ledger<NegotiationRules>
    let log: PublishedLog<FileStore>
    let operatorKey: NoteSignerKey

    init(tag: String) throws {
        directory = tempPath(tag)
        try FileManager.default.copyItem(atPath: sampleLedger, toPath: directory)
        ledger = try Ledger<NegotiationRules>(directory: directory)
        log = try PublishedLog(ledger: ledger)
        try log.refresh()
        let keyFile = packageRoot.appendingPathComponent(
            "ledger-demo-keys/DEMO-NOT-SECRET-demo.minilateral-ledger.example.key")
        operatorKey = try NoteSignerKey(parsing: String(contentsOf: keyFile, encoding: .utf8))
    }

    /// A copy tagged "sample".
    init() throws { try self.init(tag: "sample") }

    var origin: String { operatorKey.name }

    /// A fresh published log over the copy, refreshed.
    func published() throws -> PublishedLog<FileStore> {
        let log = try PublishedLog(ledger: try Ledger<NegotiationRules>(directory: directory))
        try log.refresh()
        return log
    }

    /// Appends `n` notes by the operator and signs a checkpoint over them.
    func appendNotes(_ n: Int, text: String = "note") throws {
        let ledger = try Ledger<NegotiationRules>(directory: directory)
        for i in 0..<n {
            _ = try ledger.append([
                try Statement.make(
                    kind: "note", body: ["text": .string("\(text) \(i)")], key: operatorKey, time: .now())
            ])
        }
        _ = try ledger.signCheckpoint(key: operatorKey)
    }

    func file(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)) }

    /// The log's checkpoint of `size` over the sample's real tree, signed by the operator key.
    func checkpoint(size: Int64) throws -> SignedNote {
        let root = try ledger.store.tree.root(treeSize: size)
        var note = try SignedNote(text: Checkpoint(origin: origin, size: UInt64(size), root: root).text)
        note.sign(with: operatorKey)
        return note
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// A quiet logger for servers and services inside tests.
func quietLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .critical
    return logger
}

extension RunningServer {
    /// `ledger serve --witness-only` in this process, over TLS when `tls` is given.
    static func startWitness(_ witness: WitnessEndpoint, tls: TLSConfiguration?, metrics: ServerMetrics? = nil)
        async throws -> RunningServer
    {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, tls: tls)
        let task = Task {
            try await runWitnessServer(
                witness: witness, configuration: configuration, logger: quietLogger("test.witness"),
                handlingSignals: false, extras: ServerExtras(metrics: metrics)
            ) { continuation.yield($0) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw HTTPTestClient.Failure(description: "no witness") }
        return RunningServer(port: port, task: task)
    }

    /// `ledger serve DIR --witness …` in this process: the log server with `extras` (metrics, the witness client).
    /// `answersOnEventLoop` false sends every request to the router.
    static func start<Store: LedgerStore>(
        _ log: PublishedLog<Store>, extras: ServerExtras, tls: TLSConfiguration? = nil,
        answersOnEventLoop: Bool = true
    ) async throws -> RunningServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var configuration = ServerConfiguration(
            host: "127.0.0.1", port: 0, refreshInterval: .seconds(3600), tls: tls)
        configuration.answersOnEventLoop = answersOnEventLoop
        let task = Task {
            try await runServer(
                log: log, configuration: configuration, logger: quietLogger("test.log"), handlingSignals: false,
                extras: extras
            ) { continuation.yield($0) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw HTTPTestClient.Failure(description: "no server") }
        return RunningServer(port: port, task: task)
    }
}

/// The value of the sample `series` (name and labels exactly as exposed) in a Prometheus text body.
func metricValue(_ text: String, _ series: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass; returns whether it held.
func eventually(seconds: Double = 120, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// The witness client (`ledger serve DIR --witness URL=VKEY`) against real witnesses on loopback.
@Suite struct WitnessClientTests {
    /// Two witnesses of the sample copy, each with its own key and state directory.
    struct Witnesses {
        let keys: [NoteSignerKey]
        let states: [String]
        let servers: [RunningServer]

        static func start(
            for sample: SampleCopy, names: [String], tls: TLSConfiguration? = nil, metrics: ServerMetrics? = nil
        ) async throws -> Witnesses {
            var keys = [NoteSignerKey]()
            var states = [String]()
            var servers = [RunningServer]()
            for name in names {
                let key = try NoteSignerKey.generate(name: name)
                let state = tempPath("wstate")
                let endpoint = try makeWitness(
                    key: key, logs: [sample.origin: [sample.operatorKey.verifierKey]], state: state)
                servers.append(try await RunningServer.startWitness(endpoint, tls: tls, metrics: metrics))
                keys.append(key)
                states.append(state)
            }
            return Witnesses(keys: keys, states: states, servers: servers)
        }

        func targets(scheme: String = "http", keys override: [NoteSignerKey]? = nil) throws -> [WitnessTarget] {
            try zip(servers, override ?? keys).map { server, key in
                try WitnessTarget(
                    url: "\(scheme)://127.0.0.1:\(server.port)/witness", key: key.verifierKey.asCosigner)
            }
        }

        func stop() async {
            for s in servers { await s.stop() }
            for s in states { try? FileManager.default.removeItem(atPath: s) }
        }
    }

    static func service(
        _ sample: SampleCopy, _ targets: [WitnessTarget], metrics: ServerMetrics? = nil,
        tls: TLSConfiguration? = nil
    ) -> WitnessClientService<FileStore> {
        WitnessClientService(
            ledger: sample.ledger, log: sample.log, witnesses: targets, interval: .milliseconds(50),
            backoff: .init(first: .milliseconds(50), limit: .milliseconds(200)), metrics: metrics,
            logger: quietLogger("test.witness-client"), tls: tls)
    }

    /// The cosignatures on `text` by `keys`, counted as `verify` counts them.
    static func counted(_ text: String, _ sample: SampleCopy, _ keys: [NoteSignerKey]) throws -> [String] {
        let cp = try SignedCheckpoint(parsing: text, logKey: sample.operatorKey.verifierKey)
        return try cp.cosignatures(
            witnesses: keys.map(\.verifierKey), logKey: sample.operatorKey.verifierKey, now: UInt64(Int64.max)
        ).counted.map(\.key.name).sorted()
    }

    @Test func bothWitnessesCosignAndTheServerServesAndStoresTheCosignedCheckpoint() async throws {
        let sample = try SampleCopy(tag: "wc-both")
        defer { sample.remove() }
        let witnesses = try await Witnesses.start(for: sample, names: ["witness.G7-DE.demo", "witness.G7-FR.demo"])
        let metrics = ServerMetrics()
        let server = try await RunningServer.start(
            sample.log,
            extras: ServerExtras(
                metrics: metrics, services: [Self.service(sample, try witnesses.targets(), metrics: metrics)]))
        let before = try await server.get("/checkpoint").text
        #expect(try Self.counted(before, sample, witnesses.keys).isEmpty)
        let cosigned = try await eventually {
            try Self.counted(try await server.get("/checkpoint").text, sample, witnesses.keys).count == 2
        }
        #expect(cosigned, "the served checkpoint never carried both cosignatures")
        let served = try await server.get("/checkpoint").text
        #expect(served.hasPrefix(before.split(separator: "—")[0] + "—"), "the checkpoint body changed")
        // The sample's own cosignatures are kept; the new ones are stored in the ledger too.
        #expect(served.contains("— G7-JP.demo ") && served.contains("— G7-US.demo "))
        let stored = try #require(try sample.ledger.store.checkpointText(size: 100))
        #expect(try Self.counted(stored, sample, witnesses.keys) == ["witness.G7-DE.demo", "witness.G7-FR.demo"])
        // Each witness recorded the checkpoint as its state.
        for state in witnesses.states {
            let record = try #require(try FileWitnessState(directory: state).lastCosigned(origin: sample.origin))
            #expect(record.checkpoint.size == 100)
        }
        let text = try await server.get("/metrics").text
        #expect(metricValue(text, "ledger_witness_lag{witness=\"witness.G7-DE.demo\"}") == 0, "\(text)")
        #expect(metricValue(text, "ledger_witness_cosigned_size{witness=\"witness.G7-FR.demo\"}") == 100, "\(text)")
        await server.stop()
        await witnesses.stop()
    }

    @Test func aCosignedCheckpointIsNotSentAgain() async throws {
        let sample = try SampleCopy(tag: "wc-once")
        defer { sample.remove() }
        let witnessMetrics = ServerMetrics()
        let witnesses = try await Witnesses.start(
            for: sample, names: ["witness.G7-EU.demo"], metrics: witnessMetrics)
        let server = try await RunningServer.start(
            sample.log, extras: ServerExtras(services: [Self.service(sample, try witnesses.targets())]))
        let posts = "ledger_http_requests_total{method=\"POST\",route=\"/witness/add-checkpoint\",status=\"200\"}"
        let cosigned = try await eventually {
            metricValue(String(decoding: witnessMetrics.render(), as: UTF8.self), posts) == 1
        }
        #expect(cosigned)
        // Twenty more looks at the published checkpoint (50 ms apart): none submits it again.
        try await Task.sleep(for: .seconds(1))
        #expect(metricValue(String(decoding: witnessMetrics.render(), as: UTF8.self), posts) == 1)
        #expect(try await server.get("/checkpoint").text.contains("\n— witness.G7-EU.demo "))
        await server.stop()
        await witnesses.stop()
    }

    @Test func aWitnessAheadOfTheClientAnswers409AndTheClientResubmitsWithAConsistencyProof() async throws {
        let sample = try SampleCopy(tag: "wc-409")
        defer { sample.remove() }
        let witnesses = try await Witnesses.start(for: sample, names: ["witness.G7-IT.demo"])
        // The witness already cosigned size 37: the client (which starts at 0) gets 409 "37\n",
        // then must send old 37 with the RFC 9162 proof from 37 to 100.
        let seeded = try await witnesses.servers[0].add(addCheckpointBody(old: 0, try sample.checkpoint(size: 37)))
        #expect(seeded.status == 200)
        let server = try await RunningServer.start(
            sample.log, extras: ServerExtras(services: [Self.service(sample, try witnesses.targets())]))
        let cosigned = try await eventually {
            try Self.counted(try await server.get("/checkpoint").text, sample, witnesses.keys).count == 1
        }
        #expect(cosigned)
        let record = try #require(
            try FileWitnessState(directory: witnesses.states[0]).lastCosigned(origin: sample.origin))
        #expect(record.checkpoint.size == 100)
        await server.stop()
        await witnesses.stop()
    }

    @Test func aCosignatureUnderAnotherKeyThanTheConfiguredOneIsNeverStored() async throws {
        let sample = try SampleCopy(tag: "wc-wrongkey")
        defer { sample.remove() }
        let witnesses = try await Witnesses.start(for: sample, names: ["witness.G7-CA.demo"])
        // Configured with a key of the same name that the witness does not hold.
        let impostor = try NoteSignerKey.generate(name: "witness.G7-CA.demo")
        let metrics = ServerMetrics()
        let server = try await RunningServer.start(
            sample.log,
            extras: ServerExtras(
                metrics: metrics,
                services: [Self.service(sample, try witnesses.targets(keys: [impostor]), metrics: metrics)]))
        let failed = try await eventually {
            let text = try await server.get("/metrics").text
            return metricValue(text, "ledger_witness_submission_errors_total{witness=\"witness.G7-CA.demo\"}") ?? 0 >= 2
        }
        #expect(failed, "no failed submissions were counted")
        let served = try await server.get("/checkpoint").text
        #expect(!served.contains("witness.G7-CA.demo"))
        #expect(try sample.ledger.store.checkpointText(size: 100)?.contains("witness.G7-CA.demo") == false)
        await server.stop()
        await witnesses.stop()
    }

    @Test func aForgedOrForeignReplyIsRefusedBeforeAnythingIsStored() throws {
        let sample = try SampleCopy(tag: "wc-reply")
        defer { sample.remove() }
        let witness = try NoteSignerKey.generate(name: "witness.example")
        let target = try WitnessTarget(url: "http://127.0.0.1:1/witness", key: witness.verifierKey)
        let note = try sample.checkpoint(size: 100)
        var good = note
        good.cosign(with: witness, time: 1_700_000_000)
        let line = String(good.serialized.dropFirst(note.serialized.count))
        let accepted = try WitnessClient.cosigned(note, reply: Array(line.utf8), by: target)
        #expect(accepted.signatures.count == 2)
        // One byte of the signature changed.
        var bytes = Array(line.utf8)
        let i = bytes.count - 5
        bytes[i] = bytes[i] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: WitnessSubmissionError.self) { try WitnessClient.cosigned(note, reply: bytes, by: target) }
        // A valid cosignature by another witness only.
        var other = note
        other.cosign(with: try NoteSignerKey.generate(name: "witness.other"), time: 1_700_000_000)
        let foreign = Array(other.serialized.dropFirst(note.serialized.count).utf8)
        #expect(throws: WitnessSubmissionError.self) { try WitnessClient.cosigned(note, reply: foreign, by: target) }
        #expect(throws: WitnessSubmissionError.self) {
            try WitnessClient.cosigned(note, reply: Array("not a signature\n".utf8), by: target)
        }
    }

    @Test func theBackoffDoublesUpToItsLimit() {
        let b = WitnessClientService<FileStore>.Backoff(first: .milliseconds(500), limit: .seconds(3))
        #expect(b.delay(after: 1) == .milliseconds(500))
        #expect(b.delay(after: 2) == .seconds(1))
        #expect(b.delay(after: 3) == .seconds(2))
        #expect(b.delay(after: 4) == .seconds(3))
        #expect(b.delay(after: 1000) == .seconds(3))
    }

    @Test(arguments: [
        "http://127.0.0.1:8080/witness", "witness.example+12345678+AAAA", "ftp://h/witness=x",
        "http://?q/witness=witness.example+00000000+AQ", "=witness.example",
    ])
    func aBadWitnessSpecIsRefused(spec: String) {
        #expect(throws: LedgerError.self) { try WitnessTarget(parsing: spec) }
    }

    @Test func aWitnessSpecTakesTheURLAndTheCosignerKey() throws {
        let key = try NoteSignerKey.generate(name: "witness.example")
        let t = try WitnessTarget(parsing: "https://w.example:8443/witness/=\(key.verifierKey)")
        #expect(t.addCheckpointURL == "https://w.example:8443/witness/add-checkpoint")
        #expect(t.key == key.verifierKey.asCosigner && t.name == "witness.example")
    }
}
