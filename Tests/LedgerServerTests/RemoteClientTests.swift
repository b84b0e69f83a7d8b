import Consensus
import Foundation
import Hummingbird
import LedgerClient
import LedgerCore
import LedgerCrypto
import LedgerServer
import LedgerTestSupport
import Logging
import Synchronization
import Testing

/// `ledger verify URL`, `ledger sync URL DIR`, `ledger watch URL` and writes to a URL: the
/// built binary against a real server on loopback (the read API of `ledger serve`, or a
/// hostile server in front of it that alters what it relays).
@Suite struct RemoteClientTests {
    /// The sample ledger's operator key (a demo key, not secret), copied with mode 0600 so that
    /// the CLI does not warn about it.
    static let operatorKeyFile: String = {
        let path = tempPath("operator-key")
        try? FileManager.default.copyItem(
            atPath: packageRoot.appendingPathComponent(
                "ledger-demo-keys/DEMO-NOT-SECRET-demo.minilateral-ledger.example.key"
            ).path, toPath: path)
        chmod(path, 0o600)
        atexit { try? FileManager.default.removeItem(atPath: RemoteClientTests.operatorKeyFile) }
        return path
    }()

    @Test func verifyURLAuditsTheServedLedgerAsVerifyDirDoes() async throws {
        let copy = try SampleCopy()
        defer { copy.remove() }
        try await withServer(try copy.published()) { server in
            let url = "http://127.0.0.1:\(server.port)"
            let remote = try await runLedger(["verify", url, "--json"])
            let local = try await runLedger(["verify", copy.directory, "--json"])
            #expect(remote.status == 0, "\(remote.stderr)")
            let r = try JSONParser.parse(Array(remote.stdout.utf8))
            let l = try JSONParser.parse(Array(local.stdout.utf8))
            #expect(r["valid"] == .bool(true))
            #expect(r["entries"] == .integer(100) && r["signaturesVerified"] == .integer(100))
            #expect(r["root"] == l["root"] && r["checkpointsChecked"] == .integer(1))
            #expect(r["logKeyFromGenesis"] == .bool(true))
            #expect(r["url"] == .string(url), "\(r)")
            let text = try await runLedger(["verify", url])
            #expect(text.stdout.contains("OK: 100 entries"))
            #expect(text.stdout.contains("trust on first use"), "\(text.stdout)")
            let vkey = try LedgerFiles.readPrivateKey(Self.operatorKeyFile).verifierKey.description
            let pinned = try await runLedger(["verify", url, "--vkey", vkey])
            #expect(pinned.status == 0 && !pinned.stdout.contains("trust on first use"), "\(pinned.stdout)")
            let other = try NoteSignerKey.generate(name: "demo.minilateral-ledger.example").verifierKey.description
            let wrong = try await runLedger(["verify", url, "--vkey", other])
            #expect(wrong.status == 1, "\(wrong.stderr)")
            #expect(wrong.stderr.contains("/checkpoint"), "\(wrong.stderr)")
        }
    }

    @Test(arguments: [
        ("entry bundle with one byte changed", Tamper.flipEntryByte, Int32(1)),
        ("entry bundle missing its last entry", Tamper.dropLastEntry, Int32(2)),
        ("checkpoint with a bad signature", Tamper.flipSignature, Int32(1)),
    ])
    func verifySyncAndWatchFailOnAHostileServer(what: String, tamper: Tamper, syncStatus: Int32) async throws {
        let copy = try SampleCopy()
        defer { copy.remove() }
        try await withServer(try copy.published()) { server in
            try await withProxy(upstream: server.port, tamper: tamper) { proxy in
                let r = try await runLedger(["verify", "http://127.0.0.1:\(proxy.port)"])
                #expect(r.status == 1, "\(what): \(r.stdout) \(r.stderr)")
                #expect(r.stderr.contains("verification failed"), "\(what): \(r.stderr)")
                #expect(!r.stdout.contains("OK"), "\(what)")
                #expect(r.stderr.split(separator: "\n").count == 1, "one line: \(r.stderr)")
                // A first sync that fails leaves no directory behind.
                let mirror = tempPath("hostile-mirror")
                let sync = try await runLedger(["sync", "http://127.0.0.1:\(proxy.port)", mirror])
                #expect(sync.status == syncStatus, "\(what): \(sync.stderr)")
                #expect(sync.stderr.hasPrefix("ledger: error: "), "\(what): \(sync.stderr)")
                #expect(!FileManager.default.fileExists(atPath: mirror), "\(what): \(mirror) was left behind")
                let watch = try await runLedger(["watch", "http://127.0.0.1:\(proxy.port)", "--once", "--from", "0"])
                #expect(watch.status == syncStatus, "\(what): \(watch.stderr)")
                #expect(watch.stdout.isEmpty, "\(what): printed entries it could not check: \(watch.stdout)")
            }
        }
    }

