import ControlCodes

/// Finds the thresholds an entry's text states: "a beam energy of 20 keV or more" →
/// `beam energy ≥ 20 keV`, "a light source wavelength shorter than 193 nm" →
/// `light source wavelength < 193 nm`.
///
/// It reads decimal commas (`2,5` → 2.5), restores exponents that lost their superscript
/// (`2 × 108` → 2e8, `1× 10-8` → 1e-8, a bare `10-4` after a comparator → 1e-4), skips
/// parenthetical conversions (`0,1 K (-273,05 °C)`), and marks what it is unsure of with
/// ``Parameter/unparsedReason`` instead of guessing.
public enum ParameterExtractor {
    /// The parameters `text` states, in text order, without duplicates.
    public static func extract(from text: String, decimalComma: Bool = true) -> [Parameter] {
        let raw = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\u{a0}" }).map(
            String.init)
        guard raw.contains(where: { $0.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) }) else { return [] }
        let clean = raw.map(cleanToken)
        let lower = clean.map { $0.lowercased() }
        var out: [Parameter] = []
        var seen = Set<String>()
        var i = 0
        while i < raw.count {
            if raw[i].hasPrefix("(") || raw[i].hasPrefix("+") {
                i += 1
                continue
            }
            guard let num = readNumber(clean: clean, lower: lower, at: i, decimalComma: decimalComma) else {
                i += 1
                continue
            }
            var j = num.end
            // Unit: attached ("193nm") or the next token.
            var unit = num.attachedUnit
            if unit.isEmpty, j < clean.count, Units.table[clean[j]] != nil, !raw[j].hasPrefix("(") {
                unit = clean[j]
                j += 1
            }
            // Comparator after ("… or more") or before ("shorter than …").
            var comparator: Parameter.Comparator?
            var termEnd = i
            if j + 1 < lower.count && lower[j] == "or", let c = suffixComparators[lower[j + 1]] {
                comparator = c
                if i > 0 && lower[i - 1] == "of" { termEnd = i - 1 }
            }
            if comparator == nil {
                var k = i
                if k > 0 && (lower[k - 1] == "±" || lower[k - 1] == "+/-") { k -= 1 }
                if let (c, start) = matchPrefix(lower, before: k) {
                    comparator = c
                    termEnd = start
                } else if k > 0 && lower[k - 1] == "of" {
                    // "at or below a temperature of 4,2 K": comparator further left, term between.
                    var m = k - 2
                    var steps = 0
                    while m >= 0 && steps < 5 {
                        if let (c, start) = matchPrefix(lower, before: m + 1) {
                            let termWords = (m + 1..<(k - 1)).map { clean[$0] }.filter {
                                !stopWords.contains($0.lowercased())
                            }
                            comparator = c
                            termEnd = -1
                            let p = makeParameter(
                                term: termWords.joined(separator: " "), comparator: c, num: num, unit: unit,
                                start: start)
                            if seen.insert(key(p)).inserted { out.append(p) }
                            break
                        }
                        if raw[m].hasSuffix(",") || raw[m].hasSuffix(";") { break }
                        m -= 1
                        steps += 1
                    }
                }
            }
            if let c = comparator, termEnd >= 0 {
                let term = collectTerm(raw: raw, clean: clean, lower: lower, before: termEnd)
                let p = makeParameter(term: term, comparator: c, num: num, unit: unit, start: termEnd)
                if seen.insert(key(p)).inserted { out.append(p) }
            }
            i = max(j, i + 1)
        }
        return out
    }

    struct Number {
        var value: String
        var end: Int
        var attachedUnit: String
        var note: String?
    }

    static func key(_ p: Parameter) -> String { "\(p.termKey)|\(p.comparator.rawValue)|\(p.value)|\(p.unit)" }

    static func makeParameter(term: String, comparator: Parameter.Comparator, num: Number, unit: String, start: Int)
        -> Parameter
    {
        var reason = num.note
        if term.isEmpty { reason = reason.map { $0 + "; " } ?? "" + "no term found before the threshold" }
        if comparator == .betterThan { reason = "\"better than\" has no fixed direction" }
        return Parameter(term: term, comparator: comparator, value: num.value, unit: unit, unparsedReason: reason)
    }

    static let suffixComparators: [String: Parameter.Comparator] = [
        "more": .greaterOrEqual, "greater": .greaterOrEqual, "higher": .greaterOrEqual, "longer": .greaterOrEqual,
        "larger": .greaterOrEqual, "above": .greaterOrEqual, "over": .greaterOrEqual,
        "less": .lessOrEqual, "smaller": .lessOrEqual, "lower": .lessOrEqual, "shorter": .lessOrEqual,
        "below": .lessOrEqual,
        "fewer": .lessOrEqual,
    ]

    /// Comparator phrases, longest first.
    static let prefixPhrases: [([String], Parameter.Comparator)] = {
        let list: [(String, Parameter.Comparator)] = [
            ("less than or equal to", .lessOrEqual), ("smaller than or equal to", .lessOrEqual),
            ("lower than or equal to", .lessOrEqual), ("equal to or less than", .lessOrEqual),
            ("equal to or smaller than", .lessOrEqual), ("equal to or lower than", .lessOrEqual),
            ("equal to or shorter than", .lessOrEqual), ("equal to or fewer than", .lessOrEqual),
            ("greater than or equal to", .greaterOrEqual), ("more than or equal to", .greaterOrEqual),
            ("higher than or equal to", .greaterOrEqual), ("equal to or greater than", .greaterOrEqual),
            ("equal to or more than", .greaterOrEqual), ("equal to or longer than", .greaterOrEqual),
            ("equal to or higher than", .greaterOrEqual), ("equal to or larger than", .greaterOrEqual),
            ("less better than", .lessThan), ("not exceeding", .lessOrEqual), ("not more than", .lessOrEqual),
            ("not less than", .greaterOrEqual), ("at or below", .lessOrEqual), ("at or above", .greaterOrEqual),
            ("in excess of", .greaterThan), ("better than", .betterThan), ("less than", .lessThan),
            ("shorter than", .lessThan), ("smaller than", .lessThan), ("lower than", .lessThan),
            ("fewer than", .lessThan),
            ("more than", .greaterThan), ("greater than", .greaterThan), ("longer than", .greaterThan),
            ("higher than", .greaterThan), ("larger than", .greaterThan), ("exceeding", .greaterThan),
            ("exceeds", .greaterThan), ("exceed", .greaterThan), ("below", .lessThan), ("above", .greaterThan),
            ("up to", .lessOrEqual), ("equal to", .equal),
        ]
        return list.map { ($0.0.split(separator: " ").map(String.init), $0.1) }.sorted { $0.0.count > $1.0.count }
    }()

    /// The comparator phrase that ends right before token `end`, and where it starts.
    static func matchPrefix(_ lower: [String], before end: Int) -> (Parameter.Comparator, Int)? {
        for (words, c) in prefixPhrases where words.count <= end {
            var ok = true
            for (n, w) in words.enumerated() where lower[end - words.count + n] != w {
                ok = false
                break
            }
            if ok { return (c, end - words.count) }
        }
        return nil
    }

    static let stopWords: Set<String> = [
        "a", "an", "the", "having", "with", "and", "or", "any", "of", "to", "than", "which", "that", "is", "are",
        "being", "be",
        "designed", "capable", "at", "for", "in", "by", "as", "has", "have", "whose", "when", "where", "each", "all",
        "following",
        "provide", "providing", "producing", "operate", "operating", "rated", "specified", "not", "but", "supporting",
        "per",
        "from", "on", "within", "controlled", "containing", "contains", "incorporating", "using", "employing",
        "exhibiting", "specially", "either", "both", "its", "their", "it", "equal", "mean", "maintain", "between",
    ]

    static func collectTerm(raw: [String], clean: [String], lower: [String], before end: Int) -> String {
        var words: [String] = []
        var k = end - 1
        // "a 'C-NOT error' of less than …": the term comes before "of".
        if k >= 0 && lower[k] == "of" && !(raw[k].hasSuffix(",") || raw[k].hasSuffix(";")) { k -= 1 }
        while k >= 0 && words.count < 6 {
            let r = raw[k]
            if r.hasSuffix(",") || r.hasSuffix(";") || r.hasSuffix(":") { break }
            if stopWords.contains(lower[k]) || clean[k].isEmpty { break }
            if clean[k].utf8.first.map({ $0 >= 0x30 && $0 <= 0x39 }) == true { break }
            // A unit right after a number belongs to the previous threshold, not to this term.
            if Units.table[clean[k]] != nil, k > 0, clean[k - 1].utf8.first.map({ $0 >= 0x30 && $0 <= 0x39 }) == true {
                break
            }
            words.append(clean[k])
            k -= 1
        }
        return words.reversed().joined(separator: " ")
    }

    static func cleanToken(_ t: String) -> String {
        func isLead(_ u: Unicode.Scalar) -> Bool {
            switch u {
            case "(", "\"", "'", "‘", "“", "[": return true
            default: return false
            }
        }
        func isTrail(_ u: Unicode.Scalar) -> Bool {
            switch u {
            case ";", ",", ":", ".", ")", "\"", "'", "’", "”", "]": return true
            default: return false
            }
        }
        let u = t.unicodeScalars
        var start = u.startIndex
        var end = u.endIndex
        while start < end && isLead(u[start]) { start = u.index(after: start) }
        while end > start && isTrail(u[u.index(before: end)]) { end = u.index(before: end) }
        if start == u.startIndex && end == u.endIndex { return t }
        return String(u[start..<end])
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// Reads a number starting at token `i`, with its exponent, thousands groups and an
    /// attached unit.
    static func readNumber(clean: [String], lower: [String], at i: Int, decimalComma: Bool) -> Number? {
        let t = Array(clean[i].utf8)
        guard let first = t.first, isDigit(first) || (first == 0x2d && t.count > 1 && isDigit(t[1])) else { return nil }
        var p = first == 0x2d ? 1 : 0
        while p < t.count && isDigit(t[p]) { p += 1 }
        var intPart = String(decoding: t[0..<p], as: UTF8.self)
        var frac = ""
        if p + 1 < t.count && (t[p] == 0x2c || t[p] == 0x2e) && isDigit(t[p + 1]) {
            let sep = t[p]
            var q = p + 1
            while q < t.count && isDigit(t[q]) { q += 1 }
            let digits = String(decoding: t[(p + 1)..<q], as: UTF8.self)
            if sep == 0x2c && !decimalComma && digits.count == 3 {
                intPart += digits
            } else {
                frac = digits
            }
            p = q
        }
        let rest = String(decoding: t[p...], as: UTF8.self)
        var attached = ""
        if !rest.isEmpty && rest != "×" {
            // "193nm", or a paragraph reference like "3B001" (not a number).
            guard Units.table[rest] != nil else {
                // "10-4" alone: a flattened 10^-4.
                if intPart == "10", rest.hasPrefix("-"), let e = Int(rest.dropFirst()), e > 0, e < 40, frac.isEmpty {
                    return Number(value: "1e-\(e)", end: i + 1, attachedUnit: "", note: nil)
                }
                return nil
            }
            attached = rest
        }
        var end = i + 1
        // Thousands separated by a space: "10 000".
        if frac.isEmpty, attached.isEmpty, intPart.count <= 3, end < clean.count, clean[end].utf8.count == 3,
            clean[end].utf8.allSatisfy(isDigit), end + 1 < clean.count,
            Units.table[clean[end + 1]] != nil || lower[end + 1] == "or"
        {
            intPart += clean[end]
            end += 1
        }
        var value = frac.isEmpty ? intPart : intPart + "." + frac
        // "2 × 108", "1× 10-8": mantissa × 10^exponent with the superscript flattened.
        var note: String?
        if attached.isEmpty {
            var m = end
            var sawTimes = false
            if m < lower.count && (lower[m] == "×" || lower[m] == "x") {
                m += 1
                sawTimes = true
            } else if clean[i].hasSuffix("×") {
                sawTimes = true
            }
            if sawTimes, m < clean.count, clean[m].hasPrefix("10"), clean[m].utf8.count > 2 {
                let e = clean[m].dropFirst(2)
                if let exp = Int(e), abs(exp) < 40 {
                    value = "\(value)e\(exp)"
                    end = m + 1
                    note = nil
                }
            }
        }
        if value.hasSuffix("×") { value.removeLast() }
        return Number(value: value, end: end, attachedUnit: attached, note: note)
    }
}
