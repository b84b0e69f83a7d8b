import Foundation
import Hummingbird
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Synchronization
import Testing

/// `--wait-timeout SECONDS` (specs/cli.md, writes to a URL): after a `202` without proof the
/// client waits for the proof until the receipt's include-by and 30 s more, or 60 s when the
/// receipt is not the log's for this entry, and never more than the timeout. The built binary
/// against a scripted write API: `POST /api/v1/entries` answers `202` with the receipt a test
/// chooses, `/checkpoint` and the tiles are the sample's real log, and `GET /proof/100` is
/// `404` for ever (no checkpoint ever covers the entry).
@Suite struct WaitTimeoutTests {
    /// A receipt that is not the log's for the entry of the reply.
    enum Untrusted: String, CaseIterable, Sendable {
        case otherStatement = "another statement's receipt"
        case otherKey = "a receipt signed by another key of the log's name"
        case malformed = "a malformed receipt (its text without a signature)"
    }

    /// The receipt the scripted server gives: the log's own for the entry, or an ``Untrusted`` one.
    enum Given: Sendable {
        case trusted
        case untrusted(Untrusted)

        func text(for signed: SignedStatement, leafHash: Digest, includeBy: Timestamp) throws -> String {
            let log = try LedgerFiles.readPrivateKey(RemoteClientTests.operatorKeyFile)
            var key = log
            var statementHash = signed.statement.hash
            switch self {
            case .trusted: break
            case .untrusted(.otherStatement): statementHash = SHA256.hash(Array("another statement".utf8))
            case .untrusted(.otherKey): key = try NoteSignerKey.generate(name: log.name)
            case .untrusted(.malformed): break
            }
            let receipt = Receipt(
                origin: log.name, index: 100, statementHash: statementHash, leafHash: leafHash,
                logTime: includeBy.adding(seconds: -60), includeBy: includeBy)
            // Malformed: the receipt's seven lines alone, with no signature (no note).
            if case .untrusted(.malformed) = self { return receipt.text }
            return try SignedReceipt(signing: receipt, with: key).serialized
        }
    }

    /// What a run showed: the command's output, the seconds from the `POST` to its exit, the
    /// `--receipt` file (nil when absent), and the paths the server was asked for.
    struct Outcome {
        let run: LedgerRun
        let secondsAfterPost: Double
        let savedReceipt: String?
        let paths: [String]

        var errorLines: [Substring] { run.stderr.split(separator: "\n").filter { $0.hasPrefix("ledger: error:") } }
    }