    @Test func syncMirrorsByteForByteAndASecondSyncFetchesOnlyWhatIsNew() async throws {
        let copy = try SampleCopy()
        defer { copy.remove() }
        let mirror = tempPath("mirror")
        defer { try? FileManager.default.removeItem(atPath: mirror) }
        let log = try copy.published()
        try await withServer(log) { server in
            try await withProxy(upstream: server.port, tamper: .none) { proxy in
                let url = "http://127.0.0.1:\(proxy.port)"
                let first = try await runLedger(["sync", url, mirror, "--json"])
                #expect(first.status == 0, "\(first.stderr)")
                let o = try JSONParser.parse(Array(first.stdout.utf8))
                #expect(o["fetched"] == .integer(100) && o["created"] == .bool(true))
                #expect(proxy.paths == ["/checkpoint", "/tile/entries/000.p/100"])
                #expect(
                    try copy.file("entries.jsonl") == Data(contentsOf: URL(fileURLWithPath: mirror + "/entries.jsonl")))
                let verified = try await runLedger(["verify", mirror])
                #expect(verified.status == 0, "\(verified.stderr)")

                try copy.appendNotes(3)
                try log.refresh()
                proxy.clear()
                let second = try await runLedger(["sync", url, mirror])
                #expect(second.status == 0, "\(second.stderr)")
                #expect(second.stdout.contains("synced: 103 entries (3 new)"), "\(second.stdout)")
                // The checkpoint, the tile the consistency proof from 100 is built from, and the one
                // bundle that holds the new entries.
                #expect(proxy.paths == ["/checkpoint", "/tile/0/000.p/103", "/tile/entries/000.p/103"])
                #expect(
                    try copy.file("entries.jsonl") == Data(contentsOf: URL(fileURLWithPath: mirror + "/entries.jsonl")))
                let reverified = try await runLedger(["verify", mirror])
                #expect(reverified.status == 0, "\(reverified.stderr)")

                proxy.clear()
                let third = try await runLedger(["sync", url, mirror])
                #expect(third.stdout.hasPrefix("up to date: 103 entries"), "\(third.stdout)")
                #expect(proxy.paths == ["/checkpoint"])
            }
        }
    }

    @Test func syncReportsAForkWithBothCheckpointsAndLeavesTheMirrorUnchanged() async throws {
        let ours = try SampleCopy()
        let theirs = try SampleCopy()
        defer {
            ours.remove()
            theirs.remove()
        }
        let mirror = tempPath("fork-mirror")
        defer { try? FileManager.default.removeItem(atPath: mirror) }
        try ours.appendNotes(1, text: "ours")
        try await withServer(try ours.published()) { server in
            let synced = try await runLedger(["sync", "http://127.0.0.1:\(server.port)", mirror])
            #expect(synced.status == 0, "\(synced.stderr)")
        }
        let before = try directoryContents(mirror)
        // The same log key signs another history: same size, then a longer one.
        try theirs.appendNotes(1, text: "theirs")
        let log = try theirs.published()
        try await withServer(log) { server in
            let url = "http://127.0.0.1:\(server.port)"
            for round in 0..<2 {
                let r = try await runLedger(["sync", url, mirror])
                #expect(r.status == 1, "round \(round): \(r.stdout) \(r.stderr)")
                #expect(r.stderr.contains("ledger: error:") && r.stderr.contains("not consistent"), "\(r.stderr)")
                let served = try await HTTPTestClient.get(port: server.port, "/checkpoint").text
                let mirrored = try #require(try FileStore(directory: mirror).checkpointText(size: 101))
                #expect(r.stderr.contains(served) && r.stderr.contains(mirrored), "both checkpoints: \(r.stderr)")
                #expect(try directoryContents(mirror) == before, "round \(round): the mirror changed")
                // The same, as JSON: one object naming both checkpoints.
                let j = try await runLedger(["sync", url, mirror, "--json"])
                #expect(j.status == 1, "\(j.stderr)")
                let o = try JSONParser.parse(Array(j.stdout.utf8))
                #expect(o["errorCode"] == .string("fork") && o["error"]?.stringValue?.isEmpty == false, "\(o)")
                #expect(o["servedCheckpoint"] == .string(served) && o["mirrorCheckpoint"] == .string(mirrored), "\(o)")
                #expect(try directoryContents(mirror) == before)
                try theirs.appendNotes(2, text: "more")
                try log.refresh()
            }
        }
    }

    @Test func watchPrintsEachNewEntryAsItIsPublished() async throws {
        let copy = try SampleCopy()
        defer { copy.remove() }
        let log = try copy.published()
        try await withServer(log) { server in
            let url = "http://127.0.0.1:\(server.port)"
            let once = try await runLedger(["watch", url, "--once", "--from", "98"])
            #expect(once.status == 0, "\(once.stderr)")
            #expect(once.stdout.split(separator: "\n").map { $0.prefix(4) } == ["98  ", "99  "], "\(once.stdout)")
            let watching = Task {
                try await runLedger(["watch", url, "--from", "100", "--count", "2", "--interval", "0.1"])
            }
            try await Task.sleep(for: .milliseconds(500))
            try copy.appendNotes(2, text: "watched")
            try log.refresh()
            let r = try await watching.value
            #expect(r.status == 0, "\(r.stderr)")
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.count == 2, "\(r.stdout)")
            #expect(lines.first?.hasPrefix("100  ") == true && lines.first?.contains("note") == true, "\(r.stdout)")
            #expect(lines.last?.hasPrefix("101  ") == true && lines.last?.contains("watched 1") == true, "\(r.stdout)")
        }
    }

    @Test func writeToAURLSignsLocallyPostsTheStatementAndSavesTheReceipt() async throws {
        let copy = try SampleCopy()
        defer { copy.remove() }
        let receipt = tempPath("receipt")
        defer { try? FileManager.default.removeItem(atPath: receipt) }
        try await withServer(try copy.published()) { server in
            try await withProxy(upstream: server.port, tamper: .none) { proxy in
                let url = "http://127.0.0.1:\(proxy.port)"
                let r = try await runLedger([
                    "append", url, "--key", Self.operatorKeyFile, "--kind", "note", "--body", "{\"text\":\"remote\"}",
                    "--receipt", receipt,
                ])
                #expect(r.status == 0, "\(r.stderr)")
                #expect(r.stdout == "100\n")
                let posted = try #require(proxy.posted.first)
                let signed = try SignedStatement(json: try JSONParser.parse(posted))
                #expect(signed.statement.kind == "note" && signed.statement.body["text"] == .string("remote"))
                let key = try LedgerFiles.readPrivateKey(Self.operatorKeyFile)
                #expect(signed.statement.signer.publicKey == key.verifierKey.publicKey)
                #expect(
                    signed.statement.signer.publicKey.isValidSignature(
                        signed.signature, for: signed.statement.signingMessage))
                #expect(!String(decoding: posted, as: UTF8.self).contains("PRIVATE"))
                #expect(
                    try String(contentsOfFile: receipt, encoding: .utf8)
                        == Proxy.receipt(for: signed, leafHash: SHA256.hash(posted)))

                proxy.refuseWrites = true
                // With the log key pinned: no trust-on-first-use note on stderr beside the error.
                let refused = try await runLedger([
                    "append", url, "--key", Self.operatorKeyFile, "--kind", "note", "--body", "{\"text\":\"no\"}",
                    "--log-vkey", key.verifierKey.description,
                ])
                #expect(refused.status == 1, "\(refused.stderr)")
                #expect(
                    refused.stderr.contains("422") && refused.stderr.contains("(rule write-rights)"),
                    "\(refused.stderr)")
                #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
            }
        }
    }
}

