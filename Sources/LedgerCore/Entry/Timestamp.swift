/// A UTC instant with one-second resolution, written as RFC 3339 `YYYY-MM-DDTHH:MM:SSZ`.
///
/// That exact form is the only one accepted, so every instant has one encoding.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.secondsSinceEpoch < b.secondsSinceEpoch }

    /// The current time from the system clock.
    public static func now() -> Timestamp {
        Timestamp(secondsSinceEpoch: Int64(SystemClock.secondsSinceEpoch()))
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (years 1970–9999); returns nil otherwise.
    public init?(rfc3339 s: String) {
        var s = s
        guard let t = s.withUTF8({ Timestamp(rfc3339: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = t
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` from UTF-8 bytes.
    public init?(rfc3339 b: UnsafeRawBufferPointer) {
        guard b.count == 20, b[4] == 0x2d, b[7] == 0x2d, b[10] == UInt8(ascii: "T"), b[13] == 0x3a, b[16] == 0x3a,
            b[19] == UInt8(ascii: "Z")
        else { return nil }
        // Every other byte before the Z is a digit.
        var notDigit = false
        for i in 0..<19 where i != 4 && i != 7 && i != 10 && i != 13 && i != 16 {
            notDigit = notDigit || b[i] &- 0x30 > 9
        }
        guard !notDigit else { return nil }
        func num(_ i: Int, _ count: Int) -> Int64 {
            var v: Int64 = 0
            for k in i..<(i + count) { v = v * 10 + Int64(b[k] &- 0x30) }
            return v
        }
        let y = num(0, 4)
        let mo = num(5, 2)
        let d = num(8, 2)
        let h = num(11, 2)
        let mi = num(14, 2)
        let sec = num(17, 2)
        guard y >= 1970, (1...12).contains(mo), d >= 1, d <= Timestamp.daysInMonth(year: y, month: mo), h < 24,
            mi < 60, sec < 60
        else { return nil }
        let days = Timestamp.daysFromCivil(year: y, month: mo, day: d)
        secondsSinceEpoch = days * 86_400 + h * 3_600 + mi * 60 + sec
    }

    /// Parses an RFC 3339 `date-time` in any of its forms, as people and other tools write it:
    /// `T` or `t`, `Z`, `z` or a numeric offset (`+09:00`, `-00:00`), fractional seconds of any
    /// length, and a leap second (`:60`). Returns the UTC instant, truncated to the whole second
    /// (a leap second counts as the second after it); nil otherwise, or before 1970. What the
    /// ledger stores stays the strict form of ``init(rfc3339:)-(String)``.
    package init?(rfc3339DateTime s: String) {
        let b = Array(s.utf8)
        guard b.count >= 20, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") else { return nil }
        func digits(_ r: Range<Int>) -> Int64? {
            guard r.upperBound <= b.count, b[r].allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            return b[r].reduce(0) { $0 * 10 + Int64($1 - 0x30) }
        }
        // A leap second is parsed as :59 and counted one second later.
        let leap: Int64 = b[17] == UInt8(ascii: "6") && b[18] == UInt8(ascii: "0") ? 1 : 0
        var text = b[0..<19]
        text[10] = UInt8(ascii: "T")
        if leap == 1 { (text[17], text[18]) = (UInt8(ascii: "5"), UInt8(ascii: "9")) }
        guard let local = Timestamp(rfc3339: String(decoding: text, as: UTF8.self) + "Z") else { return nil }
        var zone = 19
        if b[zone] == UInt8(ascii: ".") {
            zone += 1
            while zone < b.count, (0x30...0x39).contains(b[zone]) { zone += 1 }
            guard zone > 20 else { return nil }
        }
        var offset: Int64 = 0
        if zone + 1 == b.count, b[zone] == UInt8(ascii: "Z") || b[zone] == UInt8(ascii: "z") {
            offset = 0
        } else {
            guard zone + 6 == b.count, b[zone] == UInt8(ascii: "+") || b[zone] == UInt8(ascii: "-"),
                b[zone + 3] == UInt8(ascii: ":"), let h = digits((zone + 1)..<(zone + 3)),
                let m = digits((zone + 4)..<(zone + 6)), h < 24, m < 60
            else { return nil }
            offset = (h * 3600 + m * 60) * (b[zone] == UInt8(ascii: "+") ? 1 : -1)
        }
        // RFC 3339 §5.7: a leap second only ends a UTC day (23:59:60Z, or the same instant in
        // another offset).
        if leap == 1 {
            let utc = local.secondsSinceEpoch - offset
            guard (utc % 86_400 + 86_400) % 86_400 == 86_399 else { return nil }
        }
        let t = local.adding(seconds: leap - offset)
        guard t.secondsSinceEpoch >= 0 else { return nil }
        self = t
    }

    /// Parses a calendar date `YYYY-MM-DD` as midnight UTC.
    public init?(date s: String) {
        guard s.utf8.count == 10, let t = Timestamp(rfc3339: s + "T00:00:00Z") else { return nil }
        self = t
    }

    /// The RFC 3339 form, `YYYY-MM-DDTHH:MM:SSZ`.
    public var rfc3339: String {
        let days = secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86_400 : (secondsSinceEpoch - 86_399) / 86_400
        let rem = secondsSinceEpoch - days * 86_400
        let (y, m, d) = Timestamp.civilFromDays(days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var year = String(y)
        while year.count < 4 { year = "0" + year }
        return "\(year)-\(two(m))-\(two(d))T\(two(rem / 3600)):\(two(rem / 60 % 60)):\(two(rem % 60))Z"
    }

    public var description: String { rfc3339 }

    public func adding(seconds: Int64) -> Timestamp { Timestamp(secondsSinceEpoch: secondsSinceEpoch + seconds) }

    static func isLeap(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days algorithms.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
