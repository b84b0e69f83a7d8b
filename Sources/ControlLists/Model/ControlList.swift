import ControlCodes
import LedgerCrypto

/// One version of one jurisdiction's control list: its metadata and its entries in code order.
public struct ControlList: Sendable {
    /// ISO 3166-1 alpha-2, `EU`, or `WA` for the Wassenaar Arrangement.
    public var jurisdiction: String
    /// The scheme of the list's codes.
    public var scheme: CodeScheme
    /// The instrument's name ("Commerce Control List").
    public var instrument: String
    /// Where the instrument is published ("15 CFR Part 774, Supplement No. 1").
    public var citation: String
    /// The date this version of the list is in force from, `YYYY-MM-DD`.
    public var versionDate: String
    /// SHA-256 (hex) of the file this list was imported from.
    public var sourceSHA256: String
    /// SHA-256 (hex) of the official dataset the entries came from: the file itself when it was
    /// imported from the source (the EU Annex dataset, a text or CSV transcription), or the
    /// `datasetSHA256` our JSON and CSV formats carry when the list was written by
    /// `ledger list import --out`. Anchored in the ledger beside ``sourceSHA256``.
    public var datasetSHA256: String
    /// Attribution the source requires, if any.
    public var attribution: String?
    /// The entries, sorted by code.
    public private(set) var entries: [ControlEntry]
    private var position: [ItemCode: Int]

    /// Builds a list; sorts the entries, links each to its nearest present ancestor.
    ///
    /// - Throws: ``ControlListError/Code/duplicateCode`` when a code appears twice, and
    ///   ``ControlListError/Code/malformedInput`` for a bad jurisdiction or date.
    public init(
        jurisdiction: String, scheme: CodeScheme, instrument: String, citation: String, versionDate: String,
        sourceSHA256: String = "", datasetSHA256: String? = nil, attribution: String? = nil,
        entries: [ControlEntry]
    ) throws(ControlListError) {
        guard ControlList.isJurisdiction(jurisdiction) else {
            throw .malformed("jurisdiction \"\(jurisdiction)\" is not an ISO 3166-1 alpha-2 code, EU or WA")
        }
        guard ControlList.isDate(versionDate) else {
            throw .malformed("versionDate \"\(versionDate)\" is not YYYY-MM-DD")
        }
        self.jurisdiction = jurisdiction
        self.scheme = scheme
        self.instrument = instrument
        self.citation = citation
        self.versionDate = versionDate
        self.sourceSHA256 = sourceSHA256
        self.datasetSHA256 = datasetSHA256 ?? sourceSHA256
        self.attribution = attribution
        var sorted = entries.sorted { $0.code < $1.code }
        var pos: [ItemCode: Int] = [:]
        pos.reserveCapacity(sorted.count)
        for (i, e) in sorted.enumerated() {
            if let prev = pos[e.code] {
                let l1 = sorted[prev].line.map { " (line \($0))" } ?? ""
                let l2 = e.line.map { "line \($0): " } ?? ""
                throw .duplicateCode("\(l2)\(e.code) appears twice\(l1)")
            }
            pos[e.code] = i
        }
        for i in sorted.indices {
            var p = sorted[i].code.parent
            while let c = p, pos[c] == nil { p = c.parent }
            sorted[i].parent = p
        }
        self.entries = sorted
        self.position = pos
    }

    /// The entry with `code`, if present.
    public func entry(_ code: ItemCode) -> ControlEntry? { position[code].map { entries[$0] } }

    /// The entry whose code reads `text` in the list's scheme.
    public func entry(_ text: String) -> ControlEntry? {
        guard let c = try? ItemCode(normalizing: text, scheme: scheme) else { return nil }
        return entry(c)
    }

    /// Whether the list has an entry for `code`.
    public func contains(_ code: ItemCode) -> Bool { position[code] != nil }

    /// `code` and every entry below it, in order.
    public func subtree(_ code: ItemCode) -> ArraySlice<ControlEntry> {
        guard let start = position[code] else { return [] }
        var end = start + 1
        while end < entries.count && code.contains(entries[end].code) { end += 1 }
        return entries[start..<end]
    }

    /// The direct children of `code`.
    public func children(of code: ItemCode) -> [ControlEntry] {
        subtree(code).dropFirst().filter { $0.parent == code }
    }

    /// The stem (ECCN-level) entries.
    public var stems: [ControlEntry] { entries.filter { $0.code.isStem } }

    /// The heading of the stem `code` falls under.
    public func stemHeading(_ code: ItemCode) -> String {
        guard let e = entry(code.stem) else { return "" }
        return e.heading.isEmpty ? e.text : e.heading
    }

    /// A short, stable name: `EU Regulation (EU) 2021/821 Annex I (2025-11-15)`.
    public var title: String { "\(jurisdiction) \(instrument) (\(versionDate))" }

    static func isJurisdiction(_ s: String) -> Bool {
        let b = Array(s.utf8)
        return b.count == 2 && b.allSatisfy { $0 >= 0x41 && $0 <= 0x5a }
    }

    static func isDate(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 10, b[4] == 0x2d, b[7] == 0x2d else { return false }
        for i in [0, 1, 2, 3, 5, 6, 8, 9] where !(b[i] >= 0x30 && b[i] <= 0x39) { return false }
        let m = Int(s.dropFirst(5).prefix(2))!
        let d = Int(s.suffix(2))!
        return (1...12).contains(m) && (1...31).contains(d)
    }

    /// SHA-256 (hex) of `bytes`.
    public static func sha256Hex(_ bytes: [UInt8]) -> String { SHA256.hash(bytes).hex }
}
