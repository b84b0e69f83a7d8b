import Consensus
import ControlCodes
import ControlLists

/// Deterministic synthetic inputs for benchmarks and scaling tests.
package enum SyntheticWorkload {
    /// A small deterministic generator (SplitMix64).
    package struct Random: Sendable {
        var state: UInt64
        package init(seed: UInt64) { state = seed }
        package mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        package mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let words = [
        "equipment", "designed", "for", "the", "manufacturing", "of", "semiconductor", "devices", "having", "all",
        "following",
        "specially", "components", "accessories", "therefor", "systems", "rated", "capable", "producing", "pattern",
        "wafer",
        "processing", "lithography", "deposition", "etching", "laser", "optical", "detector", "quantum", "computers",
        "cooling",
    ]

    static func stemText(_ i: Int) -> String {
        let c = i % 10
        let g = ["A", "B", "C", "D", "E"][(i / 10) % 5]
        let n = i / 50
        return "\(c)\(g)" + (n < 10 ? "00\(n)" : n < 100 ? "0\(n)" : String(n))
    }

    static func sentence(_ r: inout Random, words n: Int) -> String {
        (0..<n).map { _ in words[r.below(words.count)] }.joined(separator: " ")
    }

    /// A list of `count` entries (10 per stem: a stem, four lettered paragraphs, five numbered
    /// sub-paragraphs), one in five with a threshold.
    package static func list(entries count: Int, seed: UInt64 = 1, jurisdiction: String = "EU") throws(ControlListError)
        -> ControlList
    {
        var r = Random(seed: seed)
        var entries: [ControlEntry] = []
        entries.reserveCapacity(count)
        var i = 0
        while entries.count < count {
            let stem = stemText(i)
            let codes = [
                stem, stem + ".a", stem + ".a.1", stem + ".a.2", stem + ".b", stem + ".b.1", stem + ".c", stem + ".c.1",
                stem + ".d", stem + ".d.1",
            ]
            for c in codes where entries.count < count {
                var text = sentence(&r, words: 12 + r.below(12))
                if r.below(5) == 0 {
                    text += " a light source wavelength shorter than \([193, 248, 365][r.below(3)]) nm"
                }
                entries.append(
                    ControlEntry(
                        code: try ItemCode(c, scheme: .eu), text: text,
                        parameters: ParameterExtractor.extract(from: text), source: "synthetic"))
            }
            i += 1
        }
        return try ControlList(
            jurisdiction: jurisdiction, scheme: .eu, instrument: "Synthetic list", citation: "synthetic",
            versionDate: "2025-01-01",
            entries: entries)
    }

    /// A new version of `list`: about 2% of texts edited, 1% of thresholds changed, 1% removed,
    /// 1% added and 1% moved to a new number.
    package static func revise(_ list: ControlList, seed: UInt64 = 2) throws(ControlListError) -> ControlList {
        var r = Random(seed: seed)
        var out: [ControlEntry] = []
        var extra = 0
        for e in list.entries {
            var f = e
            let roll = r.below(100)
            if e.code.isStem {
                out.append(f)
                continue
            }
            switch roll {
            case 0:
                continue  // removed
            case 1:
                // moved: same text under a new letter
                if let moved = try? ItemCode(e.code.text + ".z", scheme: .eu) { f.code = moved }
                out.append(f)
                continue
            case 2, 3:
                f.text = e.text + " " + sentence(&r, words: 3)
            case 4:
                f.text = e.text.replacingFirst("193 nm", with: "157 nm").replacingFirst("248 nm", with: "193 nm")
            default: break
            }
            f.parameters = ParameterExtractor.extract(from: f.text)
            out.append(f)
            if roll == 5 {
                extra += 1
                out.append(
                    ControlEntry(
                        code: try ItemCode(e.code.text + ".y", scheme: .eu), text: sentence(&r, words: 15),
                        source: "synthetic"))
            }
        }
        return try ControlList(
            jurisdiction: list.jurisdiction, scheme: list.scheme, instrument: list.instrument, citation: list.citation,
            versionDate: "2025-06-01", entries: out)
    }

    static let parties = [
        "CN", "RU", "IR", "KP", "BY", "VN", "TH", "MY", "ID", "PH", "SG", "KR", "JP", "AU", "NZ", "IN", "BR", "MX",
        "ZA", "TR", "AE",
        "SA", "EG", "PK", "BD", "LK", "KH", "LA", "MM", "BN",
    ]
    static let forums = ["G7", "Quad", "CPTPP", "RCEP"]

    /// `count` live measures over a code space that grows with `count` (one stem per 20
    /// measures), so the number of overlapping pairs per measure stays constant.
    package static func measures(_ count: Int, seed: UInt64 = 3) -> [TabledMeasure] {
        var r = Random(seed: seed)
        let stems = max(1, count / 20)
        var out: [TabledMeasure] = []
        out.reserveCapacity(count)
        let kinds: [Measure.Kind] = [
            .licenceRequirement, .licenceRequirement, .licenceRequirement, .prohibition, .endUseControl,
            .licenceException,
            .tradeFacilitation, .informationSharing,
        ]
        for i in 0..<count {
            var c = stemText(r.below(stems))
            let d = r.below(20)
            if d >= 1 { c += "." + ["a", "b", "c", "d", "e"][r.below(5)] }
            if d >= 6 { c += "." + String(1 + r.below(4)) }
            var dest: Set<String> = []
            if r.below(30) == 0 {
                dest = ["group:all"]
            } else {
                for _ in 0..<(1 + r.below(3)) { dest.insert(parties[r.below(parties.count)]) }
            }
            var params: [Parameter] = []
            if r.below(5) == 0 {
                params = [
                    Parameter(
                        term: "light source wavelength", comparator: .lessThan,
                        value: ["193", "248", "365"][r.below(3)], unit: "nm")
                ]
            }
            out.append(
                TabledMeasure(
                    forum: forums[r.below(forums.count)], proposalID: "p\(i)", revision: 1, ledgerIndex: Int64(i),
                    kind: kinds[r.below(kinds.count)], title: "synthetic \(i)", items: [try! ItemCode(c, scheme: .eu)],
                    destinations: dest, parameters: params, state: r.below(3) == 0 ? .adopted : .proposed))
        }
        return out
    }

    /// The code-prefixed text of the first `fraction` of `lines` (cut at a stem boundary), with a
    /// text-format header, for scaling the import benchmark.
    package static func textFormat(lines: [String], fraction: Double) -> [UInt8] {
        var n = Int(Double(lines.count) * fraction)
        while n < lines.count, n > 0 {
            let code = lines[n].prefix { $0 != " " }
            if !code.contains(".") && lines[n - 1].prefix(while: { $0 != " " }).prefix(5) != code.prefix(5) { break }
            n += 1
        }
        var s = """
            # jurisdiction: EU
            # scheme: eu
            # instrument: Regulation (EU) 2021/821, Annex I
            # citation: benchmark input
            # versionDate: 2025-11-15

            """
        for l in lines.prefix(n) { s += l + "\n" }
        return Array(s.utf8)
    }
}

extension String {
    fileprivate func replacingFirst(_ a: String, with b: String) -> String {
        guard let r = range(ofSubstring: a) else { return self }
        return String(self[..<r.lowerBound]) + b + String(self[r.upperBound...])
    }

    fileprivate func range(ofSubstring s: String) -> Range<String.Index>? {
        guard !s.isEmpty else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(s) { return i..<index(i, offsetBy: s.count) }
            i = index(after: i)
        }
        return nil
    }
}
