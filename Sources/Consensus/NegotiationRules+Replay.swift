import ControlCodes
import LedgerCore
import LedgerCrypto

// What makes replay fast, kept apart from the rules it must not change: charters and
// delegation records held in the form a position reads, the parts of an entry read ahead
// of the replay on every core, and positions read straight from their leaves.

extension NegotiationRules {
    /// What applying a position reads of a charter, in fields of their own (reading a whole
    /// charter out of a reference would copy it).
    final class CharterRef: Sendable {
        let id: String
        let parties: [String]
        let rule: DecisionRule
        /// ``ForumCharter/role(of:)`` of every party, candidate and observer.
        let roles: [String: ForumCharter.Participation]

        init(_ c: ForumCharter) {
            id = c.id
            parties = c.parties
            rule = c.rule
            var roles = [String: ForumCharter.Participation]()
            for name in c.parties + c.candidates + c.observers { roles[name] = c.role(of: name) }
            self.roles = roles
        }
    }

    struct Delegation: Sendable {
        let forum: String
        let party: String
        let registeredAt: UInt64
        var revokedAt = UInt64.max

        /// As ``Authority/KeyRecord/isActive(at:)``.
        func isActive(at index: UInt64) -> Bool { registeredAt < index && index < revokedAt }
    }

    /// The signer's delegation record when the signer is an active delegation key at entry
    /// `index`, so that the core's signer check would pass and need not run; nil otherwise.
    mutating func activeDelegation(_ signer: NoteVerifierKey, at index: UInt64) -> Delegation? {
        if core.authority.revocations != delegationRevocations { syncDelegationRevocations() }
        guard let d = delegationIndex[signer], d.isActive(at: index) else { return nil }
        return d
    }

    /// Copies revocations made through the core (`key.revoke`) or `delegation.revoke` into
    /// ``delegationIndex``.
    mutating func syncDelegationRevocations() {
        for (key, d) in delegationIndex where d.revokedAt == UInt64.max {
            if let at = authority.record(for: key)?.revokedAt { delegationIndex[key]?.revokedAt = at }
        }
        delegationRevocations = core.authority.revocations
    }

    /// What can be read from an entry before the state is known.
    public struct Prepared: Sendable {
        var position: Result<PositionBody, LedgerError>?
        public static let none = Prepared(position: nil)
    }

    /// Reads the parts of `entry` that do not depend on the state. Pure, so a replay runs it
    /// on every core and then applies the entries in order with ``apply(_:prepared:leafHash:)``.
    public static func prepare(_ entry: Entry) -> Prepared {
        guard entry.statement.kind == "position" else { return .none }
        let r = BodyReader(entry.statement.canonicalBody, kind: "position")
        return Prepared(position: Result { () throws(LedgerError) in try PositionBody(r) })
    }

    /// A position read straight from its leaf by ``LeafScanner``, with its body checked: what
    /// a replay needs to apply it, without building an ``Entry``.
    public struct PositionRecord: Sendable {
        let header: LeafScanner.Header
        let body: PositionBody
    }

    /// Reads a position leaf on the scanner's fast path; nil for any other leaf, and for a
    /// position whose body has a problem (`Entry(leaf:)` and ``apply(_:prepared:leafHash:)``
    /// then give the error).
    package static func readPosition(_ raw: UnsafeRawBufferPointer, scanner: inout LeafScanner) -> PositionRecord? {
        let r = scanner.read(raw, kind: "position") { header, reader in
            (try? PositionBody(reader)).map { PositionRecord(header: header, body: $0) }
        }
        return r ?? nil
    }

    /// Applies a position read by ``readPosition(_:scanner:)``, with the same result as
    /// applying its entry. `entry` gives that entry, for the rare case that needs it: a signer
    /// that is not an active delegation key, which the core checks.
    public mutating func apply(_ r: PositionRecord, entry: () throws(LedgerError) -> Entry) throws(LedgerError) {
        let d = trustsSigners ? nil : activeDelegation(r.header.signer, at: r.header.index)
        guard trustsSigners || d != nil else {
            // A position's leaf hash is not used.
            try apply(try entry(), prepared: Prepared(position: .success(r.body)), leafHash: .zero)
            return
        }
        try applyPosition(r.body, index: r.header.index, time: r.header.time, signer: r.header.signer, delegation: d)
        entryCount = r.header.index + 1
        lastTime = r.header.time
    }
}

extension NegotiationRules.PositionBody {
    /// Reads a well-formed body in one pass over its members in canonical key order
    /// (`party`, `proposal`, `reason`, `revision`, `revisionHash`, `stance`); nil whenever
    /// anything differs from that, and ``init(_:)`` reads the body the general way or gives
    /// the error. Whenever it gives a body, it is the one the general way gives.
    static func fast(_ r: BodyReader) -> Self? {
        let read = r.withMembers { m -> Self? in
            guard m.count == 5 || m.count == 6 else { return nil }
            guard m.key(0, is: "party"), let party = m.plainString(0), m.key(1, is: "proposal"),
                let proposal = m.plainString(1)
            else { return nil }
            var i = 2
            var reason: String?
            if m.count == 6 {
                guard m.key(2, is: "reason"), let text = m.plainString(2) else { return nil }
                reason = String(decoding: text, as: UTF8.self)
                i = 3
            }
            guard m.key(i, is: "revision"), let revision = m.integer(i), m.key(i + 1, is: "revisionHash"),
                let hashText = m.plainString(i + 1), let hash = Digest(base64UTF8: hashText),
                m.key(i + 2, is: "stance"), let stanceText = m.plainString(i + 2),
                let stance = Stance(utf8: stanceText)
            else { return nil }
            if stance.requiresReason && (reason ?? "").isEmpty { return nil }
            return Self(
                proposal: String(decoding: proposal, as: UTF8.self), party: String(decoding: party, as: UTF8.self),
                revision: revision, revisionHash: .digest(hash), stance: stance, reason: reason)
        }
        return read ?? nil
    }
}
