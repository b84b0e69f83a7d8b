import ControlCodes

/// A control measure as the detector sees it: the ``Measure`` of one revision of a proposal
/// (or of an adopted measure) in one forum, with the revision that carries it and where it
/// stands in its life cycle.
///
/// The adapter in `TabledMeasure+Negotiation.swift` builds it from the negotiation state.
public struct TabledMeasure: Sendable, Hashable {
    /// What a measure does.
    public typealias Kind = Measure.Kind

    /// Where a measure is in its life cycle. Withdrawn and rejected measures are not checked.
    public enum State: String, Sendable, Hashable, CaseIterable {
        case proposed, adopted, rejected, withdrawn, expired

        public var isLive: Bool { self == .proposed || self == .adopted }
    }

    public var forum: String
    public var proposalID: String
    public var revision: Int
    /// The ledger entry that carries this revision, when it came from a ledger.
    public var ledgerIndex: Int64?
    /// What the revision states.
    public var measure: Measure
    /// Destinations the measure explicitly exempts.
    public var exemptedDestinations: Set<String>
    public var state: State

    public init(
        forum: String, proposalID: String, revision: Int = 1, ledgerIndex: Int64? = nil, measure: Measure,
        exemptedDestinations: Set<String> = [], state: State = .proposed
    ) {
        self.forum = forum
        self.proposalID = proposalID
        self.revision = revision
        self.ledgerIndex = ledgerIndex
        self.measure = measure
        self.exemptedDestinations = exemptedDestinations
        self.state = state
    }

    /// A measure of `kind` on `items` for `destinations` (sorted), built in place.
    public init(
        forum: String, proposalID: String, revision: Int = 1, ledgerIndex: Int64? = nil, kind: Kind, title: String = "",
        items: [ItemCode], destinations: Set<String>, exemptedDestinations: Set<String> = [],
        parameters: [Parameter] = [],
        state: State = .proposed
    ) {
        self.init(
            forum: forum, proposalID: proposalID, revision: revision, ledgerIndex: ledgerIndex,
            measure: Measure(
                title: title, kind: kind, items: items, parameters: parameters, destinations: destinations.sorted()),
            exemptedDestinations: exemptedDestinations, state: state)
    }

    public var kind: Kind { measure.kind }
    public var title: String { measure.title }
    public var items: [ItemCode] { measure.items }
    /// Party codes, `EU`, or named groups (`group:all` covers every destination).
    public var destinations: [String] { measure.destinations }
    public var parameters: [Parameter] { measure.parameters }

    /// `forum/proposalID@revision`, the key findings are identified by.
    public var key: String { "\(forum)/\(proposalID)@\(revision)" }

    /// Whether the measure applies to every destination.
    var coversAll: Bool { destinations.contains("group:all") || destinations.contains("*") }

    /// The destinations both measures apply to (after exemptions); `["*"]` when both cover all.
    func sharedDestinations(with o: TabledMeasure) -> [String] {
        var out: Set<String>
        if coversAll && o.coversAll {
            out = ["*"]
        } else if coversAll {
            out = Set(o.destinations)
        } else if o.coversAll {
            out = Set(destinations)
        } else {
            out = Set(destinations).intersection(o.destinations)
        }
        out.subtract(exemptedDestinations)
        out.subtract(o.exemptedDestinations)
        return out.sorted()
    }
}
