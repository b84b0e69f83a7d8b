import Foundation
import LedgerCore
import LedgerCrypto
import LedgerServer
import Logging
import Testing

/// A log to submit: leaves, checkpoints signed by its key, RFC 9162 consistency proofs.
struct WitnessedLog {
    let key: NoteSignerKey
    let leafHashes: [Digest] = (0..<64).map { MerkleHash.leaf(Array("entry \($0)".utf8)) }

    init(origin: String) throws { key = try NoteSignerKey.generate(name: origin) }

    func root(_ size: Int) -> Digest { size == 0 ? MerkleHash.emptyRoot : merkleTreeHash(leafHashes[..<size]) }

    /// The checkpoint of `size` (with `root` when given: a fork), signed by `signers` (the log key by default).
    func checkpoint(_ size: Int, root: Digest? = nil, signers: [NoteSignerKey]? = nil) throws -> SignedNote {
        var note = try SignedNote(
            text: Checkpoint(origin: key.name, size: UInt64(size), root: root ?? self.root(size)).text)
        for s in signers ?? [key] { note.sign(with: s) }
        return note
    }

    /// PROOF(m, D[0:n]) of RFC 9162 §2.1.4.1, from its definition.
    func proof(_ m: Int, _ n: Int) -> [Digest] { subproof(m, leafHashes[..<n], true) }

    func subproof(_ m: Int, _ d: ArraySlice<Digest>, _ b: Bool) -> [Digest] {
        if m == d.count { return b ? [] : [merkleTreeHash(d)] }
        var k = 1
        while k * 2 < d.count { k *= 2 }
        let split = d.startIndex + k
        if m <= k { return subproof(m, d[..<split], b) + [merkleTreeHash(d[split...])] }
        return subproof(m - k, d[split...], false) + [merkleTreeHash(d[..<split])]
    }
}

/// An add-checkpoint request body.
func addCheckpointBody(old: Int, proof: [Digest] = [], _ note: SignedNote) -> [UInt8] {
    Array(("old \(old)\n" + proof.map { $0.base64 + "\n" }.joined() + "\n" + note.serialized).utf8)
}

/// The cosignature timestamp the test witness uses.
let witnessTestTime: UInt64 = 1_700_000_000

extension RunningServer {
    /// `ledger serve --witness-only` in this process, on a free loopback port.
    static func startWitness(_ witness: WitnessEndpoint) async throws -> RunningServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "test.witness")
        logger.logLevel = .critical
        let configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
        let task = Task {
            try await runWitnessServer(
                witness: witness, configuration: configuration, logger: logger, handlingSignals: false
            ) { continuation.yield($0) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw HTTPTestClient.Failure(description: "no witness") }
        return RunningServer(port: port, task: task)
    }

    func post(_ path: String, _ body: [UInt8]) async throws -> HTTPResult {
        try await HTTPTestClient.post(port: port, path, body: body)
    }

    func add(_ body: [UInt8]) async throws -> HTTPResult { try await post("/witness/add-checkpoint", body) }
}

/// A witness of `logs` (and of a second key of the first log, `extraKey`) keeping state in `stateDirectory`.
func makeWitness(key: NoteSignerKey, logs: [String: [NoteVerifierKey]], state: String) throws -> WitnessEndpoint {
    let configuration = try WitnessConfiguration(key: key, logs: logs, state: FileWitnessState(directory: state))
    return WitnessRoutes(witness: CheckpointWitness(configuration: configuration), now: { witnessTestTime })
}

/// `POST /witness/add-checkpoint` (C2SP tlog-witness) against a witness running in this process.
@Suite struct WitnessAPITests {
    struct Fixture {
        let log: WitnessedLog
        let second: NoteSignerKey  // another trusted key of the same log
        let other: WitnessedLog  // a second witnessed log
        let witnessKey: NoteSignerKey
        let state: String

        init() throws {
            log = try WitnessedLog(origin: "example.com/log")
            second = try NoteSignerKey.generate(name: "example.com/log")
            other = try WitnessedLog(origin: "example.com/other")
            witnessKey = try NoteSignerKey.generate(name: "witness.example/w1")
            state = tempPath("witness")
        }

        func endpoint() throws -> WitnessEndpoint {
            try makeWitness(
                key: witnessKey,
                logs: [
                    log.key.name: [log.key.verifierKey, second.verifierKey],
                    other.key.name: [other.key.verifierKey],
                ], state: state)
        }

