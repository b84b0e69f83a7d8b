import Foundation
import LedgerCore
import LedgerTestSupport
import Testing

/// The JSON API and the event stream as `ledger serve` (the built binary) mounts them.
@Suite struct ServeWebTests {
    @Test func serveAnswersAtLEDGER_NOWAndStopsOnSIGTERMWithAnOpenEventStream() async throws {
        let dir = try sampleCopy("serve")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (process, port) = try await startServe(dir)
        defer { if process.isRunning { process.interrupt() } }
        let status = try await EventStreamTestClient.get(port: port, "/api/v1/status")
        #expect(status.status == 200)
        let s = try JSONParser.parse(Array(status.body.utf8))
        #expect(s["asOf"]?.stringValue == testNow)
        #expect(s["checkpoint"]?["size"] == 100)
        let events = try EventStreamTestClient(port: port, path: "/api/v1/events")
        #expect(try await events.read(until: { $0.hasPrefix(": minilateral ledger events") }))
        // SIGTERM: the stream ends and the server exits 0, promptly.
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning, "ledger serve did not stop within 10 s of SIGTERM with a client connected")
        if !process.isRunning { #expect(process.terminationStatus == 0) }
        #expect(try await events.readToEnd(seconds: 5))
    }
}
