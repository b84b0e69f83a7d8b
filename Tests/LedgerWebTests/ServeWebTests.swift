import Foundation
import LedgerCore
import LedgerTestSupport
import Testing

/// The JSON API and the event stream as `ledger serve` (the built binary) mounts them.
@Suite struct ServeWebTests {
    @Test func serveAnswersAtLEDGER_NOWAndStopsOnSIGTERMWithAnOpenEventStream() async throws {
        let dir = try sampleCopy("serve")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ledgerBinary)
        process.arguments = ["serve", dir, "--port", "0", "--log-level", "error"]
        process.environment = ProcessInfo.processInfo.environment.merging(["LEDGER_NOW": testNow]) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.interrupt() } }
        // The first line on stdout is the URL.
        let url = try await Task.detached { () -> String in
            var line = [UInt8]()
            while true {
                let byte = out.fileHandleForReading.readData(ofLength: 1)
                guard let b = byte.first, b != 0x0a else { break }
                line.append(b)
            }
            return String(decoding: line, as: UTF8.self)
        }.value
        let port = try #require(Int(url.split(separator: ":").last ?? ""), "no URL: \(url)")
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
