import ControlCodes

/// Explicit parameters must still be what the text says.
///
/// Our JSON and CSV formats may state an entry's parameters instead of leaving them to
/// ``ParameterExtractor`` (for a threshold the extractor cannot read). When someone later edits
/// the text (45 nm → 40 nm) and not the parameters, the list would compare on a threshold its
/// own text no longer states. Each explicit, parsed parameter's figure must therefore occur in
/// the text as a number (with a decimal point or, as EU texts write it, a decimal comma).
/// Otherwise the import is refused, naming the entry. (A text may state more figures than the
/// parameters: a curator may leave out an alternative threshold.)
enum ParameterCheck {
    /// Why the explicit `parameters` disagree with `text`, or nil when they agree.
    static func disagreement(_ parameters: [Parameter], text: String) -> String? {
        let numbers = numbersIn(text)
        for p in parameters where p.isParsed {
            // `Double` also reads "+45", "4.5e1", "0x2D" and "inf": none of them may skip the check.
            let stated: Bool
            // A negative threshold (-160 dBm, -40 °C) is checked by its magnitude: texts write the
            // sign as "-", "−" or "minus".
            let value = p.value.hasPrefix("-") ? String(p.value.dropFirst()) : p.value
            if let v = canonicalNumber(value), !value.contains(",") {
                stated = numbers.contains(v)
            } else if let (mantissa, exponent) = scientific(value) {
                // `1e-4` as the text writes it: "10-4", "10^-4" (and `2.5e-3`: "2,5 × 10-3"), or
                // with the superscript flattened into the base as the EU texts print it
                // (`10.15e6`: "10,15 × 106").
                let power = numbers.contains("10" + exponent) || (numbers.contains("10") && numbers.contains(exponent))
                stated = power && (mantissa == "1" || numbers.contains(mantissa))
            } else {
                return "parameter \"\(p.term) \(p.comparator.symbol) \(p.value) \(p.unit)\" is not a decimal figure"
                    + " (digits with at most one point, and an optional exponent such as 1e-4)"
            }
            if !stated {
                return "parameter \"\(p.term) \(p.comparator.symbol) \(p.value) \(p.unit)\" is not in the text"
                    + " (the text states \(numbers.isEmpty ? "no figure" : numbers.sorted().joined(separator: ", ")))"
            }
        }
        return nil
    }

    /// Every number written in `text`, canonical (see ``canonicalNumber(_:)``).
    static func numbersIn(_ text: String) -> Set<String> {
        var out = Set<String>()
        var current = ""
        func flush() {
            // A trailing separator is punctuation, not part of the number.
            while let l = current.last, l == "." || l == "," { current.removeLast() }
            if let n = canonicalNumber(current) { out.insert(n) }
            // "1,5" may also be two numbers in a list ("1, 5"): keep the parts too.
            for part in current.split(whereSeparator: { $0 == "," }) where current.contains(",") {
                if let n = canonicalNumber(String(part)) { out.insert(n) }
            }
            current = ""
        }
        for c in text {
            if c.isASCII, c.isNumber || ((c == "." || c == ",") && !current.isEmpty) {
                current.append(c)
            } else {
                flush()
            }
        }
        flush()
        return out
    }

    /// The canonical mantissa and exponent magnitude of `1e-4` or `2.5E+3` (`("1", "4")`,
    /// `("2.5", "3")`); nil for anything else.
    static func scientific(_ s: String) -> (mantissa: String, exponent: String)? {
        let parts = s.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "e" || $0 == "E" })
        guard parts.count == 2, !parts[0].contains(","), let m = canonicalNumber(String(parts[0])) else { return nil }
        var e = parts[1]
        if e.first == "+" || e.first == "-" { e = e.dropFirst() }
        guard !e.isEmpty, e.allSatisfy({ $0.isASCII && $0.isNumber }), let x = canonicalNumber(String(e)) else {
            return nil
        }
        return (m, x)
    }

    /// A decimal figure without leading or trailing zeros, a decimal comma read as a point:
    /// `045,50` → `45.5`; nil when it is not a number.
    static func canonicalNumber(_ s: String) -> String? {
        let t = s.replacingAll(",", with: ".")
        guard !t.isEmpty, t.filter({ $0 == "." }).count <= 1,
            t.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            t.contains(where: \.isNumber)
        else { return nil }
        var parts = t.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var int = String(parts[0].drop(while: { $0 == "0" }))
        if int.isEmpty { int = "0" }
        var frac = parts.count > 1 ? parts[1] : ""
        while frac.last == "0" { frac.removeLast() }
        parts = [int] + (frac.isEmpty ? [] : [frac])
        return parts.joined(separator: ".")
    }
}

extension String {
    /// Every occurrence of `target` replaced (Foundation-free).
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
