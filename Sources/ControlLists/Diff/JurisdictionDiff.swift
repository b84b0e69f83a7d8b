import ControlCodes

/// Where two jurisdictions' lists differ, read through shared numbering and the correlation
/// tables: items only A controls, items only B controls, items both control at different
/// thresholds (a disparity), items both control alike, and items both control that could not
/// be compared (an overlap with no comparable thresholds and different texts: exactly where
/// lists may diverge unseen, so never reported as alike).
///
/// Rows are per ECCN-level entry (stem). Codes numbered alike in the Wassenaar, EU and US
/// lists (regime digits 0–4) match by number; everything else matches only through a
/// correlation. Thresholds are compared paragraph by paragraph, for parameters with the
/// same term and dimension.
public struct JurisdictionDiff: Sendable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case aOnly = "a-only"
        case bOnly = "b-only"
        case differentThresholds = "both-different-thresholds"
        case alike = "both-alike"
        /// Both lists control the item, but nothing shows whether alike: no threshold the two
        /// state for corresponding paragraphs is comparable, and the texts differ (or only the
        /// stems matched). The row's note says why.
        case overlapNotCompared = "overlap-not-compared"
    }

    /// One threshold both lists state for corresponding paragraphs, differently.
    public struct Disparity: Sendable, Hashable {
        public var aCode: ItemCode
        public var bCode: ItemCode
        public var term: String
        public var a: Parameter
        public var b: Parameter
        /// Which list controls more: "A stricter", "B stricter", or "different" when the
        /// comparators point different ways.
        public var verdict: String
    }

    public struct Row: Sendable, Hashable {
        public var status: Status
        public var aCode: ItemCode?
        public var bCode: ItemCode?
        /// How the two are linked: `same number`, or a correlation kind read from A to B.
        public var relation: String
        public var heading: String
        public var disparities: [Disparity]
        /// Paragraph pairs compared, and how many of them had comparable thresholds.
        public var pairsCompared: Int
        public var thresholdsCompared: Int
        /// Active paragraphs under the stem in each list.
        public var aParagraphs: Int
        public var bParagraphs: Int
        public var note: String
    }

    public var a: ListDiff.ListRef
    public var b: ListDiff.ListRef
    public var rows: [Row]

    public func rows(_ s: Status) -> [Row] { rows.filter { $0.status == s } }

    public init(
        a la: ControlList, b lb: ControlList, correlations: CorrelationTable, aLedgerIndex: Int64? = nil,
        bLedgerIndex: Int64? = nil
    ) {
        a = ListDiff.ListRef(la, ledgerIndex: aLedgerIndex)
        b = ListDiff.ListRef(lb, ledgerIndex: bLedgerIndex)
        var aByIdentity: [String: ItemCode] = [:]
        for e in la.entries { aByIdentity[e.code.identityKey] = e.code }

        /// The A entries a B code corresponds to, with the relation read from A to B.
        func counterparts(_ code: ItemCode) -> [(ItemCode, String)] {
            var out: [(ItemCode, String)] = []
            if code.sharesMultilateralNumbering, let c = aByIdentity[code.identityKey], c.scheme.grammar == .dotted {
                out.append((c, "same number"))
            }
            for r in correlations.related(code) {
                if r.code.scheme == la.scheme, la.contains(r.code) {
                    out.append((r.code, r.kind.inverse.rawValue))
                } else if let c = aByIdentity[r.code.identityKey], r.code.sharesMultilateralNumbering,
                    la.scheme.grammar == .dotted
                {
                    out.append((c, r.kind.inverse.rawValue))
                }
            }
            return out
        }

        var rows: [Row] = []
        var matchedAStems = Set<ItemCode>()
        for sb in lb.stems {
            let subtree = lb.subtree(sb.code)
            // Pair every B paragraph (stem included) with its A counterparts.
            var pairs: [(ItemCode, ItemCode, String)] = []
            for e in subtree {
                for (ac, rel) in counterparts(e.code) { pairs.append((ac, e.code, rel)) }
            }
            let aStems = Array(Set(pairs.map { $0.0.stem })).sorted()
            let bActive = subtree.filter { $0.status == .active }.count
            if aStems.isEmpty {
                rows.append(
                    Row(
                        status: .bOnly, aCode: nil, bCode: sb.code, relation: "", heading: lb.stemHeading(sb.code),
                        disparities: [],
                        pairsCompared: 0, thresholdsCompared: 0, aParagraphs: 0, bParagraphs: bActive,
                        note: sb.status == .active ? "" : "B entry is \(sb.status.rawValue)"))
                continue
            }
            for stemA in aStems {
                matchedAStems.insert(stemA)
                let mine = pairs.filter { $0.0.stem == stemA }
                var disparities: [Disparity] = []
                var compared = 0
                for (ac, bc, _) in mine {
                    guard let ea = la.entry(ac), let eb = lb.entry(bc) else { continue }
                    for pb in eb.parameters where pb.isParsed {
                        for pa in ea.parameters
                        where pa.isParsed && pa.isComparable(with: pb)
                            && pa.comparator.direction == pb.comparator.direction
                        {
                            compared += 1
                            if !pa.sameThreshold(as: pb) {
                                disparities.append(
                                    Disparity(
                                        aCode: ac, bCode: bc, term: pb.term, a: pa, b: pb,
                                        verdict: JurisdictionDiff.verdict(pa, pb)))
                            }
                        }
                    }
                }
                let relation = mine.first(where: { $0.1 == sb.code })?.2 ?? mine.first?.2 ?? ""
                let aActive = la.subtree(stemA).filter { $0.status == .active }.count
                var note = ""
                let stemOnly = mine.count == 1 && (aActive > 1 || bActive > 1)
                if stemOnly { note = "matched at stem level only; paragraph texts not compared" }
                let status: Status
                if !disparities.isEmpty {
                    status = .differentThresholds
                } else if stemOnly {
                    status = .overlapNotCompared
                } else if compared > 0 {
                    status = .alike
                } else if JurisdictionDiff.sameTexts(mine, la, lb) {
                    status = .alike
                    note = "no thresholds; paragraph texts identical"
                } else {
                    status = .overlapNotCompared
                    note = JurisdictionDiff.whyNotCompared(mine, la, lb)
                }
                rows.append(
                    Row(
                        status: status, aCode: stemA, bCode: sb.code,
                        relation: relation,
                        heading: lb.stemHeading(sb.code).isEmpty ? la.stemHeading(stemA) : lb.stemHeading(sb.code),
                        disparities: disparities,
                        pairsCompared: mine.count, thresholdsCompared: compared, aParagraphs: aActive,
                        bParagraphs: bActive, note: note))
            }
        }
        for sa in la.stems where !matchedAStems.contains(sa.code) {
            let active = la.subtree(sa.code).filter { $0.status == .active }.count
            rows.append(
                Row(
                    status: .aOnly, aCode: sa.code, bCode: nil, relation: "", heading: la.stemHeading(sa.code),
                    disparities: [],
                    pairsCompared: 0, thresholdsCompared: 0, aParagraphs: active, bParagraphs: 0,
                    note: sa.status == .active ? "" : "A entry is \(sa.status.rawValue)"))
        }
        let order: [Status: Int] = [.differentThresholds: 0, .overlapNotCompared: 1, .bOnly: 2, .alike: 3, .aOnly: 4]
        rows.sort {
            if $0.status != $1.status { return order[$0.status]! < order[$1.status]! }
            return ($0.aCode ?? $0.bCode!) < ($1.aCode ?? $1.bCode!)
        }
        self.rows = rows
    }

    /// Whether every paired paragraph reads the same in both lists (case, spacing and the
    /// leading code aside).
    static func sameTexts(_ pairs: [(ItemCode, ItemCode, String)], _ la: ControlList, _ lb: ControlList) -> Bool {
        !pairs.isEmpty
            && pairs.allSatisfy { ac, bc, _ in
                guard let ea = la.entry(ac), let eb = lb.entry(bc) else { return false }
                let (ta, tb) = (normalizedText(ea.text, code: ac), normalizedText(eb.text, code: bc))
                return !ta.isEmpty && ta == tb
            }
    }

    static func normalizedText(_ text: String, code: ItemCode) -> String {
        var words = text.lowercased().split(whereSeparator: { $0.isWhitespace }).map(String.init)
        if let first = words.first, first.trimmingTrailingPunctuation == code.text.lowercased() { words.removeFirst() }
        return words.joined(separator: " ")
    }

    /// Why an overlap could not be compared, in one line.
    static func whyNotCompared(_ pairs: [(ItemCode, ItemCode, String)], _ la: ControlList, _ lb: ControlList) -> String
    {
        func terms(_ list: ControlList, _ codes: [ItemCode]) -> [String] {
            var seen = Set<String>()
            var out = [String]()
            for c in codes {
                for p in list.entry(c)?.parameters ?? [] where p.isParsed && seen.insert(p.term).inserted {
                    out.append(p.term)
                }
            }
            return out
        }
        let ta = terms(la, pairs.map(\.0))
        let tb = terms(lb, pairs.map(\.1))
        switch (ta.isEmpty, tb.isEmpty) {
        case (true, true): return "neither list states a threshold, and the paragraph texts differ"
        case (false, true): return "only A states thresholds (\(ta.joined(separator: ", "))); texts differ"
        case (true, false): return "only B states thresholds (\(tb.joined(separator: ", "))); texts differ"
        case (false, false):
            return
                "no comparable thresholds: A states \(ta.joined(separator: ", ")), B states "
                + "\(tb.joined(separator: ", "))"
        }
    }

    static func verdict(_ a: Parameter, _ b: Parameter) -> String {
        guard a.comparator.direction == b.comparator.direction, a.comparator.direction != 0 else { return "different" }
        // For a lower bound (≥), the lower figure controls more items; for an upper bound, the higher.
        let aControlsMore = a.comparator.direction > 0 ? a.baseValue < b.baseValue : a.baseValue > b.baseValue
        if a.baseValue == b.baseValue { return "different comparator" }
        return aControlsMore ? "A stricter" : "B stricter"
    }
}

extension String {
    /// The string without trailing `.`, `,`, `:` or `;`.
    fileprivate var trimmingTrailingPunctuation: String {
        var s = Substring(self)
        while let l = s.last, ".,:;".contains(l) { s.removeLast() }
        return String(s)
    }
}
