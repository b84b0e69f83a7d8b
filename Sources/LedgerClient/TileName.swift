/// The C2SP tlog-tiles path of a tile a client asks for: `/tile/<L>/<N>[.p/<W>]` or
/// `/tile/entries/<N>[.p/<W>]`, `<N>` in groups of three digits, all but the last prefixed
/// with `x` (1234067 is `x001/x234/067`).
struct TileName {
    /// The hash level, or nil for an entry bundle.
    let level: Int?
    let index: Int64
    /// 1–256: partial below 256.
    let width: Int

    var path: String {
        var n = index
        var groups = [TileName.threeDigits(n % 1000)]
        while n >= 1000 {
            n /= 1000
            groups.append("x" + TileName.threeDigits(n % 1000))
        }
        let head = level.map(String.init) ?? "entries"
        return "/tile/" + head + "/" + groups.reversed().joined(separator: "/") + (width < 256 ? ".p/\(width)" : "")
    }

    static func threeDigits(_ n: Int64) -> String {
        let s = String(n)
        return String(repeating: "0", count: 3 - s.count) + s
    }
}
