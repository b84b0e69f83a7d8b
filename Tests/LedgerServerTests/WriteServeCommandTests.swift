import Consensus
import Foundation
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The built `ledger` run to completion: exit status, stdout, stderr.
func runLedgerBlocking(_ args: [String], environment: [String: String] = [:]) throws -> (
    status: Int32, out: String, err: String
) {
    let r = try runProcess(ledgerBinary, args, env: environment)
    return (r.status, r.stdout, r.stderr)
}

/// `ledger serve DIR --operator-key …` as a process: its port, stopped by SIGTERM or SIGKILL.
struct ServeProcess {
    let process: ChildProcess
    let port: Int

    static func start(_ args: [String]) async throws -> ServeProcess {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: ledgerBinary)
        process.arguments = ["serve"] + args + ["--port", "0", "--log-level", "error"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        do {
            let line = try await readLine(out.fileHandleForReading)
            guard let port = URL(string: line)?.port else {
                throw HTTPTestClient.Failure(description: "no URL: \(line)")
            }
            return ServeProcess(process: process, port: port)
        } catch {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw error
        }
    }

    func submit(_ s: SignedStatement, wait: Bool = false) async throws -> HTTPResult {
        try await HTTPTestClient.post(
            port: port, "/api/v1/entries" + (wait ? "?wait=1" : ""), body: s.body,
            headers: ["Content-Type": "application/json"])
    }

    /// SIGTERM, and the exit awaited (20 s at most).
    func stop() async throws {
        kill(process.processIdentifier, SIGTERM)
        #expect(try await waitForExit(process, seconds: 20), "still running 20 s after SIGTERM")
    }
}

/// Statements a server acknowledged, with the index each reply named.
final class Acknowledged: Sendable {
    let list = Mutex<[(SignedStatement, Int64)]>([])
}

/// `ledger serve --operator-key` and `ledger receipt check`, as a user runs them: the built binary.
@Suite struct WriteServeCommandTests {
    /// A ledger with its operator key in a 0600 file.
    func ledgerWithKeyFile(_ tag: String, authors: Int = 1) throws -> (WritableLedger, String) {
        let fx = try WritableLedger(tag: tag, authors: authors)
        let keyFile = fx.directory + "-op.key"
        try LedgerFiles.writePrivateKey(fx.op, to: keyFile)
        return (fx, keyFile)
    }

    func remove(_ fx: WritableLedger, _ keyFile: String) {
        fx.remove()
        try? FileManager.default.removeItem(atPath: keyFile)
        try? FileManager.default.removeItem(atPath: fx.directory + "-receipt")
    }

    /// Four clients post 200 statements each; the server is killed with SIGKILL once 200 are
    /// acknowledged. Every acknowledged statement is then in the ledger exactly once, at the
    /// index its reply named; `ledger verify` passes; a restarted server continues.
    @Test(.timeLimit(.minutes(5))) func nothingAcknowledgedIsLostOrDuplicatedByKill9() async throws {
        let (fx, keyFile) = try ledgerWithKeyFile("kill9", authors: 4)
        defer { remove(fx, keyFile) }
        let args = [fx.directory, "--operator-key", keyFile, "--rate-limit", "100000", "--checkpoint-interval", "0.2"]
        let server = try await ServeProcess.start(args)
        let acknowledged = Acknowledged()
        let clients = (0..<4).map { client in
            Task {
                for n in 0..<200 {
                    let s = try fx.note("client \(client) statement \(n)", by: client)
                    guard let r = try? await server.submit(s), r.status == 202 else { return }
                    let index = try jsonObject(r)["index"]?.integerValue ?? -1
                    acknowledged.list.withLock { $0.append((s, index)) }
                }
            }
        }
        let deadline = Date().addingTimeInterval(120)
        while acknowledged.list.withLock({ $0.count }) < 200 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        kill(server.process.processIdentifier, SIGKILL)
        server.process.waitUntilExit()
        for c in clients { try await c.value }
        let acked = acknowledged.list.withLock { $0 }
        #expect(acked.count >= 200 && acked.count < 800, "killed mid-load: \(acked.count) acknowledged")

        let verify = try runLedgerBlocking(["verify", fx.directory])
        #expect(verify.status == 0, "\(verify.err)")
        let reopened = try Ledger<NegotiationRules>(directory: fx.directory)
        var count = [Digest: Int]()
        for i in 0..<reopened.size { count[try reopened.entry(i).statement.hash, default: 0] += 1 }
        for (s, index) in acked {
            #expect(try reopened.entry(index).signed == s, "acknowledged at \(index)")
            #expect(count[s.statement.hash] == 1)
        }
        // Restarted, it continues after what it had.
        let again = try await ServeProcess.start(args)
        let next = try await again.submit(try fx.note("after the restart"))
        #expect(next.status == 202, "\(next.text)")
        #expect(try jsonObject(next)["index"]?.integerValue == reopened.size)
        try await again.stop()
    }

