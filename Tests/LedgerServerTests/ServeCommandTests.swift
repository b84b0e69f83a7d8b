import Foundation
import LedgerTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The built `ledger` executable, found next to the test bundle.
let ledgerBinary: String = {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("ledger").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return packageRoot.appendingPathComponent(".build/debug/ledger").path
}()

/// `ledger serve` as a user runs it: the built binary, on the sample ledger.
@Suite struct ServeCommandTests {
    @Test func servePrintsItsURLServesAndStopsGracefullyOnSIGTERM() async throws {
        let (process, out, err) = try startLedger(["serve", sampleLedger, "--port", "0"])
        defer { if process.isRunning { process.terminate() } }
        let firstLine = try await readLine(out.fileHandleForReading)
        let url = try #require(URL(string: firstLine))
        #expect(firstLine.hasPrefix("http://127.0.0.1:"), "loopback by default: \(firstLine)")
        let port = try #require(url.port)
        let r = try await HTTPTestClient.get(port: port, "/checkpoint")
        #expect(r.status == 200)
        #expect(r.text.hasPrefix("demo.minilateral-ledger.example\n100\n"))
        kill(process.processIdentifier, SIGTERM)
        let stopped = try await waitForExit(process, seconds: 20)
        #expect(stopped, "still running 20 s after SIGTERM")
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("serving") && log.contains("checkpoint_size=100"), "\(log)")
        #expect(log.contains("stopped"), "\(log)")
    }

    @Test(arguments: [
        (["serve", "/nonexistent-dir-for-serve"], "not a ledger directory"),
        (["serve", "ledger", "--port", "70000"], "--port must be 0 to 65535"),
        (["serve", "ledger", "--log-level", "loud"], "--log-level must be"),
    ])
    func serveRefusesBadInputInOneLine(args: [String], message: String) throws {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: ledgerBinary)
        process.arguments = args
        process.currentDirectoryURL = packageRoot
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2, "\(text)")
        #expect(text.split(separator: "\n").first?.contains(message) == true, "\(text)")
    }
}

/// The first line `handle` gives, read on a thread of its own (30 s at most).
func readLine(_ handle: FileHandle) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            var bytes = [UInt8]()
            while true {
                let d = handle.readData(ofLength: 1)
                if d.isEmpty || d.first == UInt8(ascii: "\n") { break }
                bytes += d
            }
            if bytes.isEmpty {
                continuation.resume(throwing: HTTPTestClient.Failure(description: "the server printed no URL"))
            } else {
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }.start()
    }
}

/// Whether `process` exits within `seconds`.
func waitForExit(_ process: ChildProcess, seconds: Double) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
    return !process.isRunning
}
