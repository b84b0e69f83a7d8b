import LedgerCore

/// Validation of the codes that proposals and charters carry: ISO 3166-1 alpha-2 country
/// codes, named destination groups, control-list item codes and calendar dates.
public enum Codes {
    /// The officially assigned ISO 3166-1 alpha-2 codes (249), plus `EU` for the European Union.
    public static let countries: Set<String> = Set(
        """
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
        CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO
        FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE
        JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO
        MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
        PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM
        TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW EU
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))

    /// Whether `code` is an assigned ISO 3166-1 alpha-2 code or `EU`, compared as bytes: exactly
    /// two bytes `A`–`Z`. (`String` equality is canonical equivalence, under which U+212A KELVIN
    /// SIGN equals `K`; the byte check comes first so that only ASCII reaches the set.)
    public static func isParty(_ code: String) -> Bool {
        isPartyGrammar(code) && countries.contains(code)
    }

    /// Whether `code` has the form of a party code: exactly two bytes `A`–`Z` (no lookup).
    @inline(__always)
    public static func isPartyGrammar(_ code: String) -> Bool {
        var code = code
        return code.withUTF8 { b in b.count == 2 && isUpper(b[0]) && isUpper(b[1]) }
    }

    /// Whether `s` is a destination: a party code, or a named group `group:<name>` where the
    /// name is 1–64 characters of a–z, A–Z, 0–9, `:`, `-` and `_` (for example
    /// `group:us-ear-D5`, `group:all`).
    public static func isDestination(_ s: String) -> Bool {
        if isParty(s) { return true }
        guard s.hasPrefix("group:") else { return false }
        let name = s.utf8.dropFirst(6)
        return !name.isEmpty && name.count <= 64
            && name.allSatisfy { isAlnum($0) || $0 == 0x3a || $0 == 0x2d || $0 == 0x5f }
    }

    /// The item-code schemes a proposal may use.
    public static let schemes: [String] = ["wassenaar", "eu", "us-eccn", "jp", "hs"]

    /// Whether `code` is well formed under `scheme`.
    ///
    /// - `wassenaar`, `eu`, `us-eccn`: category digit, product group A–E, three digits, then
    ///   optional `.segment`s, each 1–4 digits without a leading zero or 1–3 lower-case letters
    ///   (`3B001.f.1.b`, `4A906`); at most 40 bytes; `us-eccn` also accepts `EAR99`.
    /// - `jp`: an Export Trade Control Order Appended Table 1 row, 1–16 or `3-2`, optionally
    ///   followed by item numbers in parentheses (`7(18)`, `7(18-2)`), every number without
    ///   leading zeros (`07`, `7(018)` and `7(18-02)` are not codes).
    /// - `hs`: four digits, then up to three more pairs of digits, each optionally preceded by
    ///   a dot (`8486`, `8486.20`, `848620`).
    public static func isItemCode(_ code: String, scheme: String) -> Bool {
        let b = Array(code.utf8)
        switch scheme {
        case "wassenaar", "eu", "us-eccn":
            if scheme == "us-eccn" && b == Array("EAR99".utf8) { return true }
            guard b.count >= 5, b.count <= 40, isDigit(b[0]), (0x41...0x45).contains(b[1]), isDigit(b[2]),
                isDigit(b[3]),
                isDigit(b[4])
            else { return false }
            // Each segment is a number (1–4 digits, no leading zero) or 1–3 lower-case letters,
            // as `ControlLists.ItemCode` reads them; no letters and digits mixed.
            var i = 5
            while i < b.count {
                guard b[i] == 0x2e else { return false }
                i += 1
                let start = i
                if i < b.count && isDigit(b[i]) {
                    while i < b.count && isDigit(b[i]) { i += 1 }
                    guard i - start <= 4, b[start] != 0x30 || i - start == 1 else { return false }
                } else {
                    while i < b.count && (0x61...0x7a).contains(b[i]) { i += 1 }
                    guard i > start, i - start <= 3 else { return false }
                }
                guard i == b.count || b[i] == 0x2e else { return false }
            }
            return true
        case "jp":
            var i = 0
            while i < b.count && (isDigit(b[i]) || b[i] == 0x2d) { i += 1 }
            let row = String(decoding: b[0..<i], as: UTF8.self)
            let rows: Set<String> = Set((1...16).map(String.init) + ["3-2"])
            guard rows.contains(row) else { return false }
            while i < b.count {
                guard b[i] == 0x28 else { return false }
                i += 1
                // Item numbers are written without leading zeros, like the row ("07" is not a row).
                let start = i
                while i < b.count && isDigit(b[i]) { i += 1 }
                guard i > start, i - start == 1 || b[start] != 0x30 else { return false }
                if i < b.count && b[i] == 0x2d {
                    i += 1
                    let s2 = i
                    while i < b.count && isDigit(b[i]) { i += 1 }
                    guard i > s2, i - s2 == 1 || b[s2] != 0x30 else { return false }
                }
                guard i < b.count && b[i] == 0x29 else { return false }
                i += 1
            }
            return true
        case "hs":
            guard b.count >= 4, b[0..<4].allSatisfy(isDigit) else { return false }
            var i = 4
            var pairs = 0
            while i < b.count {
                if b[i] == 0x2e { i += 1 }
                guard i + 2 <= b.count, isDigit(b[i]), isDigit(b[i + 1]) else { return false }
                i += 2
                pairs += 1
            }
            return pairs <= 3
        default:
            return false
        }
    }

    /// Parses a calendar date `YYYY-MM-DD`.
    public static func date(_ s: String) -> Timestamp? { Timestamp(date: s) }

    /// Whether `s` is an identifier: 1–64 characters of A–Z, a–z, 0–9, `.`, `_` and `-`,
    /// starting with a letter or digit.
    public static func isIdentifier(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { b in
            guard !b.isEmpty, b.count <= 64, isAlnum(b[0]) else { return false }
            return b.allSatisfy { isAlnum($0) || $0 == 0x2e || $0 == 0x5f || $0 == 0x2d }
        }
    }

    /// Whether `s` is a forum id: an identifier of at most 32 bytes.
    public static func isForumID(_ s: String) -> Bool { s.utf8.count <= 32 && isIdentifier(s) }

    static func isDigit(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) }
    static func isUpper(_ c: UInt8) -> Bool { (0x41...0x5a).contains(c) }
    static func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || (0x41...0x5a).contains(c) || (0x61...0x7a).contains(c) }

    /// Whether `s` is a decimal number written as text (`12`, `-0.5`, `1e-3`).
    public static func isDecimal(_ s: String) -> Bool {
        let b = Array(s.utf8)
        var i = 0
        if i < b.count && b[i] == 0x2d { i += 1 }
        let intStart = i
        while i < b.count && isDigit(b[i]) { i += 1 }
        guard i > intStart else { return false }
        if i < b.count && b[i] == 0x2e {
            i += 1
            let s2 = i
            while i < b.count && isDigit(b[i]) { i += 1 }
            guard i > s2 else { return false }
        }
        if i < b.count && (b[i] == 0x65 || b[i] == 0x45) {
            i += 1
            if i < b.count && (b[i] == 0x2b || b[i] == 0x2d) { i += 1 }
            let s3 = i
            while i < b.count && isDigit(b[i]) { i += 1 }
            guard i > s3 else { return false }
        }
        return i == b.count
    }
}
