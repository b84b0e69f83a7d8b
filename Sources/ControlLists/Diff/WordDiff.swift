/// A word-level diff of two texts (longest common subsequence over words).
public struct WordDiff: Sendable, Hashable {
    /// One run of words.
    public enum Op: Sendable, Hashable {
        case same([String])
        case removed([String])
        case added([String])
    }

    public var ops: [Op]

    /// Texts longer than this many words are diffed as one replacement.
    public static let maxWords = 3_000

    public init(old: String, new: String) {
        let a = WordDiff.words(old)
        let b = WordDiff.words(new)
        ops = WordDiff.diff(a, b)
    }

    static func words(_ s: String) -> [String] {
        s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\u{a0}" }).map(String.init)
    }

    static func diff(_ a: [String], _ b: [String]) -> [Op] {
        // Trim the common prefix and suffix first; most edits are local.
        var p = 0
        while p < a.count && p < b.count && a[p] == b[p] { p += 1 }
        var s = 0
        while s < a.count - p && s < b.count - p && a[a.count - 1 - s] == b[b.count - 1 - s] { s += 1 }
        let am = Array(a[p..<(a.count - s)])
        let bm = Array(b[p..<(b.count - s)])
        var ops: [Op] = []
        if p > 0 { ops.append(.same(Array(a[0..<p]))) }
        if am.count * bm.count > maxWords * maxWords / 4 || am.isEmpty || bm.isEmpty {
            if !am.isEmpty { ops.append(.removed(am)) }
            if !bm.isEmpty { ops.append(.added(bm)) }
        } else {
            // LCS table.
            let n = am.count
            let m = bm.count
            var t = [Int32](repeating: 0, count: (n + 1) * (m + 1))
            for i in stride(from: n - 1, through: 0, by: -1) {
                for j in stride(from: m - 1, through: 0, by: -1) {
                    t[i * (m + 1) + j] =
                        am[i] == bm[j]
                        ? t[(i + 1) * (m + 1) + j + 1] + 1 : max(t[(i + 1) * (m + 1) + j], t[i * (m + 1) + j + 1])
                }
            }
            var i = 0
            var j = 0
            func push(_ op: Op) {
                switch (ops.last, op) {
                case (.same(let x)?, .same(let y)): ops[ops.count - 1] = .same(x + y)
                case (.removed(let x)?, .removed(let y)): ops[ops.count - 1] = .removed(x + y)
                case (.added(let x)?, .added(let y)): ops[ops.count - 1] = .added(x + y)
                default: ops.append(op)
                }
            }
            while i < n || j < m {
                if i < n && j < m && am[i] == bm[j] {
                    push(.same([am[i]]))
                    i += 1
                    j += 1
                } else if i < n && (j == m || t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1]) {
                    push(.removed([am[i]]))
                    i += 1
                } else {
                    push(.added([bm[j]]))
                    j += 1
                }
            }
        }
        if s > 0 {
            let tail = Array(a[(a.count - s)...])
            if case .same(let x)? = ops.last { ops[ops.count - 1] = .same(x + tail) } else { ops.append(.same(tail)) }
        }
        return ops
    }

    /// Whether the texts differ.
    public var hasChanges: Bool { ops.contains { if case .same = $0 { return false } else { return true } } }

    /// `[-old words-]{+new words+}` inline, with long unchanged runs shortened to `…`.
    public func inline(
        context: Int = 6, removed: (String) -> String = { "[-\($0)-]" }, added: (String) -> String = { "{+\($0)+}" }
    ) -> String {
        var parts: [String] = []
        for (k, op) in ops.enumerated() {
            switch op {
            case .same(let w):
                if w.count > 2 * context + 1 {
                    let head = k == 0 ? [] : Array(w.prefix(context))
                    let tail = k == ops.count - 1 ? [] : Array(w.suffix(context))
                    parts.append((head + ["…"] + tail).joined(separator: " "))
                } else {
                    parts.append(w.joined(separator: " "))
                }
            case .removed(let w): parts.append(removed(w.joined(separator: " ")))
            case .added(let w): parts.append(added(w.joined(separator: " ")))
            }
        }
        return parts.filter { !$0.isEmpty }.joined(separator: " ")
    }
}
