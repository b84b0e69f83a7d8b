/// Limits enforced on every JSON text the ledger accepts. They are part of the format
/// (specs/ledger-format.md §Limits).
public struct JSONLimits: Sendable {
    /// Deepest nesting of arrays and objects (the top-level value is depth 1).
    public var maxDepth: Int
    /// Longest string, in UTF-8 bytes after unescaping.
    public var maxStringBytes: Int
    /// Most members in one object or elements in one array.
    public var maxContainerCount: Int
    /// Longest input text, in bytes.
    public var maxInputBytes: Int

    public init(
        maxDepth: Int = 16, maxStringBytes: Int = 16_384, maxContainerCount: Int = 4_096, maxInputBytes: Int = 65_535
    ) {
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
        self.maxContainerCount = maxContainerCount
        self.maxInputBytes = maxInputBytes
    }

    /// The limits used for entries, statements and bodies.
    public static let ledger = JSONLimits()
}

/// A strict JSON parser (RFC 8259) that refuses invalid UTF-8, duplicate keys, lone
/// surrogates, non-integer numbers and integers outside ±(2^53 − 1).
public struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    var pos = 0
    let limits: JSONLimits
    /// When set, the parser accepts only RFC 8785 canonical text: no whitespace, keys in
    /// strictly increasing UTF-16 order, and only the shortest string escapes. Numbers are
    /// already canonical whenever they parse (integers, no leading zeros, no -0).
    var canonicalOnly = false

    /// Parses one JSON text. Whitespace around and inside the value is allowed.
    public static func parse(_ bytes: [UInt8], limits: JSONLimits = .ledger) throws(LedgerError) -> JSONValue {
        try bytes.withUnsafeBytes { raw in Result { () throws(LedgerError) in try parse(raw, limits: limits) } }.get()
    }

    /// Parses one JSON text from raw memory.
    public static func parse(_ raw: UnsafeRawBufferPointer, limits: JSONLimits = .ledger) throws(LedgerError)
        -> JSONValue
    {
        guard raw.count <= limits.maxInputBytes else {
            throw .malformed("JSON text is \(raw.count) bytes, over the \(limits.maxInputBytes)-byte limit")
        }
        var p = JSONParser(bytes: raw, limits: limits)
        try p.skipSpace()
        let v = try p.value(depth: 1)
        try p.skipSpace()
        guard p.pos == raw.count else { throw p.fail("trailing data after the JSON value") }
        return v
    }

    /// Parses a text that must already be in RFC 8785 canonical form. Canonical form is
    /// checked while parsing (no re-encoding): malformed JSON throws `.malformed`, well-formed
    /// but non-canonical JSON throws `.nonCanonical`.
    public static func parseCanonical(_ raw: UnsafeRawBufferPointer, limits: JSONLimits = .ledger) throws(LedgerError)
        -> JSONValue
    {
        guard raw.count <= limits.maxInputBytes else {
            throw .malformed("JSON text is \(raw.count) bytes, over the \(limits.maxInputBytes)-byte limit")
        }
        var p = JSONParser(bytes: raw, limits: limits)
        p.canonicalOnly = true
        do throws(LedgerError) {
            let v = try p.value(depth: 1)
            guard p.pos == raw.count else { throw p.fail("trailing data after the JSON value") }
            return v
        } catch {
            // Tell "not JSON" apart from "JSON, but not canonical".
            let isJSON = (try? parse(raw, limits: limits)) != nil
            if error.code == .nonCanonical && !isJSON { throw LedgerError.malformed(error.message) }
            if error.code != .nonCanonical && isJSON { throw p.notCanonical(error.message) }
            throw error
        }
    }

    func notCanonical(_ why: String) -> LedgerError {
        .nonCanonical("JSON is not in RFC 8785 canonical form at byte \(pos): \(why)")
    }

    func fail(_ why: String) -> LedgerError {
        .malformed("invalid JSON at byte \(pos): \(why)")
    }

    mutating func skipSpace() throws(LedgerError) {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0a, 0x0d:
                if canonicalOnly { throw notCanonical("whitespace") }
                pos += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(LedgerError) -> JSONValue {
        guard pos < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[pos] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try number())
        default: throw fail("unexpected character")
        }
    }

    mutating func literal(_ word: StaticString) throws(LedgerError) {
        let n = word.utf8CodeUnitCount
        guard pos + n <= bytes.count else { throw fail("unexpected end of input") }
        for i in 0..<n where bytes[pos + i] != word.utf8Start[i] { throw fail("invalid literal") }
        pos += n
    }

    mutating func number() throws(LedgerError) -> Int64 {
        let start = pos
        var negative = false
        if bytes[pos] == UInt8(ascii: "-") {
            negative = true
            pos += 1
        }
        guard pos < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[pos]) else {
            throw fail("invalid number")
        }
        if bytes[pos] == UInt8(ascii: "0"), pos + 1 < bytes.count,
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[pos + 1])
        {
            throw fail("leading zero in number")
        }
        var v: Int64 = 0
        while pos < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[pos]) {
            v = v * 10 + Int64(bytes[pos] - UInt8(ascii: "0"))
            guard v <= JSONValue.maxSafeInteger else {
                pos = start
                throw fail("integer outside ±(2^53 − 1)")
            }
            pos += 1
        }
        if pos < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[pos]) {
            pos = start
            throw fail("only integers are allowed; write decimals as strings")
        }
        if negative && v == 0 {
            pos = start
            throw fail("negative zero")
        }
        return negative ? -v : v
    }

    mutating func string() throws(LedgerError) -> String {
        pos += 1  // opening quote
        let start = pos
        // Fast path: no escapes, so the string is a slice of the input.
        while pos < bytes.count {
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<pos])
                guard slice.count <= limits.maxStringBytes else {
                    throw fail("string of \(slice.count) bytes is over the \(limits.maxStringBytes)-byte limit")
                }
                guard UTF8Validation.isValid(slice) else { throw fail("invalid UTF-8 in string") }
                pos += 1
                return String(decoding: slice.bindMemory(to: UInt8.self), as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw fail("unescaped control character in string") }
            pos += 1
        }
        pos = start
        var buf = [UInt8]()
        var simpleStart = pos
        while true {
            guard pos < bytes.count else { throw fail("unterminated string") }
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                buf.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[simpleStart..<pos]))
                pos += 1
                break
            }
            if b < 0x20 { throw fail("unescaped control character in string") }
            if b == UInt8(ascii: "\\") {
                buf.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[simpleStart..<pos]))
                pos += 1
                guard pos < bytes.count else { throw fail("unterminated escape") }
                let e = bytes[pos]
                pos += 1
                if canonicalOnly && e == UInt8(ascii: "/") {
                    pos -= 2
                    throw notCanonical("\\/ escape")
                }
                switch e {
                case UInt8(ascii: "\""): buf.append(0x22)
                case UInt8(ascii: "\\"): buf.append(0x5c)
                case UInt8(ascii: "/"): buf.append(0x2f)
                case UInt8(ascii: "b"): buf.append(0x08)
                case UInt8(ascii: "f"): buf.append(0x0c)
                case UInt8(ascii: "n"): buf.append(0x0a)
                case UInt8(ascii: "r"): buf.append(0x0d)
                case UInt8(ascii: "t"): buf.append(0x09)
                case UInt8(ascii: "u"):
                    let escapeStart = pos - 2
                    var scalar = try hex4()
                    if canonicalOnly {
                        // Only control characters without a short escape may use \u, in lowercase.
                        let text = UnsafeRawBufferPointer(rebasing: bytes[(pos - 4)..<pos])
                        let lower = text.allSatisfy { !(UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) }
                        guard scalar < 0x20, ![0x08, 0x09, 0x0a, 0x0c, 0x0d].contains(scalar), lower else {
                            pos = escapeStart
                            throw notCanonical("unnecessary or non-canonical \\u escape")
                        }
                    }
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"),
                            bytes[pos + 1] == UInt8(ascii: "u")
                        else { throw fail("lone high surrogate") }
                        pos += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw fail("lone low surrogate")
                    }
                    buf.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
                default: throw fail("invalid escape")
                }
                simpleStart = pos
                continue
            }
            pos += 1
        }
        guard buf.count <= limits.maxStringBytes else {
            throw fail("string of \(buf.count) bytes is over the \(limits.maxStringBytes)-byte limit")
        }
        let valid = buf.withUnsafeBytes { UTF8Validation.isValid($0) }
        guard valid else { throw fail("invalid UTF-8 in string") }
        return String(decoding: buf, as: UTF8.self)
    }

    mutating func hex4() throws(LedgerError) -> UInt32 {
        guard pos + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[pos]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | d
            pos += 1
        }
        return v
    }

    mutating func array(depth: Int) throws(LedgerError) -> JSONValue {
        guard depth <= limits.maxDepth else { throw fail("nesting deeper than \(limits.maxDepth)") }
        pos += 1
        var out = [JSONValue]()
        try skipSpace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") {
            pos += 1
            return .array(out)
        }
        while true {
            try skipSpace()
            out.append(try value(depth: depth + 1))
            guard out.count <= limits.maxContainerCount else {
                throw fail("array longer than \(limits.maxContainerCount)")
            }
            try skipSpace()
            guard pos < bytes.count else { throw fail("unterminated array") }
            if bytes[pos] == UInt8(ascii: ",") {
                pos += 1
                continue
            }
            if bytes[pos] == UInt8(ascii: "]") {
                pos += 1
                return .array(out)
            }
            throw fail("expected , or ]")
        }
    }

    mutating func object(depth: Int) throws(LedgerError) -> JSONValue {
        guard depth <= limits.maxDepth else { throw fail("nesting deeper than \(limits.maxDepth)") }
        pos += 1
        var out = JSONObject(minimumCapacity: 8)
        var previousKey: String?
        try skipSpace()
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") {
            pos += 1
            return .object(out)
        }
        while true {
            try skipSpace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let keyPos = pos
            let key = try string()
            if canonicalOnly, let prev = previousKey, !CanonicalJSON.precedes(prev, key) {
                pos = keyPos
                // Keys are compared as bytes (RFC 8785), never by `String` equality, which is
                // canonical equivalence.
                throw prev.utf8.elementsEqual(key.utf8)
                    ? fail("duplicate key \"\(key)\"") : notCanonical("keys out of order")
            }
            previousKey = key
            try skipSpace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw fail("expected :") }
            pos += 1
            try skipSpace()
            let v = try value(depth: depth + 1)
            // Keys are compared as bytes: NFC `é` and NFD `é` are two keys (RFC 8785).
            guard out.updateValue(v, forKey: key) == nil else {
                pos = keyPos
                throw fail("duplicate key \"\(key)\"")
            }
            guard out.count <= limits.maxContainerCount else {
                throw fail("object larger than \(limits.maxContainerCount)")
            }
            try skipSpace()
            guard pos < bytes.count else { throw fail("unterminated object") }
            if bytes[pos] == UInt8(ascii: ",") {
                pos += 1
                continue
            }
            if bytes[pos] == UInt8(ascii: "}") {
                pos += 1
                return .object(out)
            }
            throw fail("expected , or }")
        }
    }
}

/// Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
enum UTF8Validation {
    static func isValid(_ b: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 {
                i += 1
                continue
            }
            func cont(_ k: Int) -> Bool { i + k < n && b[i + k] & 0xC0 == 0x80 }
            if c >= 0xC2 && c <= 0xDF {
                guard cont(1) else { return false }
                i += 2
            } else if c >= 0xE0 && c <= 0xEF {
                guard cont(1), cont(2) else { return false }
                let c1 = b[i + 1]
                if c == 0xE0 && c1 < 0xA0 { return false }  // overlong
                if c == 0xED && c1 >= 0xA0 { return false }  // surrogates
                i += 3
            } else if c >= 0xF0 && c <= 0xF4 {
                guard cont(1), cont(2), cont(3) else { return false }
                let c1 = b[i + 1]
                if c == 0xF0 && c1 < 0x90 { return false }  // overlong
                if c == 0xF4 && c1 >= 0x90 { return false }  // above U+10FFFF
                i += 4
            } else {
                return false
            }
        }
        return true
    }
}
