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

/// Promises of specs/cli.md about the remote clients (`verify URL`, `sync`, `watch`, writes to
/// a URL) that no other test attacked: an unreachable server, a checkpoint of 2^62 entries, a
/// checkpoint that changes under `watch`, a kill in mid-stream, the temporary files of a write.
@Suite struct PromiseClientTests {
    // MARK: cli.md: an unreachable server, or 404 before anything is checked, is exit 2

    @Test func anUnreachableServerOrA404CheckpointIsExit2InOneLineNamingTheURL() async throws {
        // A port that was just listened on and is closed now.
        let closedCopy = try SampleCopy(tag: "closed")
        defer { closedCopy.remove() }
        let closed = try await RunningServer.start(try closedCopy.published())
        await closed.stop()
        var empty = try SyntheticLedger(tag: "no-checkpoint")
        defer { empty.remove() }
        try empty.append(upTo: 3)
        let mirror = tempPath("unreachable-mirror")
        defer { try? FileManager.default.removeItem(atPath: mirror) }
        try await withServer(try empty.published()) { server in
            for url in ["http://127.0.0.1:\(closed.port)", "http://127.0.0.1:\(server.port)"] {
                let runs: [[String]] = [
                    ["verify", url], ["sync", url, mirror], ["watch", url, "--once"],
                    ["watch", url, "--interval", "0.1"],
                ]
                for args in runs {
                    let r = try await runLedger(args)
                    #expect(r.status == 2, "\(args): \(r.status) \(r.stderr)")
                    #expect(r.stdout.isEmpty, "\(args): \(r.stdout)")
                    #expect(r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
                    #expect(r.stderr.hasPrefix("ledger: error: \(url)/checkpoint"), "\(args): \(r.stderr)")
                    #expect(!FileManager.default.fileExists(atPath: mirror), "\(args): \(mirror) was left behind")
                }
            }
            // --since is for a directory: exit 2, also with the --vkey it needs.
            let url = "http://127.0.0.1:\(server.port)"
            let since = tempPath("since") + ".checkpoint"
            try #require(try closedCopy.ledger.store.checkpointText(size: 100)).write(
                toFile: since, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: since) }
            let vkey = closedCopy.operatorKey.verifierKey.description
            let pinned = try await runLedger(["verify", url, "--since", since, "--vkey", vkey])
            #expect(pinned.status == 2, "\(pinned.stderr)")
            #expect(pinned.stderr.split(separator: "\n").count == 1, "\(pinned.stderr)")
            #expect(pinned.stderr.contains("--since audits a directory"), "\(pinned.stderr)")
            let bare = try await runLedger(["verify", url, "--since", since])
            #expect(bare.status == 2, "\(bare.stderr)")
            #expect(bare.stderr.hasPrefix("ledger: error: verify: --since"), "\(bare.stderr)")
        }
    }

    // MARK: cli.md, sync: a log-signed checkpoint of 2^62 entries is exit 2 naming the claimed size

    @Test(.timeLimit(.minutes(3))) func aLogSignedCheckpointOf2To62EntriesIsExit2NamingTheSize() async throws {
        let copy = try SampleCopy(tag: "huge-exact")
        defer { copy.remove() }
        let size: UInt64 = 1 << 62
        var note = try SignedNote(
            text: Checkpoint(origin: copy.origin, size: size, root: try copy.ledger.store.tree.root(treeSize: 100))
                .text)
        note.sign(with: copy.operatorKey)
        let held = tempPath("huge-exact-held")
        let fresh = tempPath("huge-exact-fresh")
        defer {
            try? FileManager.default.removeItem(atPath: held)
            try? FileManager.default.removeItem(atPath: fresh)
        }
        let vkey = copy.operatorKey.verifierKey.description
        try await withServer(try copy.published()) { server in
            let synced = try await runLedger(["sync", "http://127.0.0.1:\(server.port)", held])
            #expect(synced.status == 0, "\(synced.stderr)")
            let before = try directoryContents(held)
            try await withProxy(upstream: server.port, tamper: .checkpoint(note.serialized)) { proxy in
                let url = "http://127.0.0.1:\(proxy.port)"
                for args in [["sync", url, fresh], ["sync", url, fresh, "--vkey", vkey], ["sync", url, held]] {
                    let r = try await runLedger(args)
                    #expect(r.status == 2, "\(args): \(r.status) \(r.stderr)")
                    let errors = r.stderr.split(separator: "\n").filter { !$0.hasPrefix("ledger: note:") }
                    #expect(errors.count == 1, "\(args): \(r.stderr)")
                    #expect(errors.first?.contains(String(size)) == true, "\(args): the claimed size: \(r.stderr)")
                    #expect(!FileManager.default.fileExists(atPath: fresh), "\(args): \(fresh) was left behind")
                    #expect(try directoryContents(held) == before, "\(args): the mirror changed")
                }
            }
        }
    }

    // MARK: cli.md, watch: a log that shrinks, forks or is not signed stops it

    enum Change: String, CaseIterable, Sendable {
        case smaller = "a smaller size"
        case otherRoot = "another root at the same size"
        case badSignature = "a bad signature"
    }

    @Test(.timeLimit(.minutes(3)), arguments: Change.allCases)
    func watchStopsWithExit1WhenTheServedCheckpointChanges(_ change: Change) async throws {
        let copy = try SampleCopy(tag: "watch-change")
        defer { copy.remove() }
        let genuine = try #require(try copy.ledger.store.checkpointText(size: 100))
        let next: String
        switch change {
        case .smaller: next = try copy.checkpoint(size: 99).serialized
        case .otherRoot:
            var note = try SignedNote(
                text: Checkpoint(origin: copy.origin, size: 100, root: MerkleHash.leaf(Array("fork".utf8))).text)
            note.sign(with: copy.operatorKey)
            next = note.serialized
        case .badSignature: next = try flippedSignature(copy.checkpoint(size: 100).serialized)
        }
        try await withServer(try copy.published()) { server in
            try await withSwitchableCheckpoint(upstream: server.port, genuine) { switcher in
                let watching = Task {
                    try await runLedger([
                        "watch", "http://127.0.0.1:\(switcher.port)", "--from", "98", "--interval", "0.1", "--vkey",
                        copy.operatorKey.verifierKey.description,
                    ])
                }
                // The second poll: the first checkpoint was checked and its entries printed.
                let deadline = Date().addingTimeInterval(50)
                while switcher.checkpointRequests < 2, Date() < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(switcher.checkpointRequests >= 2, "watch never polled again")
                switcher.serve(next)
                let r = try await watching.value
                #expect(r.status == 1, "\(change.rawValue): \(r.status) \(r.stderr)")
                #expect(r.stdout.split(separator: "\n").map { $0.prefix(4) } == ["98  ", "99  "], "\(r.stdout)")
                #expect(r.stderr.split(separator: "\n").count == 1, "\(change.rawValue): \(r.stderr)")
            }
        }
    }

    // MARK: cli.md: no file left in TMPDIR

    /// `sync` killed with SIGKILL while it streams entries (a log-signed checkpoint of 2^40,
    /// valid entries without end) leaves nothing in its TMPDIR, and the mirror as it was.
    @Test(.timeLimit(.minutes(3))) func syncKilledMidStreamLeavesNoFileAndTheMirrorUnchanged() async throws {
        // 400 tiles at most (about 100,000 entries): more than a sync checks in the 10 s before
        // the kill on this machine, and a bound if it is faster.
        try await withEndlessLog(tag: "killed-sync", tiles: 400, text: "streamed") { log in
            let args = ["sync", log.url, log.held, "--vkey", log.vkey]
            let r = try await onThread { try measuredLedger(args, stopAfter: 10, env: ["TMPDIR": log.tmp]) }
            #expect(r.status == 137, "killed, not finished: \(r.status) \(r.stderr)")
            #expect(log.forge.made > 0, "killed before any entry was streamed")
            #expect(try FileManager.default.contentsOfDirectory(atPath: log.tmp).isEmpty, "files left in TMPDIR")
            #expect(try directoryContents(log.held) == log.before, "the mirror changed")
        }
    }

    /// A write to a URL keeps its mirror in TMPDIR and removes it on exit: after a success, a
    /// `422` and a `--log-vkey` that is not the log's, TMPDIR is empty.
    @Test func aWriteToAURLLeavesTMPDIREmpty() async throws {
        let copy = try SampleCopy(tag: "write-tmp")
        let tmp = tempPath("write-tmp")
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: false)
        defer {
            copy.remove()
            try? FileManager.default.removeItem(atPath: tmp)
        }
        let stranger = try NoteSignerKey.generate(name: copy.origin).verifierKey.description
        try await withServer(try copy.published()) { server in
            try await withProxy(upstream: server.port, tamper: .none) { proxy in
                let args = [
                    "append", "http://127.0.0.1:\(proxy.port)", "--key", RemoteClientTests.operatorKeyFile, "--kind",
                    "note", "--body", #"{"text":"tmp"}"#,
                ]
                for (what, extra, refuse, status) in [
                    ("accepted", [String](), false, Int32(0)), ("422", [], true, 1),
                    ("--log-vkey mismatch", ["--log-vkey", stranger], false, 1),
                ] {
                    proxy.refuseWrites = refuse
                    let r = try await onThread { try runProcess(ledgerBinary, args + extra, env: ["TMPDIR": tmp]) }
                    #expect(r.status == status, "\(what): \(r.stderr)")
                    #expect(try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty, "\(what): files left")
                }
                #expect(proxy.posted.count == 2)
            }
        }
    }
}

