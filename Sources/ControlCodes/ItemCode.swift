/// A scheme-aware, hierarchical item code: `3B001.f.1.b` (Wassenaar, EU, US), `7(17)(ru)`
/// (Japan), `8486.20` (HS) or `NL.2` (national).
///
/// Codes compare in list order for their scheme: category, product group, number, then each
/// paragraph segment, letters alphabetically (Japanese kana sub-items in iroha order) and
/// numbers numerically, so `3B001.f.2` < `3B001.f.10` and a parent sorts before its children.
public struct ItemCode: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// One level of a code.
    public enum Segment: Sendable, Hashable, Comparable {
        /// A number, with an optional branch number (`18-2` → 18, 2; `3-2` → 3, 2).
        case number(Int, branch: Int)
        /// Letters; `rank` orders kana sub-items (iroha) and is 0 for Latin letters.
        case word(String, rank: Int)

        public static func < (a: Segment, b: Segment) -> Bool {
            switch (a, b) {
            case (.number(let x, let bx), .number(let y, let by)): return (x, bx) < (y, by)
            case (.number, .word): return true
            case (.word, .number): return false
            case (.word(let x, let rx), .word(let y, let ry)):
                if rx != ry { return rx < ry }
                if x.utf8.count != y.utf8.count { return x.utf8.count < y.utf8.count }
                return x < y
            }
        }
    }

    public let scheme: CodeScheme
    /// The code as written: canonical, since the grammar accepts no other spelling (a parent
    /// or stem is rendered the same way).
    public let text: String
    /// The levels of the code. For dotted codes the first three are the stem (category,
    /// product group, number).
    public let segments: [Segment]
    /// How many leading segments form the root (the stem); codes shorter than this have no parent.
    package let rootLength: Int

    public var description: String { text }

    /// The longest code any scheme accepts, in bytes (the longest code in the EU Annex I of
    /// 15 Nov 2025 has 19).
    public static let maxLength = 40

    /// Parses `text` under `scheme`'s grammar (specs/control-list-format.md §2).
    ///
    /// This is the one item-code grammar of the project: the consensus rules validate the items
    /// of a proposal with it, and the control-list tools read lists with it. It accepts only
    /// the canonical spelling, so for every code it accepts, ``text`` is `text` itself; variant
    /// spellings go through ``init(normalizing:scheme:)``.
    ///
    /// - Throws: ``ControlListError/Code/invalidCode`` when the text does not follow the
    ///   scheme's grammar, ``ControlListError/Code/ambiguousCode`` when it could be read more
    ///   than one way (for example a lower-case product group).
    public init(_ text: String, scheme: CodeScheme) throws(ControlListError) {
        guard !text.isEmpty else { throw .invalidCode("empty \(scheme.rawValue) code") }
        guard text.utf8.count <= ItemCode.maxLength else {
            throw .invalidCode("\"\(text.prefix(ItemCode.maxLength))…\" is longer than \(ItemCode.maxLength) bytes")
        }
        self.scheme = scheme
        switch scheme.grammar {
        case .dotted: (segments, rootLength) = try ItemCode.parseDotted(text, scheme: scheme)
        case .japan: (segments, rootLength) = try ItemCode.parseJapan(text)
        case .hs: (segments, rootLength) = try ItemCode.parseHS(text)
        case .national: (segments, rootLength) = try ItemCode.parseNational(text)
        }
        self.text = text
    }

    /// Parses `text` as published lists write it: surrounding spaces and trailing periods
    /// (`3B001.a.1.`) are dropped, HS digits are regrouped (`848620`, `8486 20` → `8486.20`)
    /// and Kunrei-shiki kana (`(ti)`, `(tu)`, `(si)`, `(hu)`) become Hepburn (`(chi)` …);
    /// the result must then follow the grammar of ``init(_:scheme:)``.
    public init(normalizing text: String, scheme: CodeScheme) throws(ControlListError) {
        var t = text.trimmingSpaces()
        while t.hasSuffix(".") { t.removeLast() }
        switch scheme.grammar {
        case .hs:
            let digits = t.utf8.filter { $0 != 0x2e && $0 != 0x20 }
            if digits.count >= 2, digits.count % 2 == 0, digits.allSatisfy(ItemCode.isDigit) {
                let pairs = stride(from: 0, to: digits.count, by: 2).map {
                    String(decoding: digits[$0..<($0 + 2)], as: UTF8.self)
                }
                t = pairs.count == 1 ? pairs[0] : pairs[0] + pairs[1] + pairs.dropFirst(2).map { "." + $0 }.joined()
            }
        case .japan:
            for (alias, name) in ItemCode.irohaAliases { t = t.replacingAll("(\(alias))", with: "(\(name))") }
        case .dotted, .national:
            break
        }
        try self.init(t, scheme: scheme)
    }

    package init(scheme: CodeScheme, text: String, segments: [Segment], rootLength: Int) {
        self.scheme = scheme
        self.text = text
        self.segments = segments
        self.rootLength = rootLength
    }

    /// The code one level up, or nil for a root (an ECCN stem, a Japanese row, an HS chapter).
    public var parent: ItemCode? {
        guard segments.count > rootLength else { return nil }
        let segs = Array(segments.dropLast())
        return ItemCode(
            scheme: scheme, text: ItemCode.render(segs, scheme: scheme, rootLength: rootLength), segments: segs,
            rootLength: rootLength)
    }

    /// The root of this code: the stem `3B001` of `3B001.f.1`.
    public var stem: ItemCode {
        guard segments.count > rootLength else { return self }
        let segs = Array(segments.prefix(rootLength))
        return ItemCode(
            scheme: scheme, text: ItemCode.render(segs, scheme: scheme, rootLength: rootLength), segments: segs,
            rootLength: rootLength)
    }

    /// True for a root code (an ECCN stem, a Japanese row, an HS chapter).
    public var isStem: Bool { segments.count <= rootLength }

    /// The number of levels below the root.
    public var depth: Int { max(0, segments.count - rootLength) }

    /// This code and its ancestors, nearest first.
    public var selfAndAncestors: [ItemCode] {
        var out = [self]
        var c = self
        while let p = c.parent {
            out.append(p)
            c = p
        }
        return out
    }

    /// Whether `self` is `other` or contains it (same scheme, segment prefix).
    public func contains(_ other: ItemCode) -> Bool {
        scheme == other.scheme && other.segments.count >= segments.count && other.segments.starts(with: segments)
    }

    /// The code with its root replaced by `newRoot` (used to carry a paragraph path across a
    /// correlation: `4A506.a.1` with root `4A906` → `4A906.a.1`).
    public func rerooted(at newRoot: ItemCode) -> ItemCode? {
        guard newRoot.scheme.grammar == scheme.grammar else { return nil }
        let segs = newRoot.segments + segments.dropFirst(rootLength)
        return ItemCode(
            scheme: newRoot.scheme, text: ItemCode.render(segs, scheme: newRoot.scheme, rootLength: newRoot.rootLength),
            segments: segs,
            rootLength: newRoot.rootLength)
    }

    /// For Wassenaar-style codes: the third digit of the stem, which names the source regime
    /// in the EU list (0 Wassenaar/NSG trigger list, 1 MTCR, 2 NSG dual-use, 3 Australia Group,
    /// 4 CWC, 5 EU without Wassenaar consensus) and the 9xx unilateral series in the US list.
    public var regimeDigit: Int? {
        guard scheme.grammar == .dotted, segments.count >= 3, case .number(let n, _) = segments[2] else { return nil }
        return n / 100
    }

    /// Whether a code with this stem is numbered the same way in the Wassenaar, EU and US
    /// lists (regime digits 0–4). The 5xx–9xx series are scheme-specific: EU 5xx and US 5xx
    /// and 9xx mean different things.
    public var sharesMultilateralNumbering: Bool {
        guard let d = regimeDigit else { return false }
        return d <= 4
    }

    /// A key that identifies the item across schemes that share numbering: `dotted:3B001.f`
    /// for multilateral Wassenaar/EU/US codes, `<scheme>:<code>` otherwise.
    public var identityKey: String {
        if sharesMultilateralNumbering { return "dotted:" + text }
        return scheme.rawValue + ":" + text
    }

    public static func < (a: ItemCode, b: ItemCode) -> Bool {
        if a.scheme != b.scheme { return a.scheme < b.scheme }
        return a.segments.lexicographicallyPrecedes(b.segments)
    }

    public static func == (a: ItemCode, b: ItemCode) -> Bool { a.scheme == b.scheme && a.text == b.text }
    public func hash(into h: inout Hasher) {
        h.combine(scheme)
        h.combine(text)
    }

    // MARK: - Grammars

    package static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    package static func isLower(_ c: UInt8) -> Bool { c >= 0x61 && c <= 0x7a }
    package static func isUpper(_ c: UInt8) -> Bool { c >= 0x41 && c <= 0x5a }

    /// `wassenaar`, `eu`, `us-eccn`: category digit, product group A–E, three digits, then
    /// `.`-separated paragraph segments, each a number (`0`, or 1–4 digits without a leading
    /// zero) or 1–3 lower-case letters; `us-eccn` also has `EAR99`.
    static func parseDotted(_ t: String, scheme: CodeScheme) throws(ControlListError) -> ([Segment], Int) {
        if scheme == .usECCN && t == "EAR99" { return ([.word("EAR99", rank: 0)], 1) }
        let b = Array(t.utf8)
        guard b.count >= 5, isDigit(b[0]), isDigit(b[2]), isDigit(b[3]), isDigit(b[4]) else {
            throw .invalidCode(
                "\"\(t)\" is not a \(scheme.rawValue) code: expected category digit, product group A–E, "
                    + "three digits (e.g. 3B001.f.1.b)")
        }
        if isLower(b[1]) && b[1] <= 0x65 {
            let g = Character(UnicodeScalar(b[1]))
            throw .ambiguousCode("\"\(t)\": product group \"\(g)\" is lower case; write \(g.uppercased())")
        }
        if b[1] == 0x59 {
            // 15 CFR 774: "0Y521" names the series 0A521, 0B521, … 0E521, not one ECCN.
            throw .invalidCode(
                "\"\(t)\": \"Y\" stands for any product group A–E (the \(String(t.prefix(5))) series); "
                    + "name one ECCN")
        }
        guard b[1] >= 0x41 && b[1] <= 0x45 else {
            throw .invalidCode("\"\(t)\": product group must be one of A–E")
        }
        var segs: [Segment] = [
            .number(Int(b[0] - 0x30), branch: 0), .word(String(UnicodeScalar(b[1])), rank: 0),
            .number(Int(b[2] - 0x30) * 100 + Int(b[3] - 0x30) * 10 + Int(b[4] - 0x30), branch: 0),
        ]
        if b.count > 5 {
            guard b[5] == 0x2e else {
                throw .invalidCode("\"\(t)\": expected \".\" after the stem \(String(t.prefix(5)))")
            }
            for part in b[6...].split(separator: 0x2e, omittingEmptySubsequences: false) {
                guard !part.isEmpty else { throw .invalidCode("\"\(t)\": empty paragraph segment") }
                if part.allSatisfy(isDigit) {
                    guard part.count <= 4 else { throw .invalidCode("\"\(t)\": paragraph number too long") }
                    if part.count > 1 && part.first == 0x30 {
                        throw .ambiguousCode("\"\(t)\": paragraph number with a leading zero")
                    }
                    segs.append(.number(Int(String(decoding: part, as: UTF8.self))!, branch: 0))
                } else if part.allSatisfy(isLower) {
                    guard part.count <= 3 else { throw .invalidCode("\"\(t)\": paragraph letter segment too long") }
                    segs.append(.word(String(decoding: part, as: UTF8.self), rank: 0))
                } else if part.allSatisfy({ isLower($0) || isUpper($0) }) {
                    throw .ambiguousCode("\"\(t)\": paragraph letters must be lower case")
                } else if part.allSatisfy({ isLower($0) || isUpper($0) || isDigit($0) }) {
                    throw .ambiguousCode(
                        "\"\(t)\": segment \"\(String(decoding: part, as: UTF8.self))\" mixes letters and digits")
                } else {
                    throw .invalidCode(
                        "\"\(t)\": segment \"\(String(decoding: part, as: UTF8.self))\" is not a number or letters")
                }
            }
        }
        return (segs, 3)
    }

    /// Romanized (Hepburn) iroha order of the kana that number Japanese sub-items (イロハ…).
    static let iroha: [String] = [
        "i", "ro", "ha", "ni", "ho", "he", "to", "chi", "ri", "nu", "ru", "wo", "wa", "ka", "yo", "ta", "re", "so",
        "tsu", "ne", "na", "ra", "mu", "u", "wi", "no", "o", "ku", "ya", "ma", "ke", "fu", "ko", "e", "te", "a", "sa",
        "ki", "yu", "me", "mi", "shi", "we", "hi", "mo", "se", "su",
    ]
    static let irohaRank: [String: Int] = Dictionary(uniqueKeysWithValues: iroha.enumerated().map { ($1, $0 + 1) })
    /// Kunrei-shiki spellings of the same kana, which ``init(normalizing:scheme:)`` rewrites.
    static let irohaAliases: [(String, String)] = [("ti", "chi"), ("tu", "tsu"), ("si", "shi"), ("hu", "fu")]

    /// `jp`: an Appended Table 1 row (1–16 or 3-2), then numbered items in parentheses, each
    /// 1–999 with an optional branch 2–99 (`(17-2)`), then kana sub-items in parentheses
    /// (`(ru)`); numbers have no leading zeros.
    static func parseJapan(_ t: String) throws(ControlListError) -> ([Segment], Int) {
        let b = Array(t.utf8)
        var i = 0
        // Numbers are written without leading zeros, as in the other schemes: "07" or "(017)"
        // would otherwise silently read as 7 and (17).
        func number(_ what: String) throws(ControlListError) -> (Int, Int) {
            func digits(max: Int) throws(ControlListError) -> Int? {
                let s = i
                while i < b.count && isDigit(b[i]) { i += 1 }
                guard i > s, i - s <= max else { return nil }
                if i - s > 1 && b[s] == 0x30 { throw .ambiguousCode("\"\(t)\": \(what) number with a leading zero") }
                return Int(String(decoding: b[s..<i], as: UTF8.self))!
            }
            guard let n = try digits(max: 3), n >= 1 else { throw .invalidCode("\"\(t)\": bad \(what) number") }
            guard i < b.count && b[i] == 0x2d else { return (n, 0) }
            i += 1
            // A branch number (枝番号, "の二") starts at 2: the unbranched number is the first.
            guard let branch = try digits(max: 2), branch >= 2 else {
                throw .invalidCode("\"\(t)\": bad branch number after \(n)- (2–99)")
            }
            return (n, branch)
        }
        guard i < b.count && isDigit(b[i]) else {
            throw .invalidCode(
                "\"\(t)\" is not a jp code: expected an Appended Table 1 row (1–16 or 3-2), "
                    + "then items in parentheses, e.g. 7(17)")
        }
        let (row, rowBranch) = try number("row")
        guard (1...16).contains(row), rowBranch == 0 || (row == 3 && rowBranch == 2) else {
            throw .invalidCode("\"\(t)\": Appended Table 1 has rows 1–16 and 3-2")
        }
        var segs: [Segment] = [.number(row, branch: rowBranch)]
        var sawKana = false
        while i < b.count {
            guard b[i] == 0x28 else { throw .invalidCode("\"\(t)\": expected \"(\" at character \(i + 1)") }
            i += 1
            if i < b.count && isDigit(b[i]) {
                guard !sawKana else { throw .ambiguousCode("\"\(t)\": a numbered item after a kana sub-item") }
                let (n, br) = try number("item")
                segs.append(.number(n, branch: br))
            } else {
                let s = i
                while i < b.count && isLower(b[i]) { i += 1 }
                let w = String(decoding: b[s..<i], as: UTF8.self)
                guard let rank = irohaRank[w] else {
                    if let name = irohaAliases.first(where: { $0.0 == w })?.1 {
                        throw .ambiguousCode("\"\(t)\": write the kana \"(\(w))\" as \"(\(name))\" (Hepburn)")
                    }
                    throw .ambiguousCode(
                        "\"\(t)\": \"(\(w))\" is neither an item number nor a romanized iroha sub-item")
                }
                sawKana = true
                segs.append(.word(w, rank: rank))
            }
            guard i < b.count && b[i] == 0x29 else { throw .invalidCode("\"\(t)\": expected \")\"") }
            i += 1
        }
        return (segs, 1)
    }

    /// `hs`: a chapter (2 digits) or a heading (4 digits) followed by up to three `.`-prefixed
    /// pairs of digits: `84`, `8486`, `8486.20`, `8486.20.10`, `8486.20.10.00`.
    static func parseHS(_ t: String) throws(ControlListError) -> ([Segment], Int) {
        let b = Array(t.utf8)
        func invalid() -> ControlListError {
            .invalidCode("\"\(t)\" is not an HS code: expected 84, 8486 or 8486.20 (up to 8486.20.10.00)")
        }
        guard b.count == 2 || b.count == 4 || (b.count > 4 && (b.count - 4) % 3 == 0 && b.count <= 13) else {
            throw invalid()
        }
        var segs: [Segment] = []
        var k = 0
        while k < b.count {
            if k >= 4 {
                guard b[k] == 0x2e else { throw invalid() }
                k += 1
            }
            guard isDigit(b[k]), isDigit(b[k + 1]) else { throw invalid() }
            segs.append(.number(Int(b[k] - 0x30) * 10 + Int(b[k + 1] - 0x30), branch: 0))
            k += 2
        }
        return (segs, 1)
    }

    /// `national`: `.`-separated parts of letters, digits and hyphens (`NL.2.a`); a part of
    /// digits only is a number, without a leading zero.
    static func parseNational(_ t: String) throws(ControlListError) -> ([Segment], Int) {
        var segs: [Segment] = []
        for part in t.utf8.split(separator: 0x2e, omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.allSatisfy({ isDigit($0) || isLower($0) || isUpper($0) || $0 == 0x2d }) else {
                throw .invalidCode("\"\(t)\" is not a national item number: dot-separated letters, digits and hyphens")
            }
            if part.allSatisfy(isDigit) {
                guard part.count <= 9 else { throw .invalidCode("\"\(t)\": item number too long") }
                if part.count > 1 && part.first == 0x30 {
                    throw .ambiguousCode("\"\(t)\": item number with a leading zero")
                }
                segs.append(.number(Int(String(decoding: part, as: UTF8.self))!, branch: 0))
            } else {
                segs.append(.word(String(decoding: part, as: UTF8.self), rank: 0))
            }
        }
        return (segs, 1)
    }

    package static func render(_ segs: [Segment], scheme: CodeScheme, rootLength: Int) -> String {
        func seg(_ s: Segment) -> String {
            switch s {
            case .number(let n, let br): return br == 0 ? String(n) : "\(n)-\(br)"
            case .word(let w, _): return w
            }
        }
        switch scheme.grammar {
        case .dotted:
            if segs.count == 1 { return seg(segs[0]) }
            guard case .number(let n, _) = segs[2] else { return "" }
            var s = seg(segs[0]) + seg(segs[1])
            let num = String(n)
            s += String(repeating: "0", count: 3 - num.count) + num
            for x in segs.dropFirst(3) { s += "." + seg(x) }
            return s
        case .japan:
            var s = seg(segs[0])
            for x in segs.dropFirst() { s += "(" + seg(x) + ")" }
            return s
        case .hs:
            var s = ""
            for (i, x) in segs.enumerated() {
                guard case .number(let n, _) = x else { continue }
                if i >= 2 { s += "." }
                s += n < 10 ? "0\(n)" : String(n)
            }
            return s
        case .national:
            return segs.map(seg).joined(separator: ".")
        }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks.
    package func trimmingSpaces() -> String {
        func isSpace(_ u: Unicode.Scalar) -> Bool { u == " " || u == "\t" || u == "\n" || u == "\r" || u == "\u{a0}" }
        guard let f = unicodeScalars.first, let l = unicodeScalars.last else { return self }
        if !isSpace(f) && !isSpace(l) { return self }
        let u = Array(self.unicodeScalars)
        var s = 0
        var e = u.count
        while s < e && isSpace(u[s]) { s += 1 }
        while e > s && isSpace(u[e - 1]) { e -= 1 }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: u[s..<e])
        return String(out)
    }
}

extension String {
    /// The string with every occurrence of `target` (not empty) replaced by `replacement`.
    func replacingAll(_ target: String, with replacement: String) -> String {
        let b = Array(utf8)
        let t = Array(target.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if i + t.count <= b.count && b[i..<(i + t.count)].elementsEqual(t) {
                out.append(contentsOf: replacement.utf8)
                i += t.count
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
