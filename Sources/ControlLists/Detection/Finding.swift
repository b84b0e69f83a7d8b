import Consensus
import ControlCodes
import LedgerCore
import LedgerCrypto

/// One duplicate or conflict between two measures, with a stable id an analyst can mark
/// as reviewed in the ledger (`finding.review`).
public struct Finding: Sendable, Hashable {
    public enum Rule: String, Sendable, Hashable, CaseIterable {
        /// Same kind of measure, overlapping items and destinations.
        case duplicate
        /// A restriction and an exception or facilitation for the same items and destinations.
        case incompatibleMeasures = "incompatible-measures"
        /// The same parameter at different thresholds for overlapping items.
        case thresholdMismatch = "threshold-mismatch"
        /// A destination one measure exempts and the other restricts.
        case exemptionConflict = "exemption-conflict"
        /// A licence exception or trade facilitation for items a member's national list
        /// controls, for destinations that list does not exempt (``ConflictDetector/listFindings(in:lists:forums:)``).
        case decontrolOfControlledItem = "decontrol-of-controlled-item"
        /// A restriction whose threshold controls fewer items than a member's national list
        /// already controls (same term, dimension and direction).
        case thresholdLooserThanMember = "threshold-looser-than-member"

        /// Whether the rule compares a proposal with a member's national list rather than with
        /// another proposal.
        public var isAgainstList: Bool { self == .decontrolOfControlledItem || self == .thresholdLooserThanMember }

        public var isConflict: Bool { self != .duplicate }
    }

    public enum Severity: String, Sendable, Hashable, CaseIterable, Comparable {
        case low, medium, high
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
        var rank: Int { self == .low ? 0 : self == .medium ? 1 : 2 }
    }

    /// A proposal as a finding cites it, or, for the list rules' side `b`, a member's national
    /// list entry (``listEntry`` set; see ``Citation/init(listEntry:)`` for what the proposal
    /// fields then hold).
    public struct Citation: Sendable, Hashable {
        public var forum: String
        public var proposalID: String
        public var revision: Int
        public var ledgerIndex: Int64?
        public var kind: Measure.Kind
        public var title: String
        public var state: TabledMeasure.State
        /// The national list entry cited, for side `b` of a finding against a list.
        public var listEntry: ListEntryCitation? { listEntryBox?.value }
        /// ``listEntry`` by reference: a proposal's citation, the common case, grows by one
        /// pointer only.
        var listEntryBox: ListEntryBox? = nil

        init(_ m: TabledMeasure) {
            forum = m.forum
            proposalID = m.proposalID
            revision = m.revision
            ledgerIndex = m.ledgerIndex
            kind = m.kind
            title = m.title
            state = m.state
        }

        public var label: String {
            if let e = listEntry { return e.label }
            return "\(forum) \(proposalID) rev \(revision)" + (ledgerIndex.map { " (entry \($0))" } ?? "")
        }
    }

    /// A review recorded in the ledger.
    public struct Review: Sendable, Hashable {
        public enum Status: String, Sendable, Hashable, CaseIterable { case reviewed, accepted, dismissed }
        public var status: Status
        public var note: String?
        public var ledgerIndex: Int64?
        public init(status: Status, note: String? = nil, ledgerIndex: Int64? = nil) {
            self.status = status
            self.note = note
            self.ledgerIndex = ledgerIndex
        }
    }

    /// `f-` and 16 hex digits of SHA-256 over the rule and the two sorted measure keys.
    public var id: String
    public var rule: Rule
    public var severity: Severity
    public var a: Citation
    public var b: Citation
    /// The overlapping codes, `scheme:code ~ scheme:code (how)`.
    public var overlaps: [String]
    public var destinations: [String]
    public var reason: String
    public var review: Review?

    /// The stable id of a finding of `rule` between measures with keys `k1` and `k2`.
    public static func stableID(rule: Rule, _ k1: String, _ k2: String) -> String {
        let (x, y) = k1 < k2 ? (k1, k2) : (k2, k1)
        return "f-" + SHA256.hash("minilateral-finding/v1\n\(rule.rawValue)\n\(x)\n\(y)\n").hex.prefix(16)
    }

    public var json: JSONValue {
        func cite(_ c: Citation) -> JSONValue {
            if let e = c.listEntry { return e.json }
            var o: [String: JSONValue] = [
                "forum": .string(c.forum), "proposal": .string(c.proposalID), "revision": .integer(Int64(c.revision)),
                "measureType": .string(c.kind.rawValue), "title": .string(c.title), "state": .string(c.state.rawValue),
            ]
            if let i = c.ledgerIndex { o["ledgerIndex"] = .integer(i) }
            return .object(o)
        }
        var o: [String: JSONValue] = [
            "id": .string(id), "rule": .string(rule.rawValue), "severity": .string(severity.rawValue), "a": cite(a),
            "b": cite(b),
            "overlaps": .array(overlaps.map { .string($0) }), "destinations": .array(destinations.map { .string($0) }),
            "reason": .string(reason),
        ]
        if let r = review {
            var ro: [String: JSONValue] = ["status": .string(r.status.rawValue)]
            if let n = r.note { ro["note"] = .string(n) }
            if let i = r.ledgerIndex { ro["ledgerIndex"] = .integer(i) }
            o["review"] = .object(ro)
        }
        return .object(o)
    }

    /// One line for a terminal:
    /// `HIGH incompatible-measures f-… G7 p1 rev 1 (entry 5) × RCEP p2 rev 1 (entry 9): reason`.
    public var line: String {
        "\(severity.rawValue.uppercased()) \(rule.rawValue) \(id) \(a.label) × \(b.label): \(reason)"
            + (review.map { " [\($0.status.rawValue)]" } ?? "")
    }
}
