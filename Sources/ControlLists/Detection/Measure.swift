import Consensus

/// A control measure as the detector sees it: one revision of a proposal or an adopted
/// measure in one forum, with its item scope, destinations and thresholds.
///
/// This is deliberately independent of the consensus module's record types; the adapter in
/// `Measure+Negotiation.swift` builds it from the negotiation state.
public struct Measure: Sendable, Hashable {
    /// What a measure does: the consensus module's measure types, shared so the two can
    /// never drift apart.
    public typealias Kind = Consensus.Measure.MeasureType

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
    public var kind: Kind
    public var title: String
    public var items: [ItemCode]
    /// Party codes, `EU`, or named groups (`group:all` covers every destination).
    public var destinations: Set<String>
    /// Destinations the measure explicitly exempts.
    public var exemptedDestinations: Set<String>
    public var parameters: [Parameter]
    public var state: State

    public init(
        forum: String, proposalID: String, revision: Int = 1, ledgerIndex: Int64? = nil, kind: Kind, title: String = "",
        items: [ItemCode], destinations: Set<String>, exemptedDestinations: Set<String> = [],
        parameters: [Parameter] = [],
        state: State = .proposed
    ) {
        self.forum = forum
        self.proposalID = proposalID
        self.revision = revision
        self.ledgerIndex = ledgerIndex
        self.kind = kind
        self.title = title
        self.items = items
        self.destinations = destinations
        self.exemptedDestinations = exemptedDestinations
        self.parameters = parameters
        self.state = state
    }

    /// `forum/proposalID@revision`, the key findings are identified by.
    public var key: String { "\(forum)/\(proposalID)@\(revision)" }

    /// Whether the measure applies to every destination.
    var coversAll: Bool { destinations.contains("group:all") || destinations.contains("*") }

    /// The destinations both measures apply to (after exemptions); `["*"]` when both cover all.
    func sharedDestinations(with o: Measure) -> [String] {
        var out: Set<String>
        if coversAll && o.coversAll {
            out = ["*"]
        } else if coversAll {
            out = o.destinations
        } else if o.coversAll {
            out = destinations
        } else {
            out = destinations.intersection(o.destinations)
        }
        out.subtract(exemptedDestinations)
        out.subtract(o.exemptedDestinations)
        return out.sorted()
    }
}

extension Consensus.Measure.MeasureType {
    /// Restricts exports of the items to the destinations.
    public var isRestrictive: Bool {
        switch self {
        case .licenceRequirement, .prohibition, .endUseControl, .technologyTransferRestriction: return true
        default: return false
        }
    }

    /// Eases exports of the items to the destinations.
    public var isPermissive: Bool { self == .licenceException || self == .tradeFacilitation }
}