/// `note` with one byte of its first signature changed (the base64 stays valid).
func flippedSignature(_ note: String) throws -> String {
    var lines = note.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let at = try #require(lines.firstIndex { $0.hasPrefix("— ") })
    let parts = lines[at].split(separator: " ")
    var bytes = try #require(Data(base64Encoded: String(parts[2])))
    bytes[bytes.count - 1] ^= 0x01
    lines[at] = "\(parts[0]) \(parts[1]) \(bytes.base64EncodedString())"
    return lines.joined(separator: "\n")
}

/// A server that answers `GET /checkpoint` with the note it is told to serve, and relays
/// `/tile/…` to a read API.
final class CheckpointSwitcher: Sendable {
    let port: Int
    private let state: Mutex<(note: String, requests: Int)>

    init(port: Int, note: String) {
        self.port = port
        state = Mutex((note, 0))
    }

    var checkpointRequests: Int { state.withLock { $0.requests } }
    func serve(_ note: String) { state.withLock { $0.note = note } }
    func take() -> String {
        state.withLock {
            $0.requests += 1
            return $0.note
        }
    }
}

/// Runs `body` with a ``CheckpointSwitcher`` over the read API on `upstream`, serving `note`.
func withSwitchableCheckpoint<R>(
    upstream: Int, _ note: String, _ body: (CheckpointSwitcher) async throws -> R
) async throws -> R {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let holder = Mutex<CheckpointSwitcher?>(nil)
    let router = Router(context: BasicRequestContext.self)
    router.get("checkpoint") { _, _ -> Response in
        let text = holder.withLock { $0 }?.take() ?? note
        return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
    router.get("tile/**") { request, _ -> Response in
        let r = try await HTTPTestClient.get(port: upstream, request.uri.path)
        return Response(status: .init(code: r.status), body: .init(byteBuffer: ByteBuffer(bytes: r.body)))
    }
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: quietLogger("test.switcher"))
    let task = Task { try await app.runService(gracefulShutdownSignals: []) }
    defer { task.cancel() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw HTTPTestClient.Failure(description: "no switcher") }
    let switcher = CheckpointSwitcher(port: port, note: note)
    holder.withLock { $0 = switcher }
    let result = try await body(switcher)
    task.cancel()
    _ = try? await task.value
    return result
}

