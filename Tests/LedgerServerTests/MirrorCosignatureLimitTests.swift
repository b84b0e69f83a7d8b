import Foundation
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Testing

/// A mirror holds at most ``CosignaturePolicy/maxCosignatures`` cosignatures of a checkpoint:
/// `sync` keeps only what still fits beside the ones it holds, so a server serving more
/// witnesses' lines cannot make every later sync fail.
@Suite struct MirrorCosignatureLimitTests {
    @Test func syncKeepsWhatFitsBesideTheCosignaturesTheMirrorHolds() async throws {
        let copy = try SampleCopy(tag: "many-witnesses")
        defer { copy.remove() }
        let limit = CosignaturePolicy.maxCosignatures
        let witnesses = try (0..<(limit + 2)).map { try NoteSignerKey.generate(name: "w\($0).example/witness") }
        let logKey = copy.operatorKey.verifierKey
        let original = try #require(try copy.ledger.store.checkpointText(size: 100))
        let logLine = try #require(try SignedNote(parsing: original).signatures.first { $0.name == logKey.name })
        let now = UInt64(Date().timeIntervalSince1970)
        let lines = try witnesses.map { w in
            try #require(
                try Witness(key: w, stateDirectory: nil).cosign(original, logKey: logKey, proof: nil, time: now - 60)
                    .signatures.last)
        }
        let text = try SignedNote(parsing: original).text
        // The server holds the first 20 witnesses' cosignatures (and the sample's two, which the
        // mirror does not know and drops).
        let held = 20
        _ = try copy.ledger.attach(
            try SignedNote(text: text, signatures: [logLine] + Array(lines[..<held])).serialized,
            witnesses: witnesses[..<held].map(\.verifierKey))
        let mirror = tempPath("many-witnesses-mirror")
        defer { try? FileManager.default.removeItem(atPath: mirror) }
        let all = witnesses.flatMap { ["--witness", $0.verifierKey.description] }
        try await withServer(try copy.published()) { server in
            let first = try await runLedger(["sync", "http://127.0.0.1:\(server.port)", mirror, "--json"] + all)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(try JSONParser.parse(Array(first.stdout.utf8))["cosignaturesAdded"] == .integer(Int64(held)))
            // The same checkpoint served with the other witnesses' lines instead: more than fit.
            let others = try SignedNote(text: text, signatures: [logLine] + Array(lines[held...])).serialized
            try await withProxy(upstream: server.port, tamper: .checkpoint(others)) { proxy in
                let r = try await runLedger(["sync", "http://127.0.0.1:\(proxy.port)", mirror, "--json"] + all)
                #expect(r.status == 0, "\(r.stderr)")
                let o = try JSONParser.parse(Array(r.stdout.utf8))
                let room = limit - held
                #expect(o["cosignaturesAdded"] == .integer(Int64(room)), "\(o)")
                #expect(o["cosignaturesDropped"] == .integer(Int64(lines.count - held - room)), "\(o)")
            }
            let stored = try #require(try FileStore(directory: mirror).checkpointText(size: 100))
            #expect(try SignedNote(parsing: stored).signatures.count == 1 + limit)
            let verified = try await runLedger(["verify", mirror, "--min-cosignatures", String(limit)] + all)
            #expect(verified.status == 0, "\(verified.stderr)")
        }
    }
}