    /// `append URL --wait` plus `extra` against the scripted server, whose receipt promises
    /// inclusion by `includeBy`, and which replies `replyDelay` seconds after the `POST`; with
    /// `--receipt FILE` when `saveReceipt`.
    static func run(
        _ given: Given, includeBy: Timestamp, saveReceipt: Bool = false, replyDelay: Double = 0, _ extra: [String]
    ) async throws -> Outcome {
        let copy = try SampleCopy(tag: "wait-timeout")
        defer { copy.remove() }
        let receiptFile = tempPath("wait-timeout-receipt")
        defer { try? FileManager.default.removeItem(atPath: receiptFile) }
        let posted = Mutex<Date?>(nil)
        let accept: @Sendable ([UInt8], Bool) async throws -> Response = { bytes, _ in
            posted.withLock { $0 = Date() }
            if replyDelay > 0 { try await Task.sleep(for: .milliseconds(Int(replyDelay * 1000))) }
            let signed = try SignedStatement(json: try JSONParser.parse(bytes))
            let leafHash = MerkleHash.leaf(bytes)
            let reply: JSONValue = [
                "index": .integer(100), "leafHash": .string(leafHash.base64),
                "statementHash": .string(signed.statement.hash.base64),
                "receipt": .string(try given.text(for: signed, leafHash: leafHash, includeBy: includeBy)),
            ]
            return Response(
                status: .accepted, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: reply.canonicalString)))
        }
        return try await withServer(try copy.published()) { server in
            try await withProxy(upstream: server.port, tamper: .none, accept: accept) { proxy in
                let args =
                    [
                        "append", "http://127.0.0.1:\(proxy.port)", "--key", RemoteClientTests.operatorKeyFile,
                        "--kind", "note", "--body", #"{"text":"bounded wait"}"#, "--wait",
                    ] + (saveReceipt ? ["--receipt", receiptFile] : []) + extra
                let r = try await runLedger(args)
                let exited = Date()
                let sent = try #require(posted.withLock { $0 }, "nothing was posted: \(r.stderr)")
                return Outcome(
                    run: r, secondsAfterPost: exited.timeIntervalSince(sent),
                    savedReceipt: try? String(contentsOfFile: receiptFile, encoding: .utf8), paths: proxy.paths)
            }
        }
    }

    /// The log's receipt promises inclusion an hour ahead: `--wait-timeout 3` ends the wait after
    /// about 3 s with exit 2, naming the 3 s and the include-by; the receipt is kept.
    @Test func theTimeoutEndsAWaitWhoseIncludeByIsAheadWithExit2() async throws {
        let includeBy = Timestamp.now().adding(seconds: 3600)
        let o = try await Self.run(.trusted, includeBy: includeBy, saveReceipt: true, ["--wait-timeout", "3"])
        #expect(o.run.status == 2, "status \(o.run.status): \(o.run.stderr)")
        #expect(o.run.stdout.isEmpty, "\(o.run.stdout)")
        #expect((2.5...20).contains(o.secondsAfterPost), "exited \(o.secondsAfterPost) s after the POST")
        #expect(o.errorLines.count == 1, "\(o.run.stderr)")
        let error = String(o.errorLines.first ?? "")
        #expect(error.contains("no published checkpoint covers entry 100 after 3 s of waiting"), "\(error)")
        #expect(error.contains("the receipt promises inclusion by \(includeBy.rfc3339)"), "\(error)")
        #expect(error.contains("`ledger receipt check RECEIPT URL` tells later"), "\(error)")
        #expect(o.savedReceipt?.hasPrefix("minilateral-ledger/receipt/v1\n") == true, "the receipt is kept")
        #expect(o.paths.contains("/proof/100"), "it asked for the proof: \(o.paths)")
    }

    /// The timeout counts from the reply, not from the `POST`: a server that holds `?wait=1` for
    /// 2 s before its `202` does not shorten a `--wait-timeout 3`.
    @Test func theTimeoutCountsFromTheReply() async throws {
        let o = try await Self.run(
            .trusted, includeBy: .now().adding(seconds: 3600), replyDelay: 2, ["--wait-timeout", "3"])
        #expect(o.run.status == 2, "status \(o.run.status): \(o.run.stderr)")
        #expect(o.secondsAfterPost >= 4.5, "exited \(o.secondsAfterPost) s after the POST, 2 s before the reply")
        #expect(o.secondsAfterPost < 25, "exited \(o.secondsAfterPost) s after the POST")
        #expect(o.errorLines.first?.contains("after 3 s of waiting") == true, "\(o.run.stderr)")
    }

    /// The log's receipt with include-by already past: the promise is broken, exit 1 at the first
    /// `404`, naming `ledger receipt check`, long before the timeout.
    @Test func aTrustedIncludeByInThePastIsExit1AtOnce() async throws {
        let includeBy = Timestamp.now().adding(seconds: -3600)
        let o = try await Self.run(.trusted, includeBy: includeBy, saveReceipt: true, ["--wait-timeout", "30"])
        #expect(o.run.status == 1, "status \(o.run.status): \(o.run.stderr)")
        #expect(o.secondsAfterPost < 25, "it waited \(o.secondsAfterPost) s: the timeout, not the promise")
        #expect(o.errorLines.count == 1, "\(o.run.stderr)")
        let error = String(o.errorLines.first ?? "")
        #expect(error.contains("30 s after the receipt's include-by \(includeBy.rfc3339)"), "\(error)")
        #expect(error.contains("`ledger receipt check RECEIPT URL` gives the evidence"), "\(error)")
        #expect(o.savedReceipt?.hasPrefix("minilateral-ledger/receipt/v1\n") == true, "the evidence is kept")
    }

    /// A receipt that is not the log's for this entry, whose include-by is an hour past: were it
    /// trusted the client would stop at once with exit 1 (the test above); it is not, so the
    /// client waits the whole `--wait-timeout 4` and stops with exit 2, naming no promise.
    @Test(arguments: Untrusted.allCases)
    func anUntrustedReceiptDoesNotSetTheDeadline(_ untrusted: Untrusted) async throws {
        let o = try await Self.run(
            .untrusted(untrusted), includeBy: .now().adding(seconds: -3600), ["--wait-timeout", "4"])
        #expect(o.run.status == 2, "\(untrusted.rawValue): status \(o.run.status): \(o.run.stderr)")
        #expect(o.secondsAfterPost >= 3.5, "\(untrusted.rawValue): it stopped \(o.secondsAfterPost) s after the POST")
        #expect(o.secondsAfterPost < 30, "\(untrusted.rawValue): \(o.secondsAfterPost) s")
        #expect(o.errorLines.count == 1, "\(untrusted.rawValue): \(o.run.stderr)")
        let error = String(o.errorLines.first ?? "")
        #expect(error.contains("after 4 s of waiting"), "\(untrusted.rawValue): \(error)")
        #expect(
            error.contains("the reply has no receipt of the log's for this entry"), "\(untrusted.rawValue): \(error)")
        #expect(!o.run.stderr.contains("the receipt promises"), "\(untrusted.rawValue): \(o.run.stderr)")
    }

    /// `--receipt FILE` saves only the log's receipt for this entry: with any other the command
    /// stops at once, before waiting, naming the reply's receipt, and FILE is not written.
    @Test(arguments: Untrusted.allCases)
    func anUntrustedReceiptIsNotSavedAsTheLogs(_ untrusted: Untrusted) async throws {
        let o = try await Self.run(
            .untrusted(untrusted), includeBy: .now().adding(seconds: 3600), saveReceipt: true,
            ["--wait-timeout", "4"])
        let status: Int32 = untrusted == .malformed ? 2 : 1
        #expect(o.run.status == status, "\(untrusted.rawValue): status \(o.run.status): \(o.run.stderr)")
        #expect(o.savedReceipt == nil, "\(untrusted.rawValue): saved \(o.savedReceipt ?? "")")
        #expect(o.errorLines.count == 1, "\(untrusted.rawValue): \(o.run.stderr)")
        #expect(o.errorLines.first?.contains("the reply's receipt") == true, "\(untrusted.rawValue): \(o.run.stderr)")
        #expect(!o.paths.contains("/proof/100"), "\(untrusted.rawValue): it waited: \(o.paths)")
    }

    /// `--wait-timeout` without `--wait`, out of 1-3600, or not a number: exit 2 with one error
    /// line (and the usage hint every usage error has), before anything is read, sent or appended.
    @Test func aBadWaitTimeoutIsExit2BeforeAnythingIsSent() async throws {
        let copy = try SampleCopy(tag: "wait-timeout-usage")
        defer { copy.remove() }
        let before = try directoryContents(copy.directory)
        try await withServer(try copy.published()) { server in
            try await withProxy(upstream: server.port, tamper: .none) { proxy in
                let cases: [([String], String)] = [
                    (["--wait-timeout", "5"], "--wait-timeout bounds --wait: give --wait too"),
                    (["--wait", "--wait-timeout", "0"], "--wait-timeout: 0 s is not between 1 and 3600 seconds"),
                    (["--wait", "--wait-timeout", "3601"], "--wait-timeout: 3601 s is not between 1 and 3600"),
                    (["--wait", "--wait-timeout", "x"], "the value 'x' is invalid for '--wait-timeout <seconds>'"),
                ]
                for ledger in ["http://127.0.0.1:\(proxy.port)", copy.directory] {
                    for (extra, message) in cases {
                        let args =
                            [
                                "append", ledger, "--key", RemoteClientTests.operatorKeyFile, "--kind", "note",
                                "--body", #"{"text":"never sent"}"#,
                            ] + extra
                        let r = try await runLedger(args)
                        #expect(r.status == 2, "\(extra): \(r.status) \(r.stderr)")
                        #expect(r.stdout.isEmpty, "\(extra): \(r.stdout)")
                        let lines = r.stderr.split(separator: "\n")
                        #expect(lines.count == 2 && lines.last?.hasPrefix("hint: usage:") == true, "\(r.stderr)")
                        #expect(
                            lines.first?.hasPrefix("ledger: error: append: \(message)") == true,
                            "\(extra): \(r.stderr)")
                    }
                }
                #expect(proxy.paths.isEmpty, "read: \(proxy.paths)")
                #expect(proxy.posted.isEmpty, "sent: \(proxy.posted.count)")
            }
        }
        #expect(try directoryContents(copy.directory) == before, "the ledger changed")
    }
}