extension RemoteClientTests {
    /// A `--wait` reply naming an entry far beyond its proof (2^53 − 1, the largest index the
    /// reply's JSON can carry), with a genuine proof of another entry under a genuine signed
    /// checkpoint: a one-line error (exit 1) before anything is fetched for that index.
    @Test func aWaitReplyNamingAnEntryBeyondItsProofIsAnErrorNotATrap() async throws {
        let copy = try SampleCopy()
        defer { copy.remove() }
        try await withServer(try copy.published()) { server in
            let genuine = try await HTTPTestClient.get(port: server.port, "/proof/5")
            #expect(genuine.status == 200)
            let proof = String(decoding: genuine.body, as: UTF8.self)
            let accept: @Sendable ([UInt8], Bool) async throws -> Response = { bytes, _ in
                let signed = try SignedStatement(json: try JSONParser.parse(bytes))
                let reply: JSONValue = [
                    "index": .integer(9_007_199_254_740_991), "leafHash": .string(SHA256.hash(bytes).base64),
                    "statementHash": .string(signed.statement.hash.base64),
                    "receipt": .string(try Proxy.receipt(for: signed, leafHash: SHA256.hash(bytes))),
                    "proof": .string(proof),
                ]
                return Response(
                    status: .created, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: reply.canonicalString)))
            }
            try await withProxy(upstream: server.port, tamper: .none, accept: accept) { proxy in
                let key = try LedgerFiles.readPrivateKey(Self.operatorKeyFile)
                let r = try await runLedger([
                    "append", "http://127.0.0.1:\(proxy.port)", "--key", Self.operatorKeyFile, "--kind", "note",
                    "--body", "{\"text\":\"far\"}", "--wait", "--log-vkey", key.verifierKey.description,
                ])
                #expect(r.status == 1, "\(r.stderr)")
                #expect(r.stderr.contains("not for entry 9007199254740991"), "\(r.stderr)")
                #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
            }
        }
    }

    /// A write command given the URL of a real `ledger serve --operator-key` (the built binary):
    /// signed here, appended there through the server's rules, and its receipt proven against
    /// the server's directory.
    @Test func writeToARealServerIsAppendedAndItsReceiptProvesInclusion() async throws {
        let copy = try SampleCopy()
        defer { copy.remove() }
        let receipt = tempPath("receipt-e2e")
        defer { try? FileManager.default.removeItem(atPath: receipt) }
        let server = try await ServeProcess.start([
            copy.directory, "--operator-key", Self.operatorKeyFile, "--checkpoint-interval", "0.05",
        ])
        do {
            let url = "http://127.0.0.1:\(server.port)"
            let r = try await runLedger([
                "append", url, "--key", Self.operatorKeyFile, "--kind", "note", "--body",
                "{\"text\":\"to the server\"}", "--receipt", receipt, "--wait",
            ])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout == "100\n")
            let entry = try Ledger<NegotiationRules>(directory: copy.directory).entry(100)
            #expect(entry.statement.body["text"] == .string("to the server"))
            let check = try await runLedger(["receipt", "check", receipt, copy.directory])
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
            try await server.stop()
        } catch {
            try? await server.stop()
            throw error
        }
    }

    @Test func aFailedRequestIsRetriedTwiceThenReportedInOneLine() async throws {
        let copy = try SampleCopy()
        defer { copy.remove() }
        try await withServer(try copy.published()) { server in
            try await withProxy(upstream: server.port, tamper: .none) { proxy in
                let url = "http://127.0.0.1:\(proxy.port)"
                proxy.failNext(2)
                let retried = try await runLedger(["verify", url])
                #expect(retried.status == 0, "\(retried.stderr)")
                #expect(proxy.paths.filter { $0 == "/checkpoint" }.count == 3)
                proxy.clear()
                proxy.failNext(3)
                let failed = try await runLedger(["verify", url])
                #expect(failed.status == 2, "\(failed.stderr)")
                #expect(proxy.paths == ["/checkpoint", "/checkpoint", "/checkpoint"])
                #expect(
                    failed.stderr == "ledger: error: \(url)/checkpoint: HTTP 503: busy (after 3 attempts)\n",
                    "\(failed.stderr)")
            }
        }
    }

    @Test func writeWithWaitChecksTheInclusionProofOfTheServedEntry() async throws {
        let copy = try SampleCopy()
        defer { copy.remove() }
        let log = try copy.published()
        let lie = Mutex(false)
        try await withServer(log) { server in
            // The contract's 201: the statement appended for real, a checkpoint signed and
            // published, and the inclusion proof the read API serves; or, lying, entry 99's.
            let accept: @Sendable ([UInt8], Bool) async throws -> Response = { bytes, wait in
                let signed = try SignedStatement(json: try JSONParser.parse(bytes))
                let key = try LedgerFiles.readPrivateKey(RemoteClientTests.operatorKeyFile)
                let ledger = try Ledger<NegotiationRules>(directory: copy.directory)
                let appended = try ledger.append([signed])[0]
                _ = try ledger.signCheckpoint(key: key)
                try log.refresh()
                let index = lie.withLock { $0 } ? 99 : Int64(appended.index)
                var reply: [String: JSONValue] = [
                    "index": .integer(index), "leafHash": .string(try log.view.tree.leafHash(index).base64),
                    "statementHash": .string(signed.statement.hash.base64), "receipt": .string("receipt\n"),
                ]
                if wait { reply["proof"] = .string(try log.inclusionProof(index: index)) }
                return Response(
                    status: wait ? .created : .accepted, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: JSONValue.object(JSONObject(reply)).canonicalString)))
            }
            try await withProxy(upstream: server.port, tamper: .none, accept: accept) { proxy in
                let url = "http://127.0.0.1:\(proxy.port)"
                let args = ["append", url, "--key", Self.operatorKeyFile, "--kind", "note", "--wait", "--body"]
                let r = try await runLedger(args + ["{\"text\":\"waited\"}"])
                #expect(r.status == 0, "\(r.stderr)")
                #expect(r.stdout == "100\n", "\(r.stdout)")
                lie.withLock { $0 = true }
                let lied = try await runLedger(args + ["{\"text\":\"lied to\"}"])
                #expect(lied.status == 1, "\(lied.stdout) \(lied.stderr)")
                #expect(lied.stderr.contains("entry 99 is not the statement submitted"), "\(lied.stderr)")
            }
        }
    }
}