    @Test func receiptCheckProvesAnIncludedStatement() async throws {
        let (fx, keyFile) = try ledgerWithKeyFile("receipt-ok")
        defer { remove(fx, keyFile) }
        let server = try await ServeProcess.start([
            fx.directory, "--operator-key", keyFile, "--checkpoint-interval", "0.05",
        ])
        let r = try await server.submit(try fx.note("keep my receipt"), wait: true)
        try await server.stop()
        #expect(r.status == 201, "\(r.text)")
        let receiptFile = fx.directory + "-receipt"
        try #require(try jsonObject(r)["receipt"]?.stringValue).write(
            toFile: receiptFile, atomically: true, encoding: .utf8)
        let text = try runLedgerBlocking(["receipt", "check", receiptFile, fx.directory])
        #expect(text.status == 0, "\(text.err)")
        #expect(text.out.hasPrefix("receipt OK: signed by the log key write.example/log+"), "\(text.out)")
        #expect(text.out.contains("included: entry"), "\(text.out)")
        let json = try runLedgerBlocking(["receipt", "check", receiptFile, fx.directory, "--json"])
        #expect(json.status == 0)
        #expect(try JSONParser.parse(Array(json.out.utf8))["verdict"]?.stringValue == "included")
        // One byte changed: the signature does not verify (exit 1), nothing on stdout.
        let original = try String(contentsOfFile: receiptFile, encoding: .utf8)
        let index = try #require(try jsonObject(r)["index"]?.integerValue)
        try original.replacingOccurrences(of: "\nindex \(index)\n", with: "\nindex \(index + 1)\n").write(
            toFile: receiptFile, atomically: true, encoding: .utf8)
        let tampered = try runLedgerBlocking(["receipt", "check", receiptFile, fx.directory])
        #expect(tampered.status == 1, "\(tampered.err)")
        #expect(tampered.out.isEmpty)
        #expect(tampered.err.hasPrefix("ledger: error: ") && tampered.err.split(separator: "\n").count == 1)
    }

    @Test func receiptCheckIsPendingUntilIncludeByThenBroken() async throws {
        let (fx, keyFile) = try ledgerWithKeyFile("receipt-late")
        defer { remove(fx, keyFile) }
        // The first checkpoint is signed at start; the next would come in an hour.
        let server = try await ServeProcess.start([
            fx.directory, "--operator-key", keyFile, "--checkpoint-interval", "3600", "--max-delay", "3600",
        ])
        let deadline = Date().addingTimeInterval(20)
        while try await HTTPTestClient.get(port: server.port, "/checkpoint").status != 200, Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let r = try await server.submit(try fx.note("censored?"))
        try await server.stop()
        #expect(r.status == 202, "\(r.text)")
        let receiptText = try #require(try jsonObject(r)["receipt"]?.stringValue)
        let receipt = try SignedReceipt(parsing: receiptText, logKey: fx.op.verifierKey).receipt
        let receiptFile = fx.directory + "-receipt"
        try receiptText.write(toFile: receiptFile, atomically: true, encoding: .utf8)
        let pending = try runLedgerBlocking(["receipt", "check", receiptFile, fx.directory])
        #expect(pending.status == 4, "\(pending.out)\(pending.err)")
        #expect(pending.out.contains("pending: the latest checkpoint (size \(receipt.index))"), "\(pending.out)")
        let after = ["LEDGER_NOW": receipt.includeBy.adding(seconds: 1).rfc3339]
        let broken = try runLedgerBlocking(
            ["receipt", "check", receiptFile, fx.directory, "--json"], environment: after)
        #expect(broken.status == 3, "\(broken.out)\(broken.err)")
        let o = try JSONParser.parse(Array(broken.out.utf8))
        #expect(o["verdict"]?.stringValue == "broken" && o["breach"]?.stringValue == "notCovered")
        #expect(o["portable"]?.boolValue == false)
    }

    /// A forged operator signs a receipt for one statement and appends another at that index.
    @Test func receiptCheckShowsABrokenPromise() throws {
        let (fx, keyFile) = try ledgerWithKeyFile("receipt-forged")
        defer { remove(fx, keyFile) }
        let promised = try fx.note("promised")
        let index = UInt64(fx.ledger.size)
        let now = Timestamp.now()
        let receipt = Receipt(
            origin: fx.op.name, index: index, statementHash: promised.statement.hash,
            leafHash: MerkleHash.leaf(Array("never written".utf8)), logTime: now, includeBy: now.adding(seconds: 60))
        let receiptFile = fx.directory + "-receipt"
        try SignedReceipt(signing: receipt, with: fx.op).serialized.write(
            toFile: receiptFile, atomically: true, encoding: .utf8)
        let other = try fx.ledger.append([try fx.note("something else")])[0]
        _ = try fx.ledger.signCheckpoint(key: fx.op)
        let text = try runLedgerBlocking(["receipt", "check", receiptFile, fx.directory])
        #expect(text.status == 3, "\(text.err)")
        #expect(text.out.contains("PROMISE BROKEN") && text.out.contains("portable evidence"), "\(text.out)")
        let json = try runLedgerBlocking(["receipt", "check", receiptFile, fx.directory, "--json"])
        let o = try JSONParser.parse(Array(json.out.utf8))
        #expect(o["breach"]?.stringValue == "otherEntry")
        #expect(o["found"]?["statementHash"]?.stringValue == other.entry.signed.statement.hash.base64)
        // Checked under another log key given with --vkey, the receipt does not verify.
        let stranger = try NoteSignerKey.generate(name: fx.op.name)
        let wrongKey = try runLedgerBlocking([
            "receipt", "check", receiptFile, fx.directory, "--vkey", stranger.verifierKey.description,
        ])
        #expect(wrongKey.status == 1, "\(wrongKey.err)")
        // A file that is no receipt (here a checkpoint) is bad input.
        let checkpointFile = fx.directory + "-receipt"
        try (try fx.ledger.checkpoint().note.serialized).write(
            toFile: checkpointFile, atomically: true, encoding: .utf8)
        let notAReceipt = try runLedgerBlocking(["receipt", "check", checkpointFile, fx.directory])
        #expect(notAReceipt.status == 2, "\(notAReceipt.err)")
        #expect(notAReceipt.err.contains("not a receipt"), "\(notAReceipt.err)")
    }

    @Test(arguments: [
        (["--max-delay", "0"], "--max-delay must be 1 to 31536000 seconds"),
        (["--checkpoint-interval", "0"], "--checkpoint-interval must be 0.01 to 3600 seconds"),
        (["--rate-limit", "0"], "--rate-limit must be 1 to 1000000"),
        (["--max-pending", "0"], "--max-pending must be 1 to 1000000"),
        (["--max-delay", "5", "--checkpoint-interval", "10"], "--max-delay must be at least --checkpoint-interval"),
    ])
    func serveRefusesBadWriteOptionsInOneLine(extra: [String], message: String) throws {
        let r = try runLedgerBlocking(["serve", sampleLedger, "--port", "0"] + extra)
        #expect(r.status == 2, "\(r.err)")
        #expect(r.err.split(separator: "\n").first?.contains(message) == true, "\(r.err)")
    }

    @Test func serveRefusesAKeyThatIsNotTheOperators() throws {
        let (fx, keyFile) = try ledgerWithKeyFile("not-operator")
        defer { remove(fx, keyFile) }
        try FileManager.default.removeItem(atPath: keyFile)
        try LedgerFiles.writePrivateKey(fx.authors[0], to: keyFile)
        let r = try runLedgerBlocking(["serve", fx.directory, "--port", "0", "--operator-key", keyFile])
        #expect(r.status == 2, "\(r.err)")
        #expect(r.err.hasPrefix("ledger: error: --operator-key ") && r.err.contains("is not the ledger's operator key"))
        #expect(r.err.split(separator: "\n").count == 1, "\(r.err)")
        #expect(r.out.isEmpty, "it never listened")
    }
}
