import Consensus
import LedgerCore
import LedgerCrypto

/// Small signed ledgers with their expected consensus states (`specs/vectors/ledgers/`),
/// generated deterministically: fixed TEST keys, nonces and times. Each ledger is given as
/// its `entries.jsonl` text; `<name>.expected.json` gives the statuses (`ledger status --json`)
/// at a few instants and, for a ledger that ends in a refused entry, that entry's error.
package enum ConsensusVectors {
    /// A TEST key from a fixed seed byte. Never use it for anything real.
    package static func key(_ name: String, seed: UInt8) -> NoteSignerKey {
        try! NoteSignerKey(name: name, signingKey: SigningKey(seed: [UInt8](repeating: seed, count: 32))!)
    }

    package static let secretariat = key("tri-secretariat.example", seed: 0x55)
    package static let delegations: [String: NoteSignerKey] = [
        "JP": key("tri-jp.example", seed: 0x61), "NL": key("tri-nl.example", seed: 0x62),
        "US": key("tri-us.example", seed: 0x63), "KR": key("tri-kr.example", seed: 0x64),
    ]
    static let start = Timestamp(rfc3339: "2026-11-20T09:00:00Z")!

    /// The result of replaying a ledger text: the state after each applied entry, and the
    /// error of the first refused entry (which ends the replay).
    package struct Replay: Sendable {
        package var states: [NegotiationRules] = []
        package var entries: [Entry] = []
        package var refused: (index: Int, error: LedgerError)?
    }

    /// Replays `entries.jsonl` text as a verifier does, entry by entry: canonical leaf, index,
    /// `prev`, non-decreasing time, the claimed-time tolerance, no replayed statement, the
    /// signature, then the core and consensus rules. Stops at the first refused entry.
    package static func replay(_ jsonl: String) -> Replay {
        var out = Replay()
        var rules = NegotiationRules()
        var prev = Digest.zero
        var last: Timestamp?
        var seen = Set<Digest>()
        let lines = jsonl.utf8.split(separator: 0x0a, omittingEmptySubsequences: false).dropLast()
        for (i, line) in lines.enumerated() {
            do throws(LedgerError) {
                let bytes = Array(line)
                let e = try bytes.withUnsafeBytes { raw in Result { () throws(LedgerError) in try Entry(leaf: raw) } }
                    .get()
                guard e.index == UInt64(i) else {
                    throw LedgerError.chainBroken("index field is \(e.index), expected \(i)")
                }
                guard e.prev == prev else {
                    throw LedgerError.chainBroken("prev is not the leaf hash of the previous entry")
                }
                if let last, e.time < last { throw LedgerError.chainBroken("integration time goes backwards") }
                try TimeRule.check(claimed: e.statement.time, entryTime: e.time, previous: last)
                guard seen.insert(e.statement.hash).inserted else { throw LedgerError.replay("statement is a replay") }
                guard e.signed.hasValidSignature else { throw LedgerError.badSignature("signature does not verify") }
                let lh = MerkleHash.leaf(bytes)
                try rules.apply(e, leafHash: lh)
                out.states.append(rules)
                out.entries.append(e)
                prev = lh
                last = e.time
            } catch {
                out.refused = (i, error)
                return out
            }
        }
        return out
    }

    /// Builds a ledger: signs each statement at its time, appends it, and checks that exactly
    /// the entries marked `refused` are refused (only the last may be).
    struct Builder {
        var rules = NegotiationRules()
        var prev = Digest.zero
        var lines: [String] = []
        var entries: [Entry] = []
        var states: [NegotiationRules] = []
        var refused: (Int, LedgerError)?
        let tag: UInt8

        init(tag: UInt8) { self.tag = tag }

        var nextIndex: UInt64 { UInt64(lines.count) }

        @discardableResult
        mutating func add(
            _ kind: String, _ body: JSONValue, by key: NoteSignerKey, at t: Timestamp, refusedOK: Bool = false
        ) -> Entry {
            let n = UInt8(truncatingIfNeeded: lines.count)
            let st = try! Statement(
                kind: kind, body: body, signer: key.verifierKey, time: t,
                nonce: [UInt8](repeating: tag, count: 8) + [UInt8](repeating: n, count: 8)
            )
            .signed(by: key)
            let e = Entry(index: nextIndex, prev: prev, time: t, signed: st)
            let lh = e.leafHash
            do throws(LedgerError) {
                try rules.apply(e, leafHash: lh)
                precondition(!refusedOK, "entry \(e.index) (\(kind)) should have been refused")
                states.append(rules)
            } catch {
                precondition(refusedOK, "entry \(e.index) (\(kind)) refused: \(error)")
                refused = (Int(e.index), error)
            }
            lines.append(String(decoding: e.canonicalBytes, as: UTF8.self))
            entries.append(e)
            prev = lh
            return e
        }

        /// Genesis, the TRI charter with `rule`, its secretariat and the four delegations.
        mutating func prefix(rule: JSONValue) {
            let op = logKey
            var t = start
            add(
                "genesis", ["origin": .string(op.name), "operator": .string(op.verifierKey.description)], by: op, at: t)
            t = t.adding(seconds: 60)
            add(
                "forum.charter",
                [
                    "id": "TRI", "name": "Trilateral vector forum", "parties": ["JP", "NL", "US"], "observers": ["KR"],
                    "rule": rule, "defaultDeadlineDays": 30, "sources": ["specs/vectors/ledgers (test data)"],
                ], by: op, at: t)
            add(
                "secretariat.register", ["forum": "TRI", "vkey": .string(secretariat.verifierKey.description)], by: op,
                at: t)
            t = t.adding(seconds: 60)
            for p in ["JP", "NL", "US", "KR"] {
                add(
                    "delegation.register",
                    ["forum": "TRI", "party": .string(p), "vkey": .string(delegations[p]!.verifierKey.description)],
                    by: secretariat, at: t)
            }
        }

        static func measure(_ title: String) -> [String: JSONValue] {
            [
                "title": .string(title), "measureType": "licence-requirement",
                "items": [["scheme": "wassenaar", "code": "3B001.f.1"], ["scheme": "jp", "code": "7(17)"]],
                "parameters": [
                    ["term": "exposure light source wavelength", "comparator": "<", "value": "193", "unit": "nm"]
                ],
                "destinations": ["CN", "group:arms-embargoed"], "rationale": "Align controls on advanced lithography.",
                "effectiveDate": "2027-01-01",
            ]
        }

        mutating func propose(_ id: String, by party: String, at t: Timestamp, extra: [String: JSONValue] = [:])
            -> Entry
        {
            var body = Builder.measure("Controls on EUV lithography (\(id))")
            body["id"] = .string(id)
            body["forum"] = "TRI"
            body["party"] = .string(party)
            for (k, v) in extra { body[k] = v }
            return add("proposal", .object(body), by: delegations[party]!, at: t)
        }

        mutating func position(
            _ rev: Entry, _ id: String, _ party: String, _ stance: String, reason: String? = nil, at t: Timestamp,
            refusedOK: Bool = false
        ) {
            var body: [String: JSONValue] = [
                "proposal": .string(id), "revision": .integer(Int64(rev.index)),
                "revisionHash": .string(rev.leafHash.base64),
                "party": .string(party), "stance": .string(stance),
            ]
            if let reason { body["reason"] = .string(reason) }
            add("position", .object(body), by: delegations[party]!, at: t, refusedOK: refusedOK)
        }

        /// The expected file: statuses after entry `i` at `t` (entry i's time when nil).
        func expected(queries: [(Int, Timestamp?)]) -> String {
            var qs = [JSONValue]()
            for (i, t) in queries {
                let at = t ?? entries[i].time
                qs.append([
                    "afterEntry": .integer(Int64(i)), "asOf": .string(at.rfc3339),
                    "statuses": .array(states[i].statuses(at: at).map(\.json)),
                ])
            }
            var o: [String: JSONValue] = ["entries": .integer(Int64(lines.count)), "queries": .array(qs)]
            if let (i, e) = refused {
                o["refused"] = [
                    "index": .integer(Int64(i)), "code": .string(e.code.description), "error": .string(e.message),
                ]
            }
            return "{\n"
                + o.keys.sorted().map { "\(JSONValue.string($0).canonicalString):\(o[$0]!.canonicalString)" }.joined(
                    separator: ",\n")
                + "\n}\n"
        }

        var jsonl: String { lines.map { $0 + "\n" }.joined() }
    }

    /// The log (operator) key: the log key of the core vectors.
    static var logKey: NoteSignerKey { TestVectors.logKey() }

    static func minutes(_ m: Int64) -> Timestamp { start.adding(seconds: 60 * m) }

    /// An objection blocks, its lifting reopens, the last support adopts, the secretariat records it.
    static func consensusAdopted() -> (String, String) {
        var b = Builder(tag: 0xa1)
        b.prefix(rule: "consensus")
        let p = b.propose("TRI-1", by: "JP", at: minutes(10))
        b.position(p, "TRI-1", "US", "support", at: minutes(20))
        b.position(p, "TRI-1", "NL", "object", reason: "The scope covers DUV tools.", at: minutes(30))
        b.position(p, "TRI-1", "NL", "no-objection", reason: "", at: minutes(40))
        b.position(p, "TRI-1", "JP", "support", at: minutes(50))
        b.add(
            "decision",
            [
                "proposal": "TRI-1", "revision": .integer(Int64(p.index)), "revisionHash": .string(p.leafHash.base64),
                "outcome": "adopted",
                "note": "",
            ], by: secretariat, at: minutes(60))
        return (b.jsonl, b.expected(queries: [(9, nil), (10, nil), (11, nil), (12, nil)]))
    }

    /// A silence procedure with a reserve, an amendment that clears positions, a supersession
    /// and a withdrawal; the silence proposal is asked about one second before and at its deadline.
    static func amendSupersedeSilence() -> (String, String) {
        var b = Builder(tag: 0xa2)
        b.prefix(rule: "consensus")
        let deadline = minutes(10).adding(seconds: 10 * 86_400)
        let p = b.propose(
            "TRI-2", by: "NL", at: minutes(10), extra: ["procedure": "silence", "deadline": .string(deadline.rfc3339)])
        b.position(p, "TRI-2", "US", "reserve", reason: "Scrutiny reserve.", at: minutes(20))
        var amend = Builder.measure("Controls on EUV lithography and its software (TRI-2)")
        amend["proposal"] = "TRI-2"
        let amended = b.add("proposal.amend", .object(amend), by: delegations["NL"]!, at: minutes(30))
        b.position(amended, "TRI-2", "JP", "abstain", at: minutes(40))
        _ = b.propose("TRI-3", by: "JP", at: minutes(50))
        _ = b.propose("TRI-4", by: "JP", at: minutes(60), extra: ["supersedes": "TRI-3"])
        b.add("proposal.withdraw", ["proposal": "TRI-4", "reason": ""], by: delegations["JP"]!, at: minutes(70))
        // The amendment restarted TRI-2's deadline: default 30 days from the amendment.
        let newDeadline = minutes(30).adding(seconds: 30 * 86_400)
        let last = b.lines.count - 1
        return (
            b.jsonl,
            b.expected(queries: [(8, nil), (last, nil), (last, newDeadline.adding(seconds: -1)), (last, newDeadline)])
        )
    }

    /// A 2-of-3 threshold rule: one support is pending, the deadline passes and the proposal
    /// lapses, so a position logged at the deadline is refused.
    static func thresholdLapse() -> (String, String) {
        var b = Builder(tag: 0xa3)
        b.prefix(rule: ["threshold": ["k": 2]])
        let deadline = minutes(10).adding(seconds: 86_400)
        let p = b.propose("TRI-5", by: "US", at: minutes(10), extra: ["deadline": .string(deadline.rfc3339)])
        b.position(p, "TRI-5", "JP", "support", at: minutes(20))
        b.position(p, "TRI-5", "NL", "recuse", at: deadline.adding(seconds: -1))
        b.position(p, "TRI-5", "NL", "support", at: deadline, refusedOK: true)
        return (b.jsonl, b.expected(queries: [(8, nil), (9, nil), (9, deadline)]))
    }

    /// An observer's delegation cannot take a position.
    static func observerRefused() -> (String, String) {
        var b = Builder(tag: 0xa4)
        b.prefix(rule: "unanimity")
        let p = b.propose("TRI-6", by: "JP", at: minutes(10))
        b.position(p, "TRI-6", "KR", "support", at: minutes(20), refusedOK: true)
        return (b.jsonl, b.expected(queries: [(7, nil)]))
    }

    /// The ledgers: name → (entries.jsonl, expected JSON).
    package static func ledgers() -> [(String, String, String)] {
        [
            ("consensus-adopted", consensusAdopted()), ("amend-supersede-silence", amendSupersedeSilence()),
            ("threshold-lapse", thresholdLapse()), ("observer-refused", observerRefused()),
        ].map { ($0.0, $0.1.0, $0.1.1) }
    }

    /// The keys of the ledgers, for `ledgers/keys.json`.
    static func keys() -> String {
        var o: [String: JSONValue] = [
            "warning": "TEST KEYS: published on purpose for test vectors; never use them for anything real",
            "operator": [
                "privateKey": .string(logKey.privateKeyText), "vkey": .string(logKey.verifierKey.description),
            ],
            "secretariat": [
                "privateKey": .string(secretariat.privateKeyText), "vkey": .string(secretariat.verifierKey.description),
            ],
        ]
        var d: [String: JSONValue] = [:]
        for (p, k) in delegations {
            d[p] = ["privateKey": .string(k.privateKeyText), "vkey": .string(k.verifierKey.description)]
        }
        o["delegations"] = .object(d)
        return JSONValue.object(o).canonicalString + "\n"
    }

    /// Every file under `specs/vectors/`, as path → content.
    package static func files() -> [(String, String)] {
        var out = [("ledgers/keys.json", keys())]
        for (name, jsonl, expected) in ledgers() {
            out.append(("ledgers/\(name).jsonl", jsonl))
            out.append(("ledgers/\(name).expected.json", expected))
        }
        return out
    }
}