// MARK: - Fixtures

/// Every file below `path` with its bytes.
func directoryContents(_ path: String) throws -> [String: Data] {
    var out = [String: Data]()
    for name in try FileManager.default.subpathsOfDirectory(atPath: path) {
        var isDirectory: ObjCBool = false
        FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &isDirectory)
        if !isDirectory.boolValue { out[name] = try Data(contentsOf: URL(fileURLWithPath: path + "/" + name)) }
    }
    return out
}

/// What a hostile proxy does to the bytes it relays.
enum Tamper: Sendable {
    case none, flipEntryByte, dropLastEntry, flipSignature
    /// `/checkpoint` answered with this note instead of the upstream's.
    case checkpoint(String)
    /// A byte of entry N (of the first bundle) changed, as ``flipEntryByte`` does to entry 5.
    case flipEntry(Int)
    /// `/checkpoint` answered with `checkpoint`, and every entry bundle asked for with `bundle`
    /// (200), whatever the upstream has.
    case forged(checkpoint: String, bundle: [UInt8])
    /// `/checkpoint` answered with `checkpoint`, and the bundle of entry tile N with `bundle(N)`.
    case generated(checkpoint: String, bundle: @Sendable (_ tile: Int64) -> [UInt8])

    func apply(path: String, _ body: [UInt8]) -> [UInt8] {
        var body = body
        switch self {
        case .none: break
        case .checkpoint(let text) where path == "/checkpoint": body = Array(text.utf8)
        case .flipEntryByte where path.hasPrefix("/tile/entries/"):
            body = Tamper.flipEntry(5).apply(path: path, body)
        case .flipEntry(let n) where path.hasPrefix("/tile/entries/"):
            // A digit inside entry n's JSON: the bundle still parses, the entry does not verify.
            var at = 0
            for _ in 0..<n { at += 2 + (Int(body[at]) << 8 | Int(body[at + 1])) }
            let entry = (at + 2)..<(at + 2 + (Int(body[at]) << 8 | Int(body[at + 1])))
            // The last digit (the entry's time ends it): up one, or down from 9, so that the
            // time stays well formed whatever the clock said ("…:59Z" must not become "…:69Z",
            // a malformed entry, exit 2, instead of one that fails its check, exit 1).
            if let digit = body[entry].lastIndex(where: { (0x30...0x39).contains($0) }) {
                body[digit] = body[digit] == 0x39 ? 0x38 : body[digit] + 1
            }
        case .dropLastEntry where path.hasPrefix("/tile/entries/"):
            var at = 0
            var last = 0
            while at < body.count {
                last = at
                at += 2 + (Int(body[at]) << 8 | Int(body[at + 1]))
            }
            body.removeSubrange(last...)
        case .flipSignature where path == "/checkpoint":
            // The first signature line's last base64 character before the newline.
            let text = String(decoding: body, as: UTF8.self)
            if let range = text.range(of: "\n\n— ") {
                let line = text[range.upperBound...].prefix(while: { $0 != "\n" })
                let i = text.utf8.index(before: line.endIndex).utf16Offset(in: text)
                let offset = text.utf8.distance(from: text.startIndex, to: String.Index(utf16Offset: i, in: text))
                body[offset - 1] = body[offset - 1] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            }
        default: break
        }
        return body
    }
}

