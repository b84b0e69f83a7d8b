import ControlCodes
import LedgerCore

extension Finding {
    /// A member's national control list as a finding against it cites it: the list (its
    /// jurisdiction, instrument, version date and both hashes, and the `list.publish` entry
    /// that anchors it in this ledger, if any) and the entries a proposal overlaps.
    public struct ListEntryCitation: Sendable, Hashable {
        public var jurisdiction: String
        public var instrument: String
        /// Where the instrument is published ("15 CFR Part 774, Supplement No. 1").
        public var citation: String
        /// `YYYY-MM-DD`.
        public var versionDate: String
        /// SHA-256 (hex) of the list file read.
        public var sha256: String
        /// SHA-256 (hex) of the official dataset its entries came from (``ControlList/datasetSHA256``).
        public var datasetSHA256: String
        /// The `list.publish` entry that anchors this list (its file's or its dataset's hash) in
        /// the ledger, or nil when the ledger holds none.
        public var publishedIndex: Int64?
        /// The entry cited first: of those the proposal overlaps, the same item, else the
        /// nearest ancestor, else the nearest descendant of one of the proposal's codes.
        public var code: ItemCode
        /// Every entry the proposal overlaps (for `threshold-looser-than-member`, those whose
        /// thresholds are tighter), in code order.
        public var codes: [ItemCode]
        /// The heading (for a stem) or text of the entry cited first.
        public var text: String

        /// `list:JURISDICTION@versionDate/datasetSHA256`: what a finding's stable id names
        /// the list by, in place of a second measure's key. A new version of the list (another
        /// dataset) gives new ids, as a new revision of a proposal does.
        public var key: String { "list:\(jurisdiction)@\(versionDate)/\(datasetSHA256)" }

        /// `US Commerce Control List (2025-01-15) us-eccn:3B001.f (list.publish entry 9)`.
        public var label: String {
            "\(jurisdiction) \(instrument) (\(versionDate)) \(code.scheme.rawValue):\(code.text)"
                + (publishedIndex.map { " (list.publish entry \($0))" } ?? " (not published in this ledger)")
        }

        /// The `b` object of a finding's JSON (specs/control-list-format.md §7).
        public var json: JSONValue {
            var o: [String: JSONValue] = [
                "jurisdiction": .string(jurisdiction), "instrument": .string(instrument),
                "citation": .string(citation), "versionDate": .string(versionDate),
                "code": .string("\(code.scheme.rawValue):\(code.text)"),
                "codes": .array(codes.map { .string("\($0.scheme.rawValue):\($0.text)") }),
                "text": .string(text), "sha256": .string(sha256), "datasetSHA256": .string(datasetSHA256),
            ]
            if let i = publishedIndex { o["ledgerIndex"] = .integer(i) }
            return .object(o)
        }
    }
}

extension Finding.Citation {
    /// A national list as side `b` of a finding against it. The proposal fields keep a
    /// meaning for readers that know only proposals: ``forum`` is the list's jurisdiction,
    /// ``proposalID`` the first overlapping code, ``revision`` 0, ``ledgerIndex`` the
    /// `list.publish` entry, ``kind`` licence-requirement (what a listed item is under),
    /// ``title`` the entry's text and ``state`` adopted (the list is in force).
    init(listEntry e: Finding.ListEntryCitation) {
        forum = e.jurisdiction
        proposalID = e.code.text
        revision = 0
        ledgerIndex = e.publishedIndex
        kind = .licenceRequirement
        title = e.text
        state = .adopted
        listEntryBox = ListEntryBox(e)
    }

    /// An immutable holder of a list citation (a final class whose only stored property is a
    /// `let` of a `Sendable` type, hence `Sendable`); equal and hashed by its value.
    final class ListEntryBox: Sendable, Hashable {
        let value: Finding.ListEntryCitation
        init(_ value: Finding.ListEntryCitation) { self.value = value }
        static func == (a: ListEntryBox, b: ListEntryBox) -> Bool { a.value == b.value }
        func hash(into h: inout Hasher) { h.combine(value) }
    }
}
