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
    /// the canonical path of a tile: the parsed tile must spell itself back exactly.
    package init?(parsing path: Substring) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false)[...]
        guard parts.count >= 2, let first = parts.popFirst() else { return nil }
        let kind: Kind
        if first == "entries" {
            kind = .entries
        } else {
            guard let level = TilePath.decimal(first), level <= Int64(TilePath.maxLevel) else { return nil }
            kind = .hashes(level: Int(level))
        }
        var width = TilePath.fullWidth
        if parts.count >= 2, parts[parts.endIndex - 2].hasSuffix(".p") {
            guard let w = parts.popLast().flatMap(TilePath.decimal), w < Int64(TilePath.fullWidth) else { return nil }
            width = Int(w)
            parts[parts.endIndex - 1] = parts[parts.endIndex - 1].dropLast(2)
        }
        // 7 groups of three digits already exceed Int64.max.
        guard (1...7).contains(parts.count) else { return nil }
        var index: Int64 = 0
        for group in parts {
            guard let digits = TilePath.decimal(group.first == "x" ? group.dropFirst() : group), digits < 1000 else {
                return nil
            }
            let (shifted, o1) = index.multipliedReportingOverflow(by: 1000)
            let (sum, o2) = shifted.addingReportingOverflow(digits)
            guard !o1, !o2 else { return nil }
            index = sum
        }
        guard let tile = TilePath(kind: kind, index: index, width: width), tile.pathBelowTile == path else {
            return nil
        }
        self = tile
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