/// A server in front of a read API that relays `GET /checkpoint` and `/tile/…` through
/// ``Tamper``, records the paths asked for, and takes `POST /api/v1/entries` as the write API's
/// contract says (specs/api.md), recording each body.
final class Proxy: Sendable {
    let port: Int
    private let state = Mutex<(paths: [String], posted: [[UInt8]], refuse: Bool, failures: Int)>(([], [], false, 0))

    init(port: Int) { self.port = port }

    var paths: [String] { state.withLock { $0.paths } }
    var posted: [[UInt8]] { state.withLock { $0.posted } }
    var refuseWrites: Bool {
        get { state.withLock { $0.refuse } }
        set { state.withLock { $0.refuse = newValue } }
    }
    func clear() { state.withLock { $0.paths = [] } }
    /// The next `n` GET requests get `503`.
    func failNext(_ n: Int) { state.withLock { $0.failures = n } }
    func takeFailure() -> Bool {
        state.withLock {
            guard $0.failures > 0 else { return false }
            $0.failures -= 1
            return true
        }
    }
    func record(_ path: String) { state.withLock { $0.paths.append(path) } }
    func record(post body: [UInt8]) -> Bool {
        state.withLock {
            $0.posted.append(body)
            return $0.refuse
        }
    }

    /// The receipt text the proxy sends for a statement.
    /// A receipt signed by the sample's log key for `signed` at entry 100 with `leafHash`, as
    /// the write API would give it.
    static func receipt(for signed: SignedStatement, leafHash: Digest) throws -> String {
        let key = try LedgerFiles.readPrivateKey(RemoteClientTests.operatorKeyFile)
        let time = Timestamp(rfc3339: "2026-12-01T00:00:00Z")!
        let receipt = Receipt(
            origin: key.name, index: 100, statementHash: signed.statement.hash, leafHash: leafHash, logTime: time,
            includeBy: time.adding(seconds: 60))
        return try SignedReceipt(signing: receipt, with: key).serialized
    }
}

