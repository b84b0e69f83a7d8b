/// A control measure as a proposal states it: what it does, to which items and
/// destinations, under which thresholds, and why.
///
/// This is the one measure type: the consensus rules read it from a `proposal` or
/// `proposal.amend` body (validating every item with ``ItemCode/init(_:scheme:)``), and the
/// conflict detector compares the measures of tabled proposals.
public struct Measure: Sendable, Hashable {
    /// What a measure does.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case licenceRequirement = "licence-requirement"
        case prohibition
        case endUseControl = "end-use-control"
        case technologyTransferRestriction = "technology-transfer-restriction"
        case investmentScreening = "investment-screening"
        case licenceException = "licence-exception"
        case tradeFacilitation = "trade-facilitation"
        case informationSharing = "information-sharing"
        case supplyChainCommitment = "supply-chain-commitment"
        /// Accession or withdrawal of parties; needs ``Measure/charterAmendment``.
        case charterAmendment = "charter-amendment"

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

    public var title: String
    /// The `measureType` field.
    public var kind: Kind
    /// The items, in the order given; empty only for a charter amendment.
    public var items: [ItemCode]
    public var parameters: [Parameter]
    /// Party codes, `EU`, or named groups (`group:<name>`; `group:all` covers every
    /// destination), in the order given.
    public var destinations: [String]
    public var rationale: String
    /// `YYYY-MM-DD`.
    public var effectiveDate: String
    public var references: [String]
    /// Present exactly when ``kind`` is `charter-amendment`.
    public var charterAmendment: CharterAmendment?

    public init(
        title: String, kind: Kind, items: [ItemCode], parameters: [Parameter] = [], destinations: [String],
        rationale: String = "", effectiveDate: String = "", references: [String] = [],
        charterAmendment: CharterAmendment? = nil
    ) {
        self.title = title
        self.kind = kind
        self.items = items
        self.parameters = parameters
        self.destinations = destinations
        self.rationale = rationale
        self.effectiveDate = effectiveDate
        self.references = references
        self.charterAmendment = charterAmendment
    }
}
