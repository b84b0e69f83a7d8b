import Foundation
import LedgerCore
import LedgerCrypto
import LedgerServer
import Logging
import Synchronization
import Testing

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The sample ledger the README walks through.
let sampleLedger = packageRoot.appendingPathComponent("ledger").path

/// A fresh temporary directory path (not created).
func tempPath(_ tag: String) -> String {
    NSTemporaryDirectory() + "mll-server-\(tag)-\(UUID().uuidString)"
}

/// The read API running in this process on a free loopback port.
struct RunningServer: Sendable {
    let port: Int
    let task: Task<Void, any Error>

    /// Starts the application that `ledger serve` runs, over `log`, with the refresh service
    /// practically asleep: tests refresh by hand.
    static func start<Store: LedgerStore>(_ log: PublishedLog<Store>) async throws -> RunningServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "test.server")
        logger.logLevel = .critical
        let configuration = ServerConfiguration(host: "127.0.0.1", port: 0, refreshInterval: .seconds(3600))
        let task = Task {
            try await runServer(log: log, configuration: configuration, logger: logger, handlingSignals: false) {
                continuation.yield($0)
            }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            throw HTTPTestClient.Failure(description: "server did not start")
        }
        return RunningServer(port: port, task: task)
    }

    func get(_ path: String) async throws -> HTTPResult { try await HTTPTestClient.get(port: port, path) }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// Runs `body` with a server over `log`, and stops the server afterwards.
func withServer<Store: LedgerStore, R>(
    _ log: PublishedLog<Store>, _ body: (RunningServer) async throws -> R
) async throws -> R {
    try await RunningServer.start(log).serving(body)
}

extension RunningServer {
    /// Runs `body` with this server, and stops the server afterwards.
    func serving<R>(_ body: (RunningServer) async throws -> R) async throws -> R {
        do {
            let result = try await body(self)
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }
}

/// A ledger directory of synthetic entries written through the store alone (no statements,
/// no signatures to make): tens of thousands of entries in well under a second, so that
/// tiles of level 2 exist. Checkpoints are real: signed by `logKey` over the real root.
struct SyntheticLedger {
    let directory: String
    let logKey: NoteSignerKey
    let store: FileStore
    /// Every leaf written so far.
    private(set) var leaves: [[UInt8]] = []
    private var range = CompactRange()

    init(tag: String, directory: String? = nil) throws {
        self.directory = directory ?? tempPath(tag)
        try FileStore.create(at: self.directory)
        store = try FileStore(directory: self.directory)
        logKey = try NoteSignerKey.generate(name: "synthetic.example/log")
    }

    /// Leaf `i`: a short JSON object whose length varies with `i`.
    static func leaf(_ i: Int) -> [UInt8] {
        Array("{\"synthetic\":\(i),\"pad\":\"\(String(repeating: "x", count: i % 37))\"}".utf8)
    }

    /// The leaf hashes of all entries, computed here from the leaves.
    var leafHashes: [Digest] { leaves.map { MerkleHash.leaf($0) } }

    /// Appends entries until there are `size`.
    mutating func append(upTo size: Int) throws {
        guard size > leaves.count else { return }
        let new = (leaves.count..<size).map(SyntheticLedger.leaf)
        var stored = [Digest]()
        var edge = range
        for leaf in new { edge.append(MerkleHash.leaf(leaf)) { stored.append($0) } }
        let root = edge.root
        try store.withWriteLock { session throws(LedgerError) in
            try store.append(
                leaves: new, storedHashes: stored, statementHashes: new.map { SHA256.hash($0) },
                lastLeafHash: MerkleHash.leaf(new.last!), root: root, in: session)
        }
        range = edge
        leaves += new
    }

    /// Signs and stores a checkpoint of the current size (or of `root` when given: a forgery).
    @discardableResult
    func signCheckpoint(root forged: Digest? = nil, key: NoteSignerKey? = nil) throws -> String {
        let checkpoint = Checkpoint(
            origin: (key ?? logKey).name, size: UInt64(leaves.count), root: forged ?? range.root)
        var note = try SignedNote(text: checkpoint.text)
        note.sign(with: key ?? logKey)
        let text = note.serialized
        try store.withWriteLock { session throws(LedgerError) in
            try store.storeCheckpoint(text, size: checkpoint.size, in: session)
        }
        return text
    }

    /// A published log over a fresh store of this directory, refreshed.
    func published() throws -> PublishedLog<FileStore> {
        let log = PublishedLog(store: try FileStore(directory: directory), logKey: logKey.verifierKey)
        try log.refresh()
        return log
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// The Merkle Tree Hash of `leafHashes` (RFC 9162 §2.1.1), computed from its definition:
/// split at the largest power of two below the count.
func merkleTreeHash(_ leafHashes: ArraySlice<Digest>) -> Digest {
    if leafHashes.count == 1 { return leafHashes.first! }
    var k = 1
    while k * 2 < leafHashes.count { k *= 2 }
    let split = leafHashes.startIndex + k
    return MerkleHash.node(merkleTreeHash(leafHashes[..<split]), merkleTreeHash(leafHashes[split...]))
}

/// Where ``largeLedger`` is built; removed when the test process exits.
let largeLedgerDirectory = tempPath("large")

/// The shared large ledger: 70,000 entries (a level-2 tile exists), with checkpoints at
/// 40,000 (kept, older) and 70,000 (latest). Built once.
let largeLedger: Result<SyntheticLedger, any Error> = Result {
    atexit { try? FileManager.default.removeItem(atPath: largeLedgerDirectory) }
    var ledger = try SyntheticLedger(tag: "large", directory: largeLedgerDirectory)
    try ledger.append(upTo: 40_000)
    try ledger.signCheckpoint()
    try ledger.append(upTo: 70_000)
    try ledger.signCheckpoint()
    return ledger
}
