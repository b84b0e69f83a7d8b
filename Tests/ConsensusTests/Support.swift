import Consensus
import Foundation
import LedgerCore
import LedgerCrypto
import LedgerTestSupport
import Testing

/// A fresh temporary directory path (not created).
func tempPath(_ tag: String = "consensus") -> String { TestPaths.temporaryPath(tag) }

/// The shared test clock, visible to every file of this target.
typealias TestClock = LedgerTestSupport.TestClock

func ts(_ s: String) -> Timestamp { Timestamp(rfc3339: s)! }

/// A ledger under ``NegotiationRules`` with chartered forums, one secretariat per forum and
/// one delegation key per participant (parties, observers and candidates).
final class NegotiationFixture {
    let dir: String
    let clock: TestClock
    let op: NoteSignerKey
    let ledger: Ledger<NegotiationRules>
    var secretariat: [String: NoteSignerKey] = [:]
    /// Keys by "FORUM/PARTY".
    var delegation: [String: NoteSignerKey] = [:]

    init(forums: [ForumCharter] = [Forums.g7], start: String = "2026-11-02T09:00:00Z") throws {
        dir = tempPath()
        clock = TestClock(start)
        op = try NoteSignerKey.generate(name: "ledger.test/negotiations")
        ledger = try Ledger<NegotiationRules>.create(directory: dir, operatorKey: op, clock: clock.closure)
        var batch = [SignedStatement]()
        for f in forums {
            let sec = try NoteSignerKey.generate(name: "\(f.id)-secretariat")
            secretariat[f.id] = sec
            batch.append(try sign("forum.charter", f.json, op))
            batch.append(
                try sign(
                    "secretariat.register", ["forum": .string(f.id), "vkey": .string(sec.verifierKey.description)], op))
        }
        _ = try ledger.append(batch)
        batch = []
        for f in forums {
            for p in f.parties + f.observers + f.candidates {
                let k = try NoteSignerKey.generate(name: "\(f.id)-\(p)")
                delegation["\(f.id)/\(p)"] = k
                batch.append(
                    try sign(
                        "delegation.register",
                        ["forum": .string(f.id), "party": .string(p), "vkey": .string(k.verifierKey.description)],
                        secretariat[f.id]!))
            }
        }
        _ = try ledger.append(batch)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    func key(_ forum: String, _ party: String) -> NoteSignerKey { delegation["\(forum)/\(party)"]! }

    func sign(_ kind: String, _ body: JSONValue, _ key: NoteSignerKey) throws(LedgerError) -> SignedStatement {
        try Statement.make(kind: kind, body: body, key: key, time: clock.now)
    }

    @discardableResult
    func append(_ kind: String, _ body: JSONValue, by key: NoteSignerKey) throws(LedgerError)
        -> Ledger<NegotiationRules>.Appended
    {
        try ledger.append([try sign(kind, body, key)])[0]
    }

    var state: NegotiationRules { get throws { try ledger.currentState() } }

    func status(_ id: String, at t: Timestamp? = nil) throws -> ProposalStatus {
        try #require(try state.status(of: id, at: t))
    }

    /// A well-formed proposal body.
    static func proposalBody(
        id: String, forum: String = "G7", party: String = "JP", title: String = "Controls on EUV lithography equipment",
        extra: [String: JSONValue] = [:]
    ) -> JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(id), "forum": .string(forum), "party": .string(party), "title": .string(title),
            "measureType": "licence-requirement",
            "items": [["scheme": "wassenaar", "code": "3B001.f.1"], ["scheme": "us-eccn", "code": "3B993"]],
            "parameters": [["term": "exposure wavelength", "comparator": "<", "value": "193", "unit": "nm"]],
            "destinations": ["CN", "RU", "group:arms-embargoed"],
            "rationale": "Align controls on the most advanced lithography tools.",
            "effectiveDate": "2027-01-01",
            "references": ["Wassenaar Arrangement List of Dual-Use Goods, Cat. 3"],
        ]
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }

    /// Tables a proposal by `party`'s delegation and returns its entry.
    @discardableResult
    func propose(
        _ id: String, forum: String = "G7", party: String = "JP", extra: [String: JSONValue] = [:]
    ) throws(LedgerError) -> Ledger<NegotiationRules>.Appended {
        try append(
            "proposal", NegotiationFixture.proposalBody(id: id, forum: forum, party: party, extra: extra),
            by: key(forum, party))
    }

    /// The current revision of `id` as (entry index, leaf hash).
    func revision(_ id: String) throws -> (UInt64, Digest) {
        let p = try #require(try state.proposal(id))
        return (p.current.entryIndex, p.current.leafHash)
    }

    static func positionBody(
        _ id: String, revision: (UInt64, Digest), party: String, stance: String, reason: String? = nil
    ) -> JSONValue {
        var o: [String: JSONValue] = [
            "proposal": .string(id), "revision": .integer(Int64(revision.0)),
            "revisionHash": .string(revision.1.base64),
            "party": .string(party), "stance": .string(stance),
        ]
        if let reason { o["reason"] = .string(reason) }
        return .object(o)
    }

    /// Takes a position on the current revision of `id`.
    @discardableResult
    func position(
        _ id: String, forum: String = "G7", party: String, _ stance: String, reason: String? = nil,
        by signer: NoteSignerKey? = nil
    ) throws -> Ledger<NegotiationRules>.Appended {
        let rev = try revision(id)
        return try append(
            "position",
            NegotiationFixture.positionBody(id, revision: rev, party: party, stance: stance, reason: reason),
            by: signer ?? key(forum, party))
    }

    /// Every party of `forum` except `except` takes `stance`, in one batch.
    func everyone(_ id: String, forum: String = "G7", _ stance: String, except: Set<String> = []) throws {
        let rev = try revision(id)
        let c = try #require(try state.forum(forum))
        let batch = try c.parties.filter { !except.contains($0) }.map { p throws(LedgerError) in
            try sign(
                "position", NegotiationFixture.positionBody(id, revision: rev, party: p, stance: stance), key(forum, p))
        }
        _ = try ledger.append(batch)
    }

    @discardableResult
    func decide(_ id: String, _ outcome: String, forum: String = "G7") throws -> Ledger<NegotiationRules>.Appended {
        let rev = try revision(id)
        return try append(
            "decision",
            [
                "proposal": .string(id), "revision": .integer(Int64(rev.0)), "revisionHash": .string(rev.1.base64),
                "outcome": .string(outcome),
            ],
            by: secretariat[forum]!)
    }

    /// Runs `body`, expects it to throw a ``LedgerError`` with `code` whose message contains
    /// `fragment`, and checks that nothing was appended.
    func expectRefusal(
        _ code: LedgerError.Code, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> Void
    ) throws {
        let before = ledger.size
        do {
            try body()
            Issue.record("expected a refusal containing \"\(fragment)\"", sourceLocation: sourceLocation)
        } catch let e as LedgerError {
            #expect(e.code == code, "\(e.message)", sourceLocation: sourceLocation)
            #expect(e.message.contains(fragment), "\(e.message)", sourceLocation: sourceLocation)
            #expect(!e.message.contains("\n"), sourceLocation: sourceLocation)
        }
        try refreshStore()
        #expect(ledger.size == before, "something was appended", sourceLocation: sourceLocation)
    }

    func refreshStore() throws { try ledger.store.refresh() }
}
