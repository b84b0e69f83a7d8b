import Consensus
import Foundation
import Hummingbird
import LedgerClient
import LedgerCore
import LedgerCrypto
import LedgerServer
import LedgerTestSupport
import Synchronization
import Testing

/// Promises of specs/api.md and specs/cli.md that no other test attacked: each test breaks the
/// promise's premise (a forged stored checkpoint, an older or forked served checkpoint, a reply
/// that lies, a refusal of each status) and checks what the spec says happens.
@Suite struct PromiseTests {
    // MARK: api.md, GET /proof/<i>?size=S: only a stored checkpoint signed by the log and of the published root

    /// Stored checkpoints of size 10 (another root, signed by the log key) and 20 (the real root,
    /// signed by a stranger's key of the log's name) under a published 30: `/proof/3?size=10` and
    /// `?size=20` are `500` with the generic body (the store disagrees with what the server
    /// checked), never a proof carrying the forged note; `?size=30` is served.
    @Test func aForgedStoredCheckpointIsNeverServedAsAProof() async throws {
        var ledger = try SyntheticLedger(tag: "forged-proof")
        defer { ledger.remove() }
        try ledger.append(upTo: 10)
        let wrongRoot = try ledger.signCheckpoint(root: MerkleHash.leaf(Array("another tree".utf8)))
        try ledger.append(upTo: 20)
        let stranger = try NoteSignerKey.generate(name: ledger.logKey.name)
        let strangers = try ledger.signCheckpoint(key: stranger)
        try ledger.append(upTo: 30)
        try ledger.signCheckpoint()
        try await withServer(try ledger.published()) { server in
            for (size, forged) in [(10, wrongRoot), (20, strangers)] {
                let r = try await server.get("/proof/3?size=\(size)")
                #expect(r.status == 500, "size \(size): \(r.status) \(r.text)")
                #expect(r.text == "internal error: the server's log says why\n", "size \(size): \(r.text)")
                let signatureLine = try #require(forged.split(separator: "\n").last)
                #expect(!r.text.contains(signatureLine), "size \(size): the forged note was served")
                #expect(r.headers["cache-control"] == "no-cache", "size \(size): \(r.headers)")
            }
            let genuine = try await server.get("/proof/3?size=30")
            #expect(genuine.status == 200, "\(genuine.text)")
        }
    }

    // MARK: cli.md, sync: an older served checkpoint

