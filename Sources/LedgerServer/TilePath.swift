/// A C2SP tlog-tiles resource below `/tile/`: the hash tile `<L>/<N>[.p/<W>]` or the entry
/// bundle `entries/<N>[.p/<W>]`, in its one canonical spelling (https://c2sp.org/tlog-tiles).
///
/// `<N>` is written in groups of three digits, all but the last prefixed with `x`
/// (1234067 is `x001/x234/067`); `.p/<W>` marks a partial tile of width 1–255. Every other
/// spelling of the same tile (leading zeros, an `x000` group, `.p/256`) is not a tile path.
package struct TilePath: Sendable, Hashable, CustomStringConvertible {
    /// What a tile holds.
    package enum Kind: Sendable, Hashable {
        /// Hashes at tree level 8 × `level`: leaf hashes at level 0.
        case hashes(level: Int)
        /// The entries themselves (the "level 0" tile's leaves).
        case entries
    }

    /// Hashes (or entries) in a full tile.
    package static let fullWidth = 256
    /// The highest level C2SP allows in a path.
    package static let maxLevel = 63

    package let kind: Kind
    /// The tile's number within its level.
    package let index: Int64
    /// How many hashes or entries it holds: 1–255 for a partial tile, 256 for a full one.
    package let width: Int

    /// Whether this is a partial tile (`.p/<W>`).
    package var isPartial: Bool { width < TilePath.fullWidth }

    /// A tile; nil for a level outside 0–63, a negative index or a width outside 1–256.
    package init?(kind: Kind, index: Int64, width: Int = TilePath.fullWidth) {
        if case .hashes(let level) = kind, !(0...TilePath.maxLevel).contains(level) { return nil }
        guard index >= 0, (1...TilePath.fullWidth).contains(width) else { return nil }
        self.kind = kind
        self.index = index
        self.width = width
    }

    /// Parses the part of a request path after `/tile/`. Returns nil for anything that is not
    /// the canonical path of a tile, which ``pathBelowTile`` spells back exactly: one pass over
    /// the bytes, nothing allocated (it runs for every tile request).
    package init?(parsing path: Substring) {
        var scanner = TilePath.Scanner(path.utf8)
        let kind: Kind
        if scanner.skip("entries") {
            kind = .entries
        } else {
            guard let level = scanner.decimal(maxDigits: 2), level <= TilePath.maxLevel else { return nil }
            kind = .hashes(level: level)
        }
        guard scanner.skip("/") else { return nil }
        // Groups of three digits: `xDDD/` but the last; the first is not `x000`.
        var index: Int64 = 0
        var groups = 0
        while true {
            let prefixed = scanner.skip("x")
            guard let group = scanner.threeDigits(), groups < 7 else { return nil }
            if groups == 0 && prefixed && group == 0 { return nil }
            let (shifted, o1) = index.multipliedReportingOverflow(by: 1000)
            let (sum, o2) = shifted.addingReportingOverflow(Int64(group))
            guard !o1, !o2 else { return nil }
            index = sum
            groups += 1
            if !prefixed { break }
            guard scanner.skip("/") else { return nil }
        }
        var width = TilePath.fullWidth
        if scanner.skip(".p/") {
            guard let w = scanner.decimal(maxDigits: 3), w >= 1, w < TilePath.fullWidth else { return nil }
            width = w
        }
        guard scanner.isAtEnd else { return nil }
        self.init(kind: kind, index: index, width: width)
    }

    /// Reads a tile path's ASCII bytes front to back.
    private struct Scanner {
        var bytes: Substring.UTF8View

        init(_ bytes: Substring.UTF8View) { self.bytes = bytes }

        var isAtEnd: Bool { bytes.isEmpty }

        /// Consumes `literal` when the bytes start with it.
        mutating func skip(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            let matches = literal.withUTF8Buffer { bytes.starts(with: $0) }
            if matches { bytes.removeFirst(count) }
            return matches
        }

        /// Consumes a decimal of 1 to `maxDigits` digits with no leading zero (but "0").
        mutating func decimal(maxDigits: Int) -> Int? {
            var value = 0
            var digits = 0
            while let b = bytes.first, b >= 0x30, b <= 0x39 {
                guard digits < maxDigits, !(digits == 1 && value == 0) else { return nil }
                value = value * 10 + Int(b - 0x30)
                digits += 1
                bytes.removeFirst()
            }
            return digits == 0 ? nil : value
        }

        /// Consumes exactly three digits.
        mutating func threeDigits() -> Int? {
            var value = 0
            for _ in 0..<3 {
                guard let b = bytes.first, b >= 0x30, b <= 0x39 else { return nil }
                value = value * 10 + Int(b - 0x30)
                bytes.removeFirst()
            }
            return value
        }
    }

    /// The path below `/tile/`: `0/x001/x234/067.p/5`, `entries/000`.
    package var pathBelowTile: String {
        var n = index
        var groups = [TilePath.threeDigits(n % 1000)]
        while n >= 1000 {
            n /= 1000
            groups.append("x" + TilePath.threeDigits(n % 1000))
        }
        let level: String
        switch kind {
        case .hashes(let l): level = String(l)
        case .entries: level = "entries"
        }
        return level + "/" + groups.reversed().joined(separator: "/") + (isPartial ? ".p/\(width)" : "")
    }

    /// The request path: `/tile/0/x001/x234/067.p/5`.
    package var description: String { "/tile/" + pathBelowTile }

    /// A non-negative decimal of ASCII digits (at most 18, so it fits), or nil.
    static func decimal(_ s: Substring) -> Int64? {
        guard !s.isEmpty, s.utf8.count <= 18, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(s)
    }

    static func threeDigits(_ n: Int64) -> String {
        let s = String(n)
        return String(repeating: "0", count: 3 - s.count) + s
    }
}
