import Consensus
import Foundation
import LedgerCore
import LedgerServer
import LedgerTestSupport
import LedgerWeb
import Logging
import Testing

/// The instant the tests ask about: the server's clock and the CLI's `LEDGER_NOW`.
let testNow = "2026-12-01T00:00:00Z"

/// The built `ledger` executable.
let ledgerBinary = TestPaths.builtExecutable("ledger")

/// Runs `ledger args` with `LEDGER_NOW` = `now` and returns its stdout; a non-zero exit fails.
@discardableResult
func cli(_ args: [String], now: String = testNow) throws -> String {
    let r = try runProcess(ledgerBinary, args, env: ["LEDGER_NOW": now])
    guard r.status == 0 else {
        throw EventStreamTestClient.Failure(description: "ledger \(args.joined(separator: " ")): exit \(r.status)")
    }
    return r.stdout
}

/// `ledger args` parsed as the JSON it prints.
func cliJSON(_ args: [String], now: String = testNow) throws -> JSONValue {
    try JSONParser.parse(Array(try cli(args, now: now).utf8))
}

/// A demo key of the sample ledger.
func demoKey(_ name: String) -> String {
    packageRoot.appendingPathComponent("ledger-demo-keys/DEMO-NOT-SECRET-\(name).demo.key").path
}

/// The sample's operator key.
let operatorKey = packageRoot.appendingPathComponent(
    "ledger-demo-keys/DEMO-NOT-SECRET-demo.minilateral-ledger.example.key"
).path

/// Event stream settings for tests: quick checks, no keep-alive unless asked.
func quickEvents(
    keepAlive: Duration = .seconds(3600), horizon: Duration = .seconds(3 * 86_400), bufferLimit: Int = 256
) -> EventStreamConfiguration {
    var c = EventStreamConfiguration()
    c.checkInterval = .milliseconds(50)
    c.keepAlive = keepAlive
    c.deadlineHorizon = horizon
    c.bufferLimit = bufferLimit
    c.replayStep = 2
    return c
}

/// What `ledger serve DIR` runs, in this process on a free loopback port, with the clock at
/// `now` and the log refreshed by hand (``refresh()``).
struct WebServer: Sendable {
    let dir: String
    let port: Int
    let log: PublishedLog<FileStore>
    let events: EventStream<FileStore>
    let task: Task<Void, any Error>

    static func start(
        _ dir: String, now: String = testNow, events configuration: EventStreamConfiguration = quickEvents()
    ) async throws -> WebServer {
        let t = Timestamp(rfc3339: now)!
        return try await start(dir, clock: { t }, events: configuration)
    }

    static func start(
        _ dir: String, clock: @escaping @Sendable () -> Timestamp, events configuration: EventStreamConfiguration
    ) async throws -> WebServer {
        let ledger = try Ledger<NegotiationRules>(directory: dir)
        let log = try PublishedLog(ledger: ledger)
        try log.refresh()
        let view = DomainView(ledger: ledger, log: log, clock: clock)
        var logger = Logger(label: "test.web")
        logger.logLevel = .critical
        let events = EventStream(view: view, configuration: configuration, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = ServerConfiguration(host: "127.0.0.1", port: 0, refreshInterval: .seconds(3600))
        let task = Task {
            try await runServer(
                log: log, configuration: server, logger: logger, handlingSignals: false,
                extras: ServerExtras(extensions: [LedgerWeb.serverExtension(view: view, events: events)])
            ) { continuation.yield($0) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            throw EventStreamTestClient.Failure(description: "server did not start")
        }
        return WebServer(dir: dir, port: port, log: log, events: events, task: task)
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> EventStreamTestClient {
        try await EventStreamTestClient.get(port: port, path, headers: headers)
    }

    /// `GET path`, which must be a 200 `application/json` response, parsed.
    func json(_ path: String) async throws -> JSONValue {
        let r = try await get(path)
        #expect(r.status == 200, "\(path): \(r.body)")
        #expect(r.header("content-type") == "application/json", "\(path)")
        #expect(r.header("cache-control") == "no-cache", "\(path)")
        let value = try JSONParser.parse(Array(r.body.utf8))
        #expect(r.body == value.canonicalString, "\(path): not canonical JSON")
        return value
    }

    /// A client of `GET /api/v1/events`.
    func subscribe(headers: [String: String] = [:], receiveBuffer: Int32? = nil) throws -> EventStreamTestClient {
        try EventStreamTestClient(port: port, path: "/api/v1/events", headers: headers, receiveBuffer: receiveBuffer)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// Runs `body` with a server over `dir`, and stops the server afterwards.
func withWebServer<R>(
    _ dir: String, now: String = testNow, events: EventStreamConfiguration = quickEvents(),
    _ body: (WebServer) async throws -> R
) async throws -> R {
    let server = try await WebServer.start(dir, now: now, events: events)
    do {
        let r = try await body(server)
        await server.stop()
        return r
    } catch {
        await server.stop()
        throw error
    }
}

/// Runs `body` with a server over a fresh copy of the sample ledger; stops the server and
/// removes the copy afterwards.
func withSampleServer<R>(
    _ tag: String, now: String = testNow, events: EventStreamConfiguration = quickEvents(),
    _ body: (WebServer) async throws -> R
) async throws -> R {
    let dir = try sampleCopy(tag)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    return try await withWebServer(dir, now: now, events: events, body)
}

extension JSONValue {
    /// The object without `keys`.
    func removing(_ keys: Set<String>) -> JSONValue {
        guard var o = objectValue else { return self }
        for k in keys { o[k] = nil }
        return .object(o)
    }

    /// The object with only `keys`.
    func keeping(_ keys: some Sequence<String>) -> JSONValue {
        guard let o = objectValue else { return self }
        var out: [String: JSONValue] = [:]
        for k in keys { out[k] = o[k] }
        return .object(out)
    }
}

/// `binary serve dir --port 0 --log-level error` started as a process (with `LEDGER_NOW` at
/// ``testNow``, in `workingDirectory` when given), and the port of the URL it prints first.
func startServe(
    _ dir: String, binary: String = ledgerBinary, workingDirectory: String? = nil
) async throws -> (process: ChildProcess, port: Int) {
    let process = ChildProcess()
    process.executableURL = URL(fileURLWithPath: binary)
    if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
    process.arguments = ["serve", dir, "--port", "0", "--log-level", "error"]
    process.environment = ProcessInfo.processInfo.environment.merging(["LEDGER_NOW": testNow]) { $1 }
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    // The first line on stdout is the URL.
    let url = await Task.detached { () -> String in
        var line = [UInt8]()
        while true {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            guard let b = byte.first, b != 0x0a else { break }
            line.append(b)
        }
        return String(decoding: line, as: UTF8.self)
    }.value
    guard let port = Int(url.split(separator: ":").last ?? "") else {
        if process.isRunning { process.terminate() }
        throw EventStreamTestClient.Failure(description: "ledger serve printed no URL: \(url)")
    }
    return (process, port)
}