        func run<R>(_ body: (RunningServer) async throws -> R) async throws -> R {
            let server = try await RunningServer.startWitness(try endpoint())
            do {
                let r = try await body(server)
                await server.stop()
                return r
            } catch {
                await server.stop()
                throw error
            }
        }
    }

    /// A note whose signature line by `key` is corrupted (the last byte flipped).
    static func corrupt(_ note: SignedNote, by key: NoteSignerKey) throws -> SignedNote {
        let vk = key.verifierKey
        let sigs = note.signatures.map { s -> SignedNote.Signature in
            guard s.name == vk.name, s.keyID == vk.keyID else { return s }
            var p = s.payload
            p[p.count - 1] ^= 1
            return SignedNote.Signature(name: s.name, keyID: s.keyID, payload: p)
        }
        return try SignedNote(text: note.text, signatures: sigs)
    }

    @Test func statusesComeInTheSpecifiedOrder() async throws {
        let f = try Fixture()
        defer { try? FileManager.default.removeItem(atPath: f.state) }
        let stranger = try WitnessedLog(origin: "unknown.example/log")
        let log = f.log
        try await f.run { w in
            // 404 before 403: an unknown origin with a bad signature.
            var r = try await w.add(
                addCheckpointBody(old: 9, try Self.corrupt(try stranger.checkpoint(3), by: stranger.key)))
            #expect(r.status == 404)
            // 403: no signature by a trusted key; a bad one by a trusted key even though another verifies;
            // and 403 comes before 400 (old > size).
            let unknownSigner = try NoteSignerKey.generate(name: "example.com/log")
            r = try await w.add(addCheckpointBody(old: 0, try log.checkpoint(5, signers: [unknownSigner])))
            #expect(r.status == 403)
            let twoSigned = try log.checkpoint(5, signers: [log.key, f.second])
            r = try await w.add(addCheckpointBody(old: 0, try Self.corrupt(twoSigned, by: f.second)))
            #expect(r.status == 403)
            r = try await w.add(addCheckpointBody(old: 9, try Self.corrupt(twoSigned, by: log.key)))
            #expect(r.status == 403)
            // 400 before 409: old beyond the checkpoint's size (and not the stored size either).
            r = try await w.add(addCheckpointBody(old: 9, try log.checkpoint(5)))
            #expect(r.status == 400)
            // A malformed body is 400.
            r = try await w.add(Array("old 01\n\n".utf8) + Array(try log.checkpoint(5).serialized.utf8))
            #expect(r.status == 400)
            // 200: the first checkpoint, signed by both trusted keys.
            r = try await w.add(addCheckpointBody(old: 0, twoSigned))
            #expect(r.status == 200, "\(r.text)")
            // 409 with the stored size: old 0 again, and a stale old size with a bad proof (409 before 422).
            r = try await w.add(addCheckpointBody(old: 0, try log.checkpoint(8)))
            #expect(r.status == 409)
            #expect(r.text == "5\n")
            #expect(r.headers["content-type"] == "text/x.tlog.size")
            r = try await w.add(addCheckpointBody(old: 3, proof: [log.root(1)], try log.checkpoint(8)))
            #expect(r.status == 409 && r.text == "5\n")
            // 422: a bad proof, a missing proof, the stored size with another root.
            var badProof = log.proof(5, 8)
            badProof[0] = log.root(2)
            r = try await w.add(addCheckpointBody(old: 5, proof: badProof, try log.checkpoint(8)))
            #expect(r.status == 422)
            r = try await w.add(addCheckpointBody(old: 5, try log.checkpoint(8)))
            #expect(r.status == 422)
            r = try await w.add(addCheckpointBody(old: 5, try log.checkpoint(5, root: log.root(4))))
            #expect(r.status == 422)
            // 200: resubmitting the cosigned checkpoint; then a consistent extension.
            r = try await w.add(addCheckpointBody(old: 5, twoSigned))
            #expect(r.status == 200, "\(r.text)")
            r = try await w.add(addCheckpointBody(old: 5, proof: log.proof(5, 8), try log.checkpoint(8)))
            #expect(r.status == 200, "\(r.text)")
            // 422 on the other log: a non-empty proof with old 0; size 0 with a root that is not the empty tree's.
            let other = f.other
            r = try await w.add(addCheckpointBody(old: 0, proof: [other.root(1)], try other.checkpoint(3)))
            #expect(r.status == 422)
            r = try await w.add(addCheckpointBody(old: 0, try other.checkpoint(0, root: other.root(1))))
            #expect(r.status == 422)
            r = try await w.add(addCheckpointBody(old: 0, try other.checkpoint(0)))
            #expect(r.status == 200)
            // The witness serves nothing else.
            #expect(try await w.get("/checkpoint").status == 404)
        }
    }

