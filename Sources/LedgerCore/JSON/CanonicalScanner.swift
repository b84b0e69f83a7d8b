/// A validating scanner for RFC 8785 canonical JSON that builds no values: it checks the
/// text and reports where things are.
///
/// It accepts a subset of what ``JSONParser/parseCanonical(_:limits:)`` accepts, under the
/// same ``JSONLimits``: whenever it is unsure (an escaped key, a key outside the range where
/// UTF-8 order equals UTF-16 order, a string near the length limit) it gives up and returns
/// false, and the caller falls back to the parser, which also produces the error message.
/// So a text it accepts is always one the parser accepts.
struct CanonicalScanner {
    let b: UnsafePointer<UInt8>
    let n: Int
    var pos: Int
    let limits: JSONLimits

    init(_ raw: UnsafeRawBufferPointer, limits: JSONLimits = .ledger) {
        // An empty buffer may have no base address; point at a static byte instead.
        b = raw.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) } ?? CanonicalScanner.empty
        n = raw.count
        pos = 0
        self.limits = limits
    }

    nonisolated(unsafe) private static let empty: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    /// Consumes `text` if the input continues with it.
    mutating func expect(_ text: StaticString) -> Bool {
        let k = text.utf8CodeUnitCount
        guard pos + k <= n, memcmp(b + pos, text.utf8Start, k) == 0 else { return false }
        pos += k
        return true
    }

    /// Scans a string starting at its opening quote. Returns the content's byte range and
    /// whether it contains an escape.
    mutating func string() -> (start: Int, end: Int, escaped: Bool)? {
        // Works on locals (stored back at the end), which the compiler keeps in registers.
        let b = self.b
        let n = self.n
        var pos = self.pos
        guard pos < n, b[pos] == UInt8(ascii: "\"") else { return nil }
        pos += 1
        let start = pos
        var escaped = false
        var ascii = true
        while true {
            // Eight bytes at a time while none is a quote, a backslash, a control character or
            // non-ASCII (a word that may hold one goes byte by byte).
            while pos + 8 <= n {
                let w = UInt64(littleEndian: UnsafeRawPointer(b + pos).loadUnaligned(as: UInt64.self))
                let ones: UInt64 = 0x0101_0101_0101_0101
                let q = w ^ (0x22 &* ones)
                let bs = w ^ (0x5c &* ones)
                let special = ((q &- ones) & ~q) | ((bs &- ones) & ~bs) | ((w &- 0x20 &* ones) & ~w) | w
                let flagged = special & (0x80 &* ones)
                if flagged != 0 {
                    // The lowest flag is exact (a borrow only spreads upwards): skip to that byte.
                    pos += flagged.trailingZeroBitCount / 8
                    break
                }
                pos += 8
            }
            guard pos < n else { break }
            let c = b[pos]
            if c == UInt8(ascii: "\"") { break }
            if c < 0x20 { return nil }
            if c >= 0x80 { ascii = false }
            if c == UInt8(ascii: "\\") {
                escaped = true
                guard pos + 1 < n else { return nil }
                switch b[pos + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                    UInt8(ascii: "r"), UInt8(ascii: "t"):
                    pos += 2
                case UInt8(ascii: "u"):
                    // Canonical only for control characters without a short escape: \u00XX, lowercase.
                    guard pos + 5 < n, b[pos + 2] == 0x30, b[pos + 3] == 0x30 else { return nil }
                    let hi = b[pos + 4]
                    let lo = b[pos + 5]
                    guard hi == 0x30 || hi == 0x31 else { return nil }
                    let loValue: UInt8
                    switch lo {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): loValue = lo - UInt8(ascii: "0")
                    case UInt8(ascii: "a")...UInt8(ascii: "f"): loValue = lo - UInt8(ascii: "a") + 10
                    default: return nil
                    }
                    let scalar = (hi - 0x30) << 4 | loValue
                    switch scalar {
                    case 0x08, 0x09, 0x0a, 0x0c, 0x0d: return nil
                    default: break
                    }
                    pos += 6
                default:
                    return nil
                }
                continue
            }
            pos += 1
        }
        guard pos < n else { return nil }
        let end = pos
        self.pos = pos + 1
        // The raw length bounds the unescaped length; near the limit, let the parser decide.
        guard end - start <= limits.maxStringBytes else { return nil }
        if !ascii && !UTF8Validation.isValid(UnsafeRawBufferPointer(start: b + start, count: end - start)) {
            return nil
        }
        return (start, end, escaped)
    }

    /// Scans an integer as the parser reads it.
    mutating func number() -> Int64? {
        var negative = false
        if pos < n && b[pos] == UInt8(ascii: "-") {
            negative = true
            pos += 1
        }
        guard pos < n, (0x30...0x39).contains(b[pos]) else { return nil }
        if b[pos] == 0x30, pos + 1 < n, (0x30...0x39).contains(b[pos + 1]) { return nil }
        var v: Int64 = 0
        while pos < n, (0x30...0x39).contains(b[pos]) {
            v = v * 10 + Int64(b[pos] - 0x30)
            guard v <= JSONValue.maxSafeInteger else { return nil }
            pos += 1
        }
        if pos < n, b[pos] == UInt8(ascii: ".") || b[pos] == UInt8(ascii: "e") || b[pos] == UInt8(ascii: "E") {
            return nil
        }
        if negative && v == 0 { return nil }
        return negative ? -v : v
    }

    /// Scans any value at `depth` (the top-level value is depth 1).
    mutating func value(depth: Int) -> Bool {
        guard pos < n else { return false }
        switch b[pos] {
        case UInt8(ascii: "{"):
            var none: [CanonicalObject.Member]? = nil
            return object(depth: depth, members: &none, base: 0)
        case UInt8(ascii: "["): return array(depth: depth)
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "t"): return expect("true")
        case UInt8(ascii: "f"): return expect("false")
        case UInt8(ascii: "n"): return expect("null")
        default: return number() != nil
        }
    }

    mutating func array(depth: Int) -> Bool {
        guard depth <= limits.maxDepth else { return false }
        pos += 1
        if pos < n && b[pos] == UInt8(ascii: "]") {
            pos += 1
            return true
        }
        var count = 0
        while true {
            guard value(depth: depth + 1) else { return false }
            count += 1
            guard count <= limits.maxContainerCount, pos < n else { return false }
            if b[pos] == UInt8(ascii: ",") {
                pos += 1
                continue
            }
            if b[pos] == UInt8(ascii: "]") {
                pos += 1
                return true
            }
            return false
        }
    }

    /// Scans an object. When `members` is not nil, appends each member's position, less `base`.
    mutating func object(depth: Int, members: inout [CanonicalObject.Member]?, base: Int) -> Bool {
        guard depth <= limits.maxDepth, pos < n, b[pos] == UInt8(ascii: "{") else { return false }
        pos += 1
        if pos < n && b[pos] == UInt8(ascii: "}") {
            pos += 1
            return true
        }
        var count = 0
        var previous: (start: Int, end: Int)? = nil
        while true {
            guard let key = string(), !key.escaped else { return false }
            // Keys must increase strictly. UTF-8 order is UTF-16 order below U+E000 (lead byte 0xEE).
            var k = key.start
            while k < key.end {
                if b[k] >= 0xEE { return false }
                k += 1
            }
            if let p = previous {
                let pl = p.end - p.start
                let kl = key.end - key.start
                let c = memcmp(b + p.start, b + key.start, min(pl, kl))
                guard c < 0 || (c == 0 && pl < kl) else { return false }
            }
            previous = (key.start, key.end)
            guard pos < n, b[pos] == UInt8(ascii: ":") else { return false }
            pos += 1
            let valueStart = pos
            let first = pos < n ? b[pos] : 0
            var plain = false
            if first == UInt8(ascii: "\"") {
                guard let s = string() else { return false }
                plain = !s.escaped
            } else {
                guard value(depth: depth + 1) else { return false }
            }
            if members != nil {
                members!.append(
                    CanonicalObject.Member(
                        keyStart: Int32(key.start - base), keyEnd: Int32(key.end - base),
                        valueStart: Int32(valueStart - base), valueEnd: Int32(pos - base), keyEscaped: false,
                        plainString: plain))
            }
            count += 1
            guard count <= limits.maxContainerCount, pos < n else { return false }
            if b[pos] == UInt8(ascii: ",") {
                pos += 1
                continue
            }
            if b[pos] == UInt8(ascii: "}") {
                pos += 1
                return true
            }
            return false
        }
    }

    /// The string content between `s.start` and `s.end` as a `String` (the caller has
    /// validated it and knows it holds no escapes).
    func text(_ s: (start: Int, end: Int, escaped: Bool)) -> String {
        String(decoding: UnsafeBufferPointer(start: b + s.start, count: s.end - s.start), as: UTF8.self)
    }

    func raw(_ s: (start: Int, end: Int, escaped: Bool)) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: b + s.start, count: s.end - s.start)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