/// A hostile log over a copy of the sample, for a client to be pointed at: a checkpoint of
/// 2^40 entries signed by the real log key, and entry bundles from ``forge`` (the real 100
/// entries, then correctly linked notes of the operator's, "`text` i`suffix`", up to `tiles` tiles);
/// with an empty mirror directory and an empty TMPDIR, all removed afterwards.
struct EndlessLog {
    let url: String
    let vkey: String
    let forge: EntryForge
    /// An empty ledger directory to sync into, and its files before.
    let held: String
    let before: [String: Data]
    let tmp: String
}

func withEndlessLog(
    tag: String, tiles: Int64, text: String, suffix: String = "", _ body: (EndlessLog) async throws -> Void
) async throws {
    let copy = try SampleCopy(tag: tag)
    defer { copy.remove() }
    let lines = try copy.file("entries.jsonl").split(separator: 0x0a).map { Array($0) }
    let time = try Entry(leaf: lines[99]).time
    let key = copy.operatorKey
    let forge = EntryForge(real: lines, time: time, tiles: tiles) { i in
        try! Statement.make(kind: "note", body: ["text": .string("\(text) \(i)\(suffix)")], key: key, time: time)
    }
    let held = tempPath(tag + "-held")
    let tmp = tempPath(tag + "-tmp")
    try FileStore.create(at: held)
    try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: false)
    defer {
        try? FileManager.default.removeItem(atPath: held)
        try? FileManager.default.removeItem(atPath: tmp)
    }
    let before = try directoryContents(held)
    try await withServer(try copy.published()) { server in
        let tamper = Tamper.generated(checkpoint: try forge.checkpoint(copy)) { forge.bundle($0) }
        try await withProxy(upstream: server.port, tamper: tamper) { proxy in
            try await body(
                EndlessLog(
                    url: "http://127.0.0.1:\(proxy.port)", vkey: key.verifierKey.description, forge: forge,
                    held: held, before: before, tmp: tmp))
        }
    }
}