    @Test func theCosignatureIsALineThatVerifiesUnderTheWitnessCosignerKey() async throws {
        let f = try Fixture()
        defer { try? FileManager.default.removeItem(atPath: f.state) }
        let note = try f.log.checkpoint(7)
        try await f.run { w in
            let r = try await w.add(addCheckpointBody(old: 0, note))
            #expect(r.status == 200)
            #expect(r.text.hasPrefix("\u{2014} witness.example/w1 ") && r.text.hasSuffix("\n"))
            #expect(r.text.split(separator: "\n").count == 1)
            let cosigned = try SignedNote(parsing: note.text + "\n" + r.text)
            let cosigner = f.witnessKey.cosignerKey
            #expect(cosigner.type == .cosignatureV1)
            #expect(cosigned.signatures[0].keyID == cosigner.keyID)
            #expect(cosigner.keyID != f.witnessKey.verifierKey.keyID)
            #expect(try cosigned.verifyAll(by: cosigner).time == witnessTestTime)
        }
    }

    @Test func ofEightConcurrentSubmissionsFromOneOldSizeExactlyOneWins() async throws {
        let f = try Fixture()
        defer { try? FileManager.default.removeItem(atPath: f.state) }
        let log = f.log
        try await f.run { w in
            #expect(try await w.add(addCheckpointBody(old: 0, try log.checkpoint(10))).status == 200)
            let bodies = try (11...18).map {
                addCheckpointBody(old: 10, proof: log.proof(10, $0), try log.checkpoint($0))
            }
            let results = try await withThrowingTaskGroup(of: HTTPResult.self) { group in
                for b in bodies { group.addTask { try await w.add(b) } }
                var all = [HTTPResult]()
                for try await r in group { all.append(r) }
                return all
            }
            let winners = results.filter { $0.status == 200 }
            #expect(winners.count == 1)
            #expect(results.filter { $0.status == 409 }.count == 7, "\(results.map(\.status))")
            let sizes = Set(results.filter { $0.status == 409 }.map(\.text))
            #expect(sizes.count == 1)
            // The 409s name the winner's size, and it is what the witness now holds.
            let size = try #require(Int(sizes.first?.dropLast() ?? ""))
            let again = try await w.add(addCheckpointBody(old: 0, try log.checkpoint(20)))
            #expect(again.status == 409 && again.text == "\(size)\n")
        }
    }

    @Test func theStateSurvivesARestart() async throws {
        let f = try Fixture()
        defer { try? FileManager.default.removeItem(atPath: f.state) }
        let log = f.log
        try await f.run { w in
            let r = try await w.add(addCheckpointBody(old: 0, try log.checkpoint(12)))
            #expect(r.status == 200)
        }
        try await f.run { w in
            let r = try await w.add(addCheckpointBody(old: 0, try log.checkpoint(20)))
            #expect(r.status == 409 && r.text == "12\n")
            let next = try await w.add(addCheckpointBody(old: 12, proof: log.proof(12, 20), try log.checkpoint(20)))
            #expect(next.status == 200)
        }
    }

    @Test func theWitnessRoutesAreMountedOnALogServerOnlyWhenConfigured() async throws {
        let f = try Fixture()
        defer { try? FileManager.default.removeItem(atPath: f.state) }
        let body = addCheckpointBody(old: 0, try f.log.checkpoint(3))
        let ledger = try largeLedger.get()
        try await withServer(try ledger.published()) { server in
            let r = try await server.add(body)
            #expect(r.status == 404)
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "test.server")
        logger.logLevel = .critical
        let log = try ledger.published()
        let witness = try f.endpoint()
        let task = Task {
            try await runServer(
                log: log, configuration: ServerConfiguration(host: "127.0.0.1", port: 0), logger: logger,
                handlingSignals: false, witness: witness
            ) { continuation.yield($0) }
        }
        var iterator = ports.makeAsyncIterator()
        let server = RunningServer(port: try #require(await iterator.next()), task: task)
        defer { task.cancel() }
        #expect(try await server.add(body).status == 200)
        #expect(try await server.get("/checkpoint").status == 200)
        await server.stop()
    }
}
