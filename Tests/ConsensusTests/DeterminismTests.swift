import Consensus
import Foundation
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Testing

@Suite struct DeterminismTests {
    /// Builds a small negotiation with every life-cycle state.
    static func scenario() throws -> NegotiationFixture {
        let f = try NegotiationFixture(forums: Forums.all)
        try f.propose("ADOPT")
        try f.everyone("ADOPT", "support")
        try f.propose("BLOCK", party: "US")
        try f.position("BLOCK", party: "DE", "object", reason: "Needs a carve-out")
        try f.propose(
            "SILENT", forum: "Quad", party: "AU", extra: ["procedure": "silence", "deadline": "2027-06-30T00:00:00Z"])
        try f.position("SILENT", forum: "Quad", party: "IN", "reserve", reason: "Study reserve")
        try f.propose("GONE", forum: "RCEP", party: "SG")
        try f.append("proposal.withdraw", ["proposal": "GONE"], by: f.key("RCEP", "SG"))
        f.clock.advance(86_400)
        return f
    }

    @Test func replayGivesTheSameState() throws {
        let f = try DeterminismTests.scenario()
        let live = try f.state.statuses().map(\.json.canonicalString)
        // A fresh open of the same directory, a prefix replay of every entry, and a second fresh open.
        let reopened = try Ledger<NegotiationRules>(directory: f.dir).currentState().statuses().map(
            \.json.canonicalString)
        let prefix = try f.ledger.state(upTo: f.ledger.size).statuses().map(\.json.canonicalString)
        let again = try Ledger<NegotiationRules>(directory: f.dir).currentState().statuses().map(\.json.canonicalString)
        let parallel = try f.ledger.parallelState().statuses().map(\.json.canonicalString)
        #expect(live == parallel)
        #expect(try f.ledger.parallelState(upTo: 5).entryCount == 5)
        #expect(live == reopened)
        #expect(live == prefix)
        #expect(live == again)
        #expect(try f.state.statuses().map(\.state) == [.adopted, .blocked, .open, .withdrawn])
    }

    @Test func auditorReplaysTheRules() throws {
        let f = try DeterminismTests.scenario()
        let report = Auditor<NegotiationRules>(store: f.ledger.store, options: .init()).run()
        #expect(report.isValid, "\(report.failure?.message ?? "")")
        #expect(report.entries == f.ledger.size)
    }

    @Test func everyPrefixReplaysWithoutError() throws {
        let f = try DeterminismTests.scenario()
        for n in 1...f.ledger.size {
            let s = try f.ledger.state(upTo: n)
            #expect(s.entryCount == UInt64(n))
        }
    }

    /// A proposal's status from its own entries (via the index) equals the full replay's.
    @Test func statusFromTheIndexMatchesTheFullReplay() throws {
        let f = try DeterminismTests.scenario()
        try f.propose("OLDER", forum: "RCEP", party: "CN")
        try f.propose("NEWEST", forum: "RCEP", party: "CN", extra: ["supersedes": "OLDER"])
        let full = try f.state
        let index = ProposalIndex(full)
        let t = full.lastTime.adding(seconds: 10)
        for p in full.proposals {
            let fromIndex = try f.ledger.proposalStatus(p.id, index: index, at: t)
            #expect(fromIndex.json.canonicalString == full.status(of: p.id, at: t)!.json.canonicalString, "\(p.id)")
        }
        #expect(index.entries["ADOPT"]?.count == 9)
    }
}

/// Rules that accept everything: to write a ledger that breaks the negotiation rules.
struct LaxRules: LedgerRules {
    var authority = Authority()
    mutating func apply(_ entry: Entry, leafHash: Digest) throws(LedgerError) {}
}

@Suite struct AuditTests {
    /// A ledger written under ``LaxRules`` (no rules at all): the G7 charter, its secretariat
    /// and JP's delegation key (entries 1–3). Returns the ledger, the operator key, JP's key
    /// and the fixed log time.
    static func laxG7Ledger() throws -> (Ledger<LaxRules>, NoteSignerKey, NoteSignerKey, Timestamp) {
        let op = try NoteSignerKey.generate(name: "lax.example/log")
        let sec = try NoteSignerKey.generate(name: "G7-sec")
        let jp = try NoteSignerKey.generate(name: "G7-JP")
        let t = ts("2026-11-02T09:00:00Z")
        let lax = try Ledger<LaxRules>.create(directory: tempPath(), operatorKey: op, clock: { t })
        _ = try lax.append([
            try Statement.make(kind: "forum.charter", body: Forums.g7.json, key: op, time: t),
            try Statement.make(
                kind: "secretariat.register", body: ["forum": "G7", "vkey": .string(sec.verifierKey.description)],
                key: op, time: t),
        ])
        _ = try lax.append([
            try Statement.make(
                kind: "delegation.register",
                body: ["forum": "G7", "party": "JP", "vkey": .string(jp.verifierKey.description)], key: sec, time: t)
        ])
        return (lax, op, jp, t)
    }
    /// ``laxG7Ledger()`` with JP's proposal G7-1 (entry 4) appended; also returns that entry
    /// and the directory (removed by the caller).
    static func laxG7LedgerWithProposal() throws -> (
        Ledger<LaxRules>, NoteSignerKey, NoteSignerKey, Timestamp, Ledger<LaxRules>.Appended, String
    ) {
        let (lax, op, jp, t) = try AuditTests.laxG7Ledger()
        let proposal = try lax.append([
            try Statement.make(kind: "proposal", body: NegotiationFixture.proposalBody(id: "G7-1"), key: jp, time: t)
        ])[0]
        return (lax, op, jp, t, proposal, lax.store.directory)
    }