    /// A mirror of 101 entries synced from a server that serves the sample's first 100: consistent,
    /// so nothing changes (exit 0, a note, DIR byte for byte); the same size signed by the log key
    /// over another root is a fork (exit 1, both notes as evidence, DIR unchanged).
    @Test func syncFromAnOlderServedCheckpointChangesNothingAndAnOlderForkIsExit1() async throws {
        let longer = try SampleCopy(tag: "longer")
        let older = try SampleCopy(tag: "older")
        let mirror = tempPath("older-mirror")
        defer {
            longer.remove()
            older.remove()
            try? FileManager.default.removeItem(atPath: mirror)
        }
        try longer.appendNotes(1, text: "newer")
        try await withServer(try longer.published()) { server in
            let r = try await runLedger(["sync", "http://127.0.0.1:\(server.port)", mirror])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let before = try directoryContents(mirror)
        try await withServer(try older.published()) { server in
            let url = "http://127.0.0.1:\(server.port)"
            let r = try await runLedger(["sync", url, mirror])
            #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
            #expect(r.stdout.contains("is older than the mirror's 101 entries, and consistent"), "\(r.stdout)")
            #expect(try directoryContents(mirror) == before, "the mirror changed")

            var fork = try SignedNote(
                text: Checkpoint(origin: older.origin, size: 100, root: MerkleHash.leaf(Array("fork".utf8))).text)
            fork.sign(with: older.operatorKey)
            try await withProxy(upstream: server.port, tamper: .checkpoint(fork.serialized)) { proxy in
                let forked = try await runLedger(["sync", "http://127.0.0.1:\(proxy.port)", mirror])
                #expect(forked.status == 1, "\(forked.stdout) \(forked.stderr)")
                #expect(forked.stderr.contains(fork.serialized), "the served note as evidence: \(forked.stderr)")
                #expect(!forked.stdout.contains("older"), "\(forked.stdout)")
                #expect(try directoryContents(mirror) == before, "the mirror changed")
            }
        }
    }

    // MARK: cli.md, writing to a URL: the reply is checked before it is believed

    enum LyingReply: String, CaseIterable, Sendable {
        case otherStatement = "a statementHash that is not the statement sent"
        case strangersReceipt = "a receipt signed by another key of the log's name"
        case otherIndexReceipt = "a receipt for another index"
        case strangersProof = "a --wait proof under a stranger's checkpoint"
    }

    @Test(arguments: LyingReply.allCases)
    func aWriteRefusesAReplyThatLies(_ lie: LyingReply) async throws {
        let copy = try SampleCopy(tag: "lying-reply")
        let receiptFile = tempPath("lying-receipt")
        defer {
            copy.remove()
            try? FileManager.default.removeItem(atPath: receiptFile)
        }
        let stranger = try NoteSignerKey.generate(name: copy.origin)
        try await withServer(try copy.published()) { server in
            let accept: @Sendable ([UInt8], Bool) async throws -> Response = { bytes, wait in
                let signed = try SignedStatement(json: try JSONParser.parse(bytes))
                let leafHash = SHA256.hash(bytes)
                let key = try LedgerFiles.readPrivateKey(RemoteClientTests.operatorKeyFile)
                let time = Timestamp(rfc3339: "2026-12-01T00:00:00Z")!
                var statementHash = signed.statement.hash
                var receiptKey = key
                var receiptIndex: UInt64 = 100
                switch lie {
                case .otherStatement: statementHash = SHA256.hash(Array("another statement".utf8))
                case .strangersReceipt: receiptKey = stranger
                case .otherIndexReceipt: receiptIndex = 101
                case .strangersProof: break
                }
                let receipt = try SignedReceipt(
                    signing: Receipt(
                        origin: key.name, index: receiptIndex, statementHash: signed.statement.hash, leafHash: leafHash,
                        logTime: time, includeBy: time.adding(seconds: 60)),
                    with: receiptKey
                ).serialized
                var reply: [String: JSONValue] = [
                    "index": .integer(100), "leafHash": .string(leafHash.base64),
                    "statementHash": .string(statementHash.base64), "receipt": .string(receipt),
                ]
                if wait {
                    // Entry 100 appended to a tree only the stranger signs.
                    var hashes = try (0..<100).map { try copy.ledger.store.tree.leafHash(Int64($0)) }
                    hashes.append(MerkleHash.leaf(bytes))
                    var note = try SignedNote(
                        text: Checkpoint(origin: copy.origin, size: 101, root: merkleTreeHash(hashes[...])).text)
                    note.sign(with: stranger)
                    reply["proof"] = .string(
                        TlogProof(index: 100, hashes: inclusionPath(100, hashes[...]).map(\.bytes), checkpoint: note)
                            .serialized)
                }
                return Response(
                    status: wait ? .created : .accepted, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: JSONValue.object(JSONObject(reply)).canonicalString)))
            }
            try await withProxy(upstream: server.port, tamper: .none, accept: accept) { proxy in
                let r = try await runLedger(
                    [
                        "append", "http://127.0.0.1:\(proxy.port)", "--key", RemoteClientTests.operatorKeyFile,
                        "--kind", "note", "--body", #"{"text":"lied to"}"#, "--receipt", receiptFile,
                        "--log-vkey", copy.operatorKey.verifierKey.description,
                    ] + (lie == .strangersProof ? ["--wait"] : []))
                #expect(r.status != 0, "\(lie.rawValue): \(r.stdout) \(r.stderr)")
                #expect(r.stdout.isEmpty, "\(lie.rawValue): \(r.stdout)")
                #expect(r.stderr.split(separator: "\n").count == 1, "\(lie.rawValue): \(r.stderr)")
                #expect(r.stderr.hasPrefix("ledger: error: "), "\(lie.rawValue): \(r.stderr)")
                if lie == .strangersProof {
                    // The receipt itself is the log's, for this statement: kept as evidence
                    // before the proof is checked (cli.md, --receipt with --wait).
                    let kept = try String(contentsOfFile: receiptFile, encoding: .utf8)
                    #expect(
                        try SignedReceipt(parsing: kept, logKey: copy.operatorKey.verifierKey).receipt.index == 100)
                } else {
                    #expect(
                        !FileManager.default.fileExists(atPath: receiptFile), "\(lie.rawValue): the receipt was saved")
                }
                #expect(proxy.posted.count == 1)
            }
        }
    }

    // MARK: cli.md, api.md: write refusals, each sent once

    struct Refusal: Sendable, CustomTestStringConvertible {
        var status: Int
        var exit: Int32
        var index: Int? = nil
        var testDescription: String { "HTTP \(status) → exit \(exit)" }
    }

    @Test(arguments: [
        Refusal(status: 400, exit: 2), Refusal(status: 404, exit: 2), Refusal(status: 413, exit: 2),
        Refusal(status: 409, exit: 1, index: 42), Refusal(status: 403, exit: 1), Refusal(status: 422, exit: 1),
        Refusal(status: 503, exit: 2),
    ])
    func aRefusedWriteIsOneLineItsExitStatusAndSentOnce(_ refusal: Refusal) async throws {
        let copy = try SampleCopy(tag: "refused")
        defer { copy.remove() }
        try await withServer(try copy.published()) { server in
            let accept: @Sendable ([UInt8], Bool) async throws -> Response = { _, _ in
                let problem: JSONValue = [
                    "type": .string("about:blank"), "title": .string("refused here"),
                    "status": .integer(Int64(refusal.status)), "detail": .string("the detail"),
                    "rule": .string("some-rule"),
                ]
                var headers: HTTPFields = [.contentType: "application/problem+json"]
                if let index = refusal.index { headers[HTTPFields.Element.Name("X-Log-Index")!] = String(index) }
                return Response(
                    status: .init(code: refusal.status), headers: headers,
                    body: .init(byteBuffer: ByteBuffer(string: problem.canonicalString)))
            }
            try await withProxy(upstream: server.port, tamper: .none, accept: accept) { proxy in
                let r = try await runLedger([
                    "append", "http://127.0.0.1:\(proxy.port)", "--key", RemoteClientTests.operatorKeyFile,
                    "--kind", "note", "--body", #"{"text":"refused"}"#,
                    "--log-vkey", copy.operatorKey.verifierKey.description,
                ])
                #expect(r.status == refusal.exit, "\(r.status): \(r.stderr)")
                #expect(r.stdout.isEmpty, "\(r.stdout)")
                #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
                #expect(r.stderr.contains("HTTP \(refusal.status): refused here: the detail"), "\(r.stderr)")
                #expect(r.stderr.contains("(rule some-rule)"), "\(r.stderr)")
                if let index = refusal.index { #expect(r.stderr.contains("; it is entry \(index)"), "\(r.stderr)") }
                #expect(proxy.posted.count == 1, "sent \(proxy.posted.count) times")
            }
        }
    }
}

/// The inclusion path of leaf `index` in the tree of `leafHashes` (RFC 9162 §2.1.3.1), from its
/// definition.
func inclusionPath(_ index: Int, _ leafHashes: ArraySlice<Digest>) -> [Digest] {
    if leafHashes.count <= 1 { return [] }
    var k = 1
    while k * 2 < leafHashes.count { k *= 2 }
    let split = leafHashes.startIndex + k
    if index < k {
        return inclusionPath(index, leafHashes[..<split]) + [merkleTreeHash(leafHashes[split...])]
    }
    return inclusionPath(index - k, leafHashes[split...]) + [merkleTreeHash(leafHashes[..<split])]
}
