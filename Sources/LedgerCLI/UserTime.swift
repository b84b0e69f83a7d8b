import LedgerCore

/// Times that people type, one rule wherever the CLI takes a time (`--as-of`, `--deadline`, a
/// proposal file's `deadline:`, `statement sign --time`; specs/cli.md, "Times"):
///
/// - RFC 3339 with any offset: `2026-10-01T18:00:00+09:00`, `2026-10-01T09:00:00Z` (`T`/`Z`
///   in either case; `-00:00` is UTC). Converted to UTC.
/// - A bare date `2026-10-01`: 00:00:00Z, the first instant of that day in UTC.
/// - Fractional seconds are refused: the ledger keeps whole seconds.
///
/// What the CLI signs and prints is always the UTC form `YYYY-MM-DDTHH:MM:SSZ`.
enum UserTime {
    /// How the error messages describe the accepted forms.
    static let forms =
        "RFC 3339 (2026-10-01T18:00:00+09:00 or 2026-10-01T09:00:00Z) or a date (2026-10-01, meaning 00:00:00Z)"

    /// `s` as a UTC instant, or nil when it is in none of the accepted forms.
    static func instant(_ s: String) -> Timestamp? {
        let b = Array(s.utf8)
        if b.count == 10 { return Timestamp(date: s) }
        // Whole seconds only, and no leap second: the ledger keeps whole seconds of UTC.
        guard b.count >= 20, b[19] != UInt8(ascii: "."), b[17] != UInt8(ascii: "6") || b[18] != UInt8(ascii: "0")
        else { return nil }
        return Timestamp(rfc3339DateTime: s)
    }

    /// `s` as a UTC instant.
    ///
    /// - Parameters:
    ///   - what: the flag or field, for the message: `--as-of`.
    ///   - orElse: what else the flag takes, for the message: "an entry index".
    /// - Throws: `.malformed`, naming the accepted forms; fractional seconds are named as such.
    static func parse(_ s: String, what: String, orElse: String? = nil) throws(LedgerError) -> Timestamp {
        if let t = instant(s) { return t }
        let b = Array(s.utf8)
        if b.count > 20, b[19] == UInt8(ascii: ".") {
            throw .malformed("\(what): \"\(s)\" has fractional seconds; the ledger keeps whole seconds")
        }
        throw .malformed("\(what): \"\(s)\" is \(orElse.map { "neither \($0) nor" } ?? "not") a time: use \(forms)")
    }
}
