import Consensus
import ControlCodes
import LedgerCrypto

extension ConflictDetector {
    /// A member's published national control list, as the list rules read it
    /// (``ConflictDetector/listFindings(in:lists:forums:)``).
    public struct MemberList: Sendable {
        /// How a list's jurisdiction takes part in a forum.
        public enum Standing: Sendable, Hashable {
            /// The jurisdiction is a party to the forum.
            case party
            /// The EU is not a party, but these EU member states are: Annex I of Regulation
            /// (EU) 2021/821 binds them directly (a regulation is binding in its entirety and
            /// directly applicable in all member states, TFEU Art. 288).
            case throughMemberStates([String])
        }

        public var list: ControlList
        /// The `list.publish` entry that anchors the list in the ledger, if any.
        public var publishedIndex: Int64?
        /// Destinations the list does not control exports to.
        public var exemptedDestinations: Set<String>

        /// - Parameters:
        ///   - list: the list.
        ///   - publishedIndex: its `list.publish` entry, if the ledger holds one.
        ///   - exemptedDestinations: destinations the list does not control; nil for its own
        ///     territory (``ownTerritory(of:)``).
        public init(_ list: ControlList, publishedIndex: Int64? = nil, exemptedDestinations: Set<String>? = nil) {
            self.list = list
            self.publishedIndex = publishedIndex
            self.exemptedDestinations = exemptedDestinations ?? MemberList.ownTerritory(of: list.jurisdiction)
        }

        /// The 27 member states of the European Union (ISO 3166-1 alpha-2), since the United
        /// Kingdom's withdrawal on 1 February 2020 (TEU Art. 52; Withdrawal Agreement, OJ L 29,
        /// 31.1.2020).
        public static let euMemberStates: Set<String> = [
            "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
            "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
        ]

        /// The destinations a list never controls exports to by default: its own territory.
        /// For `EU`, the Union and its member states: Regulation (EU) 2021/821 requires an
        /// authorisation for the export of Annex I items (Art. 3(1)), and an export leaves the
        /// customs territory of the Union (Art. 2(2)); transfers within it need one only for
        /// Annex IV items (Art. 11), which the list rules do not model.
        public static func ownTerritory(of jurisdiction: String) -> Set<String> {
            jurisdiction == "EU" ? euMemberStates.union(["EU"]) : [jurisdiction]
        }

        /// How the list's jurisdiction takes part in `charter`'s forum, or nil when the list
        /// does not apply there: a list applies in a forum where its jurisdiction is a party;
        /// the EU list also where an EU member state is.
        public func standing(in charter: ForumCharter) -> Standing? {
            let j = list.jurisdiction
            if charter.parties.contains(j) { return .party }
            guard j == "EU" else { return nil }
            let states = charter.parties.filter { MemberList.euMemberStates.contains($0) }
            return states.isEmpty ? nil : .throughMemberStates(states)
        }

        /// The `list.publish` entry of `state` that anchors `list`: the last whose file hash is
        /// the list file's, else the last whose dataset hash is the list's dataset's.
        public static func publishedIndex(of list: ControlList, in state: NegotiationRules) -> Int64? {
            let published = state.publishedLists
            if let p = published.last(where: { $0.sha256.hex == list.sourceSHA256 }) {
                return Int64(p.entryIndex)
            }
            return published.last { $0.datasetSHA256?.hex == list.datasetSHA256 }.map { Int64($0.entryIndex) }
        }
    }
}