/// Runs `body` with a ``Proxy`` over the server on `upstream`.
func withProxy<R>(
    upstream: Int, tamper: Tamper,
    accept: (@Sendable (_ body: [UInt8], _ wait: Bool) async throws -> Response)? = nil,
    _ body: (Proxy) async throws -> R
) async throws -> R {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let holder = Mutex<Proxy?>(nil)
    let router = Router(context: BasicRequestContext.self)
    let relay: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
        let path = request.uri.path
        holder.withLock { $0 }?.record(path)
        if holder.withLock({ $0 })?.takeFailure() == true {
            return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "busy\n")))
        }
        if case .forged(let checkpoint, let bundle) = tamper, path == "/checkpoint" || path.hasPrefix("/tile/entries/")
        {
            let bytes = path == "/checkpoint" ? Array(checkpoint.utf8) : bundle
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        if case .generated(let checkpoint, let bundle) = tamper,
            path == "/checkpoint" || path.hasPrefix("/tile/entries/")
        {
            // The tile index: the path's digits up to a partial tile's ".p" ("x001/x234/067" is 1234067).
            let digits = path.dropFirst("/tile/entries/".count).prefix { $0 != "." }.filter(\.isNumber)
            let bytes = path == "/checkpoint" ? Array(checkpoint.utf8) : bundle(Int64(digits) ?? 0)
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        let r = try await HTTPTestClient.get(port: upstream, path)
        let bytes = r.status == 200 ? tamper.apply(path: path, r.body) : r.body
        return Response(status: .init(code: r.status), body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
    router.get("checkpoint", use: relay)
    router.get("tile/**", use: relay)
    router.get("proof/**", use: relay)
    router.post("api/v1/entries") { request, _ -> Response in
        let bytes = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
        let proxy = holder.withLock { $0 }!
        if proxy.record(post: bytes) {
            let problem =
                #"{"type":"about:blank","title":"refused","status":422,"detail":"no write right","rule":"write-rights"}"#
            return Response(
                status: .unprocessableContent, headers: [.contentType: "application/problem+json"],
                body: .init(byteBuffer: ByteBuffer(string: problem)))
        }
        if let accept { return try await accept(bytes, request.uri.queryParameters.get("wait") == "1") }
        let signed = try SignedStatement(json: try JSONParser.parse(bytes))
        let reply: JSONValue = [
            "index": .integer(100), "leafHash": .string(SHA256.hash(bytes).base64),
            "statementHash": .string(signed.statement.hash.base64),
            "receipt": .string(try Proxy.receipt(for: signed, leafHash: SHA256.hash(bytes))),
        ]
        return Response(
            status: .accepted, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: reply.canonicalString)))
    }
    var logger = Logger(label: "test.proxy")
    logger.logLevel = .critical
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
    let task = Task { try await app.runService(gracefulShutdownSignals: []) }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw HTTPTestClient.Failure(description: "proxy did not start") }
    let proxy = Proxy(port: port)
    holder.withLock { $0 = proxy }
    defer { task.cancel() }
    let result = try await body(proxy)
    task.cancel()
    _ = try? await task.value
    return result
}

