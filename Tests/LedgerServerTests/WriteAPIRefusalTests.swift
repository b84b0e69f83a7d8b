import Consensus
import Dispatch
import Foundation
import LedgerCore
import LedgerCrypto
import LedgerServer
import Testing

/// What the write API refuses before the queue (statements by keys the ledger does not let
/// sign), how a duplicate names its entry, and the rule a refusal names.
extension WriteAPITests {
    /// Fresh keys are free to make, so statements signed by keys the ledger does not register
    /// are refused before they get a rate bucket or a place in the queue: a burst of them,
    /// while the writer is held up, leaves the queue empty and a registered signer unharmed.
    @Test func aBurstFromUnregisteredKeysNeverReachesTheQueueNorCauses503ForARegisteredSigner() async throws {
        let fx = try WritableLedger(tag: "write-strangers")
        defer { fx.remove() }
        let writer = try fx.writer(
            WriteConfiguration(operatorKey: fx.op, checkpointInterval: .seconds(1), rateLimit: 1000, maxPending: 2),
            signerRefreshInterval: .seconds(3600))
        let strangers = try (0..<24).map { k in
            let key = try NoteSignerKey.generate(name: "stranger-\(k).example")
            return try Statement.make(kind: "note", body: ["text": .string("spam \(k)")], key: key, time: .now())
        }
        let held = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        try await withWriteServer(writer) { server in
            try holdLock(fx.directory, held: held, release: release)
            let first = Task { try await server.submit(try fx.note("in the commit").body) }
            var burst = [HTTPResult]()
            var queued = [Task<HTTPResult, any Error>]()
            do {
                try await eventually("the writer took the first") { writer.committer.inCommit == 1 }
                burst = try await withThrowingTaskGroup(of: HTTPResult.self) { group in
                    for s in strangers { group.addTask { try await server.submit(s.body) } }
                    return try await group.reduce(into: [HTTPResult]()) { $0.append($1) }
                }
                #expect(writer.committer.pending == 0, "no stranger was queued")
                #expect(writer.limiter.trackedKeys == 1, "no stranger got a rate bucket")
                queued = [
                    Task { try await server.submit(try fx.note("queued 1", by: 1).body) },
                    Task { try await server.submit(try fx.note("queued 2", by: 1).body) },
                ]
                try await eventually("the registered signer's two queued") { writer.committer.pending == 2 }
            } catch {
                release.signal()
                throw error
            }
            release.signal()
            #expect(burst.count == strangers.count)
            for r in burst {
                #expect(r.status == 422, "\(r.text)")
                let o = try jsonObject(r)
                #expect(o["rule"]?.stringValue == "unauthorized" && o["code"]?.stringValue == "unauthorized")
                #expect(o["detail"]?.stringValue?.hasSuffix("is not registered") == true, "\(r.text)")
            }
            #expect(try await first.value.status == 202)
            for q in queued { #expect(try await q.value.status == 202) }
        }
        #expect(try FileStore(directory: fx.directory).size == fx.ledger.store.size)
    }

    /// The kind is the sender's to choose: a kind spelled like the first word of a core check's
    /// message ("signer … is not registered") does not make that check look like a rule.
    @Test func aKindNamedLikeACoreCheckDoesNotRenameIt() async throws {
        let fx = try WritableLedger(tag: "write-kind-signer")
        defer { fx.remove() }
        let writer = try fx.writer(WriteConfiguration(operatorKey: fx.op, checkpointInterval: .seconds(1)))
        let stranger = try NoteSignerKey.generate(name: "stranger.example")
        try await withWriteServer(writer) { server in
            for kind in ["signer", "signer.x"] {
                let r = try await server.submit(
                    try Statement.make(kind: kind, body: ["text": "x"], key: stranger, time: .now()).body)
                #expect(r.status == 422, "\(r.text)")
                let o = try jsonObject(r)
                #expect(o["rule"]?.stringValue == "unauthorized" && o["code"]?.stringValue == "unauthorized", "\(kind)")
            }
        }
    }

    /// The early refusal is the ledger's own: a revoked key is refused as on append, and a key
    /// that another process registered is accepted once the server's signer set is refreshed.
    @Test func theEarlyRefusalFollowsTheLedgersSignerSet() async throws {
        let fx = try WritableLedger(tag: "write-signer-set", authors: 3)
        defer { fx.remove() }
        let newcomer = try NoteSignerKey.generate(name: "newcomer.example")
        let writer = try fx.writer(signerRefreshInterval: .zero)
        try await withWriteServer(writer) { server in
            let before = try await server.submit(
                try Statement.make(kind: "note", body: ["text": "too early"], key: newcomer, time: .now()).body)
            #expect(before.status == 422, "\(before.text)")
            // Registered, and the last author revoked, by another open of the ledger (as
            // `ledger append` would, from another process).
            let other = try Ledger<NegotiationRules>(directory: fx.directory)
            _ = try other.append([
                try Statement.make(
                    kind: "key.register", body: ["vkey": .string(newcomer.verifierKey.description)], key: fx.op,
                    time: .now()),
                try Statement.make(
                    kind: "key.revoke", body: ["vkey": .string(fx.authors[2].verifierKey.description)], key: fx.op,
                    time: .now()),
            ])
            let after = try await server.submit(
                try Statement.make(kind: "note", body: ["text": "now"], key: newcomer, time: .now()).body)
            #expect(after.status == 202, "\(after.text)")
            let revoked = try await server.submit(try fx.note("revoked", by: 2).body)
            #expect(revoked.status == 422, "\(revoked.text)")
            let detail = try jsonObject(revoked)["detail"]?.stringValue ?? ""
            #expect(detail.contains("was revoked at entry"), "\(detail)")
        }
    }

    /// `X-Log-Index` names the entry that holds the statement, however early, and also one
    /// that another process appended; found without reading the ledger.
    @Test func aDuplicateOfAnEarlyEntryIs409NamingIt() async throws {
        let fx = try WritableLedger(tag: "write-409-early")
        defer { fx.remove() }
        let early = try fx.note("early")
        _ = try fx.ledger.append([early])
        let earlyIndex = fx.ledger.size - 1
        _ = try fx.ledger.append(try (0..<30).map { try fx.note("filler \($0)", by: $0 % 2) })
        let genesis = try fx.ledger.entry(0).signed
        let registration = try fx.ledger.entry(1).signed
        let writer = try fx.writer()
        try await withWriteServer(writer) { server in
            let elsewhere = try fx.note("appended elsewhere", by: 1)
            let other = try Ledger<NegotiationRules>(directory: fx.directory)
            _ = try other.append([elsewhere])
            let cases: [(SignedStatement, Int64)] = [
                (genesis, 0), (registration, 1), (early, earlyIndex), (elsewhere, other.size - 1),
            ]
            for (statement, index) in cases {
                let r = try await server.submit(statement.body)
                #expect(r.status == 409, "\(r.text)")
                #expect(r.headers["x-log-index"] == String(index), "\(statement.statement.kind)")
                let o = try jsonObject(r)
                #expect(o["rule"]?.stringValue == "replay" && o["code"]?.stringValue == "replay")
            }
        }
    }
}
