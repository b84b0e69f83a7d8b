import ControlCodes

/// One paragraph of a control list: `3B001.f.1.a A light source wavelength shorter than 193 nm`.
public struct ControlEntry: Sendable, Hashable {
    /// Whether a paragraph controls anything.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case active
        /// "Not used": the number is kept but controls nothing.
        case notUsed = "not-used"
        /// "Reserved": kept for a future entry.
        case reserved
    }

    /// A note attached to a paragraph.
    public struct Note: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            /// "Note:", "Note 1:", "Notes:".
            case note
            /// "Technical Note:", "Technical Notes:".
            case technicalNote = "technical-note"
            /// "N.B." lines, including "N.B. SEE ALSO".
            case nb
        }

        public var kind: Kind
        /// The note's text, label included ("Note 2: 3B503 does not apply to …").
        public var text: String
        public init(kind: Kind, text: String) {
            self.kind = kind
            self.text = text
        }
    }

    public var code: ItemCode
    /// The nearest ancestor present in the list, or nil for a stem.
    public var parent: ItemCode?
    /// The heading of an ECCN-level entry (its lead-in text); empty for sub-paragraphs.
    public var heading: String
    /// The paragraph text, without its code.
    public var text: String
    public var status: Status
    public var parameters: [Parameter]
    public var notes: [Note]
    /// Codes the paragraph's N.B. lines point to ("N.B. SEE ALSO 2B226").
    public var seeAlso: [String]
    /// The instrument and provision this entry is taken from.
    public var source: String
    /// Where the entry starts in the imported file (1-based), when known.
    public var line: Int?

    public init(
        code: ItemCode, parent: ItemCode? = nil, heading: String = "", text: String, status: Status = .active,
        parameters: [Parameter] = [], notes: [Note] = [], seeAlso: [String] = [], source: String = "", line: Int? = nil
    ) {
        self.code = code
        self.parent = parent
        self.heading = heading
        self.text = text
        self.status = status
        self.parameters = parameters
        self.notes = notes
        self.seeAlso = seeAlso
        self.source = source
        self.line = line
    }

    /// The status a paragraph's text implies: "Not used" → notUsed, "Reserved" → reserved.
    public static func status(ofText text: String) -> Status {
        let t = text.trimmingSpaces().lowercased()
        if t.hasPrefix("not used") { return .notUsed }
        if t.hasPrefix("reserved") || t == "[reserved]" { return .reserved }
        return .active
    }

    /// Codes of the Wassenaar/EU/US form mentioned in `text` ("see 3B501.a.4." → `3B501.a.4`).
    public static func referencedCodes(in text: String) -> [String] {
        var out: [String] = []
        let b = Array(text.utf8)
        var i = 0
        func d(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        while i + 5 <= b.count {
            if d(b[i]) && (i == 0 || !(d(b[i - 1]) || (b[i - 1] >= 0x41 && b[i - 1] <= 0x5a))) && b[i + 1] >= 0x41
                && b[i + 1] <= 0x45
                && d(b[i + 2]) && d(b[i + 3]) && d(b[i + 4])
            {
                var j = i + 5
                while j + 1 < b.count && b[j] == 0x2e && (d(b[j + 1]) || (b[j + 1] >= 0x61 && b[j + 1] <= 0x7a)) {
                    j += 1
                    while j < b.count && (d(b[j]) || (b[j] >= 0x61 && b[j] <= 0x7a)) { j += 1 }
                }
                let s = String(decoding: b[i..<j], as: UTF8.self)
                if !out.contains(s) { out.append(s) }
                i = j
            } else {
                i += 1
            }
        }
        return out
    }
}
