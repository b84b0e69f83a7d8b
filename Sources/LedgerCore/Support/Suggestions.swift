/// "Did you mean …?": the closest known name to a mistyped one.
package enum Suggestions {
    /// The candidate closest to `input` by edit distance (case-insensitive; a transposition
    /// counts one), if one is close enough to be what was meant: distance ≤ 2 for short names,
    /// ≤ a third of the length for long ones, or one name a prefix of the other. Ties go to the
    /// earlier candidate. With `maxDistance`, only candidates within that distance count (no
    /// prefix rule): for short codes such as party codes, where any two are within distance 2.
    package static func closest(
        to input: String, among candidates: some Sequence<String>, maxDistance: Int? = nil
    ) -> String? {
        let a = Array(input.lowercased().unicodeScalars)
        guard !a.isEmpty else { return nil }
        var best: (String, Int)?
        for c in candidates {
            let b = Array(c.lowercased().unicodeScalars)
            guard b != a else { return c }
            let d = distance(a, b)
            let limit = maxDistance ?? max(2, min(a.count, b.count) / 3)
            let prefix =
                maxDistance == nil && min(a.count, b.count) >= 3 && (b.starts(with: a) || a.starts(with: b))
            guard d <= limit || prefix else { continue }
            let score = prefix ? min(d, limit) : d
            if best == nil || score < best!.1 { best = (c, score) }
        }
        return best?.0
    }

    /// Optimal string alignment distance (Damerau–Levenshtein without repeated edits).
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev2 = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { cur[j] = min(cur[j], prev2[j - 2] + 1) }
            }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[b.count]
    }

    /// `; did you mean "X"?` for a message, or "" when nothing is close.
    package static func didYouMean(
        _ input: String, among candidates: some Sequence<String>, maxDistance: Int? = nil
    ) -> String {
        closest(to: input, among: candidates, maxDistance: maxDistance).map { "; did you mean \"\($0)\"?" } ?? ""
    }
}
