import LedgerServer
import Logging
import Synchronization
import Testing

/// ``ServerLogHandler``: the lines of swift-log's `StreamLogHandler`, with the metadata
/// formatted only when a line is written.
@Suite struct ServerLogHandlerTests {
    /// A stream that keeps what is written.
    final class Captured: TextOutputStream, Sendable {
        let text = Mutex("")
        func write(_ string: String) { text.withLock { $0 += string } }
    }

    /// Logs the same messages through `StreamLogHandler` and `ServerLogHandler` (a request
    /// id set on the logger as Hummingbird sets it, explicit metadata, a metadata provider, a
    /// message below the level) and returns both outputs, each line without its timestamp.
    func outputs(provider: Logger.MetadataProvider?) -> (stream: [String], server: [String]) {
        func run(_ make: (Captured) -> any LogHandler) -> [String] {
            let out = Captured()
            var logger = Logger(label: "ledger.serve") { _ in make(out) }
            logger.logLevel = .info
            logger.info("plain")
            logger[metadataKey: "hb.request.id"] = "4a2f"
            logger.debug("below the level")
            logger.error("append failed", metadata: ["error": "disk full", "b": .array(["1", "2"])])
            logger[metadataKey: "zone"] = .dictionary(["k": "v"])
            logger.warning("two keys")
            logger[metadataKey: "hb.request.id"] = nil
            logger[metadataKey: "zone"] = nil
            logger.notice("none left")
            // "2026-11-30T12:00:00+0000 info ledger.serve: …": the timestamp is cut off.
            return out.text.withLock { $0 }.split(separator: "\n").map { String($0.drop { $0 != " " }) }
        }
        let stream = run { StreamLogHandler(label: "ledger.serve", stream: $0, metadataProvider: provider) }
        let server = run {
            ServerLogHandler(StreamLogHandler(label: "ledger.serve", stream: $0, metadataProvider: provider))
        }
        return (stream, server)
    }

    @Test func writesTheLinesOfStreamLogHandler() {
        let (stream, server) = outputs(provider: nil)
        #expect(stream.count == 4)
        #expect(server == stream)
        #expect(server[1].contains(#"b=["1", "2"] error=disk full hb.request.id=4a2f"#), "\(server)")
        #expect(server[3] == " notice ledger.serve: [LedgerServerTests] none left")
    }

    @Test func writesTheMetadataOfAProviderAsStreamLogHandlerDoes() {
        let (stream, server) = outputs(provider: Logger.MetadataProvider { ["trace": "t1"] })
        #expect(server == stream)
        #expect(server.allSatisfy { $0.contains("trace=t1") }, "\(server)")
    }

    @Test func keepsItsLevelAndMetadataLikeAnyHandler() {
        var handler = ServerLogHandler(StreamLogHandler(label: "x", stream: Captured(), metadataProvider: nil))
        handler.logLevel = .trace
        handler[metadataKey: "a"] = "1"
        #expect(handler.logLevel == .trace)
        #expect(handler.metadata == ["a": "1"])
        handler.metadata = [:]
        #expect(handler[metadataKey: "a"] == nil)
    }
}