/// What a run of the built `ledger` printed, and its exit status.
struct LedgerRun: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the built `ledger` with `args`, waiting on a thread of its own (never on the pool that
/// the in-process server needs); killed after 60 s.
func runLedger(_ args: [String]) async throws -> LedgerRun {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(
                with: Result {
                    let process = ChildProcess()
                    process.executableURL = URL(fileURLWithPath: ledgerBinary)
                    process.arguments = args
                    process.currentDirectoryURL = packageRoot
                    let out = Pipe()
                    let err = Pipe()
                    process.standardOutput = out
                    process.standardError = err
                    try process.run()
                    let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
                    DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: killer)
                    let errData = Mutex(Data())
                    let reader = Thread { errData.withLock { $0 = err.fileHandleForReading.readDataToEndOfFile() } }
                    reader.start()
                    let stdout = out.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    killer.cancel()
                    while reader.isExecuting || !reader.isFinished { usleep(1000) }
                    return LedgerRun(
                        status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                        stderr: String(decoding: errData.withLock { $0 }, as: UTF8.self))
                })
        }.start()
    }
}

/// Proofs built from served tiles, as Go's `tlog.TileHashReader` builds them.
@Suite struct TileHashReaderTests {
    @Test func consistencyAndInclusionProofsFromServedTilesVerify() async throws {
        let large = try largeLedger.get()
        try await withServer(try large.published()) { server in
            let port = server.port
            let text = try await HTTPTestClient.get(port: port, "/checkpoint").text
            let checkpoint = try SignedCheckpoint(parsing: text, logKey: large.logKey.verifierKey)
            let log = ServedLog(
                client: try LogClient(url: "http://127.0.0.1:\(port)"), checkpointText: text, checkpoint: checkpoint)
            let leaves = large.leafHashes
            // Blocking reads: off the concurrency pool that the server needs.
            let proofs = try await onThread { () throws -> ([Digest], [Digest]) in
                let tree = MerkleTree(reader: TileHashReader(log: log), size: 70_000)
                return (
                    try tree.consistencyProof(oldSize: 40_000, newSize: 70_000),
                    try tree.inclusionProof(index: 65_537, treeSize: 70_000)
                )
            }
            let old = merkleTreeHash(leaves[..<40_000])
            try ConsistencyProof(size1: 40_000, size2: 70_000, hashes: proofs.0.map(\.bytes))
                .verify(root1: old, root2: checkpoint.checkpoint.root)
            try InclusionProof(index: 65_537, treeSize: 70_000, leafHash: leaves[65_537], hashes: proofs.1.map(\.bytes))
                .verify(root: checkpoint.checkpoint.root)
            #expect(throws: LedgerError.self) {
                try ConsistencyProof(size1: 40_000, size2: 70_000, hashes: proofs.0.map(\.bytes))
                    .verify(root1: leaves[0], root2: checkpoint.checkpoint.root)
            }
        }
    }

    @Test(arguments: [(0, 0), (1, 0), (2, 1), (3, 0), (5, 1), (7, 2), (13, 3)] as [(Int, Int64)])
    func storedHashIndexSplitsBack(level: Int, n: Int64) {
        let i = StoredHashIndex.index(level: level, n: n)
        #expect(TileHashReader.split(i) == (level, n))
    }
}

/// Runs `body` on a thread of its own.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
