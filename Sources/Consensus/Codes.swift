import LedgerCore

/// Validation of the codes that proposals and charters carry: ISO 3166-1 alpha-2 country
/// codes, named destination groups and calendar dates. Item codes have one grammar, that of
/// `ControlCodes.ItemCode`.
package enum Codes {
    /// The officially assigned ISO 3166-1 alpha-2 codes (249), plus `EU` for the European Union.
    package static let countries: Set<String> = Set(
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
    package static func isParty(_ code: String) -> Bool {
        isPartyGrammar(code) && countries.contains(code)
    }

    /// Whether `code` has the form of a party code: exactly two bytes `A`–`Z` (no lookup).
    @inline(__always)
    package static func isPartyGrammar(_ code: String) -> Bool {
        var code = code
        return code.withUTF8 { b in b.count == 2 && isUpper(b[0]) && isUpper(b[1]) }
    }

    /// Whether `s` is a destination: a party code, or a named group `group:<name>` where the
    /// name is 1–64 characters of a–z, A–Z, 0–9, `:`, `-` and `_` (for example
    /// `group:us-ear-D5`, `group:all`).
    package static func isDestination(_ s: String) -> Bool {
        if isParty(s) { return true }
        guard s.hasPrefix("group:") else { return false }
        let name = s.utf8.dropFirst(6)
        return !name.isEmpty && name.count <= 64
            && name.allSatisfy { isAlnum($0) || $0 == 0x3a || $0 == 0x2d || $0 == 0x5f }
    }

    /// Parses a calendar date `YYYY-MM-DD`.
    package static func date(_ s: String) -> Timestamp? { Timestamp(date: s) }

    /// Whether `s` is an identifier: 1–64 characters of A–Z, a–z, 0–9, `.`, `_` and `-`,
    /// starting with a letter or digit.
    package static func isIdentifier(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { b in
            guard !b.isEmpty, b.count <= 64, isAlnum(b[0]) else { return false }
            return b.allSatisfy { isAlnum($0) || $0 == 0x2e || $0 == 0x5f || $0 == 0x2d }
        }
    }

    /// Whether `s` is a forum id: an identifier of at most 32 bytes.
    package static func isForumID(_ s: String) -> Bool { s.utf8.count <= 32 && isIdentifier(s) }

    static func isDigit(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) }
    static func isUpper(_ c: UInt8) -> Bool { (0x41...0x5a).contains(c) }
    static func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || (0x41...0x5a).contains(c) || (0x61...0x7a).contains(c) }

    /// Whether `s` is a decimal number written as text (`12`, `-0.5`, `1e-3`).
    package static func isDecimal(_ s: String) -> Bool {
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