    /// `verify` (the auditor) replays the consensus rules and names the first entry that
    /// breaks one, even when the files were written without them.
    @Test func auditorFailsOnAnEntryThatBreaksARule() throws {
        let (lax, _, jp, t) = try AuditTests.laxG7Ledger()
        let dir = lax.store.directory
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = Auditor<NegotiationRules>(store: lax.store, options: .init()).run()
        #expect(good.isValid, "\(good.failure?.message ?? "")")
        // A position on a proposal that does not exist, accepted by the lax rules.
        _ = try lax.append([
            try Statement.make(
                kind: "position",
                body: NegotiationFixture.positionBody("G7-404", revision: (1, .zero), party: "JP", stance: "support"),
                key: jp, time: t)
        ])
        let report = Auditor<NegotiationRules>(store: lax.store, options: .init()).run()
        #expect(!report.isValid)
        #expect(report.failedEntry == 4)
        #expect(
            report.failure?.message.contains("unknown proposal \"G7-404\"") == true, "\(report.failure?.message ?? "")")
    }

    /// A position signed with a delegation key that the operator revoked through the core's
    /// `key.revoke` fails the audit and the replay, even though the lax writer accepted it.
    @Test func auditorFailsOnAPositionByAKeyTheOperatorRevoked() throws {
        let (lax, op, jp, t, proposal, dir) = try AuditTests.laxG7LedgerWithProposal()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let position = { () throws -> SignedStatement in
            try Statement.make(
                kind: "position",
                body: NegotiationFixture.positionBody(
                    "G7-1", revision: (proposal.index, proposal.leafHash), party: "JP", stance: "support"),
                key: jp, time: t)
        }
        _ = try lax.append([try position()])
        _ = try lax.append([
            try Statement.make(
                kind: "key.revoke", body: ["vkey": .string(jp.verifierKey.description)], key: op, time: t)
        ])
        let good = Auditor<NegotiationRules>(store: lax.store, options: .init()).run()
        #expect(good.isValid, "\(good.failure?.message ?? "")")
        _ = try lax.append([try position()])
        let report = Auditor<NegotiationRules>(store: lax.store, options: .init()).run()
        #expect(report.failedEntry == 7)
        #expect(report.failure?.message.contains("was revoked at entry 6") == true, "\(report.failure?.message ?? "")")
        let ledger = try Ledger<NegotiationRules>(directory: dir)
        #expect(errorText { _ = try ledger.parallelState() }?.contains("entry 7: signer G7-JP") == true)
        #expect(errorText { _ = try ledger.state(upTo: ledger.size) }?.contains("entry 7: signer G7-JP") == true)
    }
}

extension AuditTests {
    /// Bad positions that the parallel replay reads on its fast path (a `PositionRecord`), on
    /// the fallback to the full entry (a signer that is not an active delegation key), or not
    /// at all (a body with a problem): each fails both replays with the same message.
    @Test(arguments: ["secretariat signs", "wrong party", "bad stance", "stale hash", "unknown signer"])
    func parallelAndSequentialReplaysFailTheSameWay(_ bad: String) throws {
        let (lax, op, jp, t, proposal, dir) = try AuditTests.laxG7LedgerWithProposal()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var key = jp
        var party = "JP"
        var stance = "support"
        var hash = proposal.leafHash
        switch bad {
        case "secretariat signs":
            // The operator's key is registered and active, but is no delegation.
            key = op
        case "wrong party": party = "FR"
        case "bad stance": stance = "maybe"
        case "stale hash": hash = .zero
        default: key = try NoteSignerKey.generate(name: "G7-JP")
        }
        _ = try lax.append([
            try Statement.make(
                kind: "position",
                body: NegotiationFixture.positionBody(
                    "G7-1", revision: (proposal.index, hash), party: party, stance: stance),
                key: key, time: t)
        ])
        let ledger = try Ledger<NegotiationRules>(directory: dir)
        let sequential = errorText { _ = try ledger.state(upTo: ledger.size) }
        let parallel = errorText { _ = try ledger.parallelState() }
        #expect(sequential?.hasPrefix("entry 5: ") == true, "\(sequential ?? "no error")")
        #expect(parallel == sequential)
    }
}

/// The message of the `LedgerError` that `body` throws, or nil when it throws none.
func errorText(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return (error as? LedgerError)?.message ?? "not a LedgerError: \(error)"
    }
}
