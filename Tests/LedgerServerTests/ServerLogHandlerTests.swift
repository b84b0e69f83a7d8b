import Foundation
import LedgerServer
import LedgerTestSupport
import Logging
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `ledger serve`'s log handler: the lines of swift-log's `StreamLogHandler`, but metadata is
/// formatted only when a line is written; and `--log-level debug` still logs every request.
@Suite struct ServerLogHandlerTests {
    /// Lines written, in order.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        func append(_ s: String) { lines.withLock { $0.append(s) } }
    }

    /// A `TextOutputStream` into `Lines`, for `StreamLogHandler`.
    struct Stream: TextOutputStream, Sendable {
        let into: Lines
        mutating func write(_ string: String) { into.append(string) }
    }

    /// A metadata value that counts how often it is formatted.
    final class Counted: CustomStringConvertible, Sendable {
        let count = Atomic(0)
        var description: String {
            count.add(1, ordering: .relaxed)
            return "req-7"
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "disk full" }
    }

    /// Whether `s` is a time as `StreamLogHandler` writes it (`%Y-%m-%dT%H:%M:%S%z`).
    static func isTime(_ s: String) -> Bool { s.wholeMatch(of: #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}/#) != nil }

    /// The events of every shape the handler formats: metadata of the handler, of the call, of
    /// a provider, an error, an empty label.
    static let cases:
        [(
            label: String, handler: Logger.Metadata, provider: Logger.Metadata?, event: LogEvent
        )] = [
            (
                "ledger.serve", [:], nil,
                LogEvent(
                    level: .info, message: "serving", metadata: nil, source: "LedgerCLI", file: "f", function: "g",
                    line: 1)
            ),
            (
                "ledger.serve", ["hb.request.id": "42", "a": "x y"], nil,
                LogEvent(
                    level: .debug, message: "Request", metadata: ["hb.request.path": "/tile/0/000", "a": "call wins"],
                    source: "Hummingbird", file: "f", function: "g", line: 2)
            ),
            (
                "", ["z": "1"], ["p": "provided", "z": "provider wins"],
                LogEvent(
                    level: .error, message: "tile 0/000: broken", error: Failure(), metadata: ["list": ["a", "b"]],
                    source: "LedgerServer", file: "f", function: "g", line: 3)
            ),
        ]

    @Test func linesAreStreamLogHandlersLines() throws {
        for c in Self.cases {
            let ours = Lines()
            let theirs = Lines()
            let provider = c.provider.map { m in Logger.MetadataProvider { m } }
            var handler = ServerLogHandler(label: c.label, metadataProvider: provider) { ours.append($0) }
            var stream = StreamLogHandler(label: c.label, stream: Stream(into: theirs), metadataProvider: provider)
            handler.metadata = c.handler
            stream.metadata = c.handler
            handler.logLevel = .trace
            stream.logLevel = .trace
            // Both within one second, so that the times agree (retried when a second turned between).
            var pair: (String, String) = ("", "")
            for _ in 0..<3 {
                handler.log(event: c.event)
                stream.log(event: c.event)
                pair = (try #require(ours.all.last), try #require(theirs.all.last))
                if pair.0.prefix(while: { $0 != " " }) == pair.1.prefix(while: { $0 != " " }) { break }
            }
            #expect(pair.0 == pair.1)
            #expect(pair.0.hasSuffix("\n") && pair.0.filter { $0 == "\n" }.count == 1)
            let time = String(pair.0.prefix(while: { $0 != " " }))
            #expect(Self.isTime(time), "\(time)")
        }
        // One line spelled out, so that both handlers changing together cannot pass unseen.
        let lines = Lines()
        var handler = ServerLogHandler(label: "ledger.serve", metadataProvider: nil) { lines.append($0) }
        handler.metadata = ["b": "2", "a": "1"]
        handler.log(event: Self.cases[1].event)
        let line = try #require(lines.all.first)
        let rest = line.drop(while: { $0 != " " })
        #expect(
            rest == " debug ledger.serve: a=call wins b=2 hb.request.path=/tile/0/000 [Hummingbird] Request\n",
            "\(line)")
    }

    @Test func metadataIsFormattedOnlyWhenALineIsWritten() throws {
        let lines = Lines()
        let counted = Counted()
        var logger = Logger(label: "ledger.serve") { label in
            ServerLogHandler(label: label, metadataProvider: nil) { lines.append($0) }
        }
        logger.logLevel = .info
        for _ in 0..<100 {
            var request = logger
            request[metadataKey: "hb.request.id"] = .stringConvertible(counted)
            request.debug("Request")
        }
        #expect(counted.count.load(ordering: .relaxed) == 0)
        #expect(lines.all.isEmpty)
        logger[metadataKey: "hb.request.id"] = .stringConvertible(counted)
        logger.info("served")
        #expect(counted.count.load(ordering: .relaxed) == 1)
        #expect(
            lines.all.count == 1
                && lines.all[0].hasSuffix(" info ledger.serve: hb.request.id=req-7 [LedgerServerTests] served\n"))
    }

    /// `ledger serve --log-level L`, one GET of `path`, SIGTERM: what it wrote to stderr.
    static func serveLog(level: String, path: String) async throws -> String {
        let (process, out, err) = try startLedger(["serve", sampleLedger, "--port", "0", "--log-level", level])
        defer { if process.isRunning { process.terminate() } }
        let url = try #require(URL(string: try await readLine(out.fileHandleForReading)))
        let r = try await HTTPTestClient.get(port: try #require(url.port), path)
        #expect(r.status == 200)
        kill(process.processIdentifier, SIGTERM)
        #expect(try await waitForExit(process, seconds: 20))
        return String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    @Test func serveLogsEveryRequestAtDebugAndNoneAtInfo() async throws {
        let debug = try await Self.serveLog(level: "debug", path: "/tile/0/000.p/100")
        let request = try #require(
            debug.split(separator: "\n").first { $0.contains("hb.request.path=/tile/0/000.p/100") }, "\(debug)")
        let time = String(request.prefix(while: { $0 != " " }))
        #expect(Self.isTime(time), "\(request)")
        let fields = #/\S+ debug ledger\.serve: hb\.request\.id=\S+ hb\.request\.method=GET hb\.request\.path=/#
        #expect(request.prefixMatch(of: fields) != nil && request.hasSuffix(" [Hummingbird] Request"), "\(request)")
        let info = try await Self.serveLog(level: "info", path: "/tile/0/000.p/100")
        #expect(!info.contains("hb.request"), "\(info)")
        let serving = try #require(info.split(separator: "\n").first { $0.hasSuffix("] serving") }, "\(info)")
        #expect(serving.contains(" info ledger.serve: checkpoint_size=100 directory="), "\(serving)")
    }
}

/// Runs the built `ledger` with `arguments`, its output and errors into pipes.
func startLedger(_ arguments: [String]) throws -> (process: ChildProcess, out: Pipe, err: Pipe) {
    let process = ChildProcess()
    process.executableURL = URL(fileURLWithPath: ledgerBinary)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    return (process, out, err)
}
