/// A JSON value restricted to what the ledger hashes: integers only (|n| ≤ 2^53 − 1), no
/// floating point, and objects with unique keys.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case string(String)
    case array([JSONValue])
    /// An object; its keys are compared as bytes (see ``JSONObject``).
    case object(JSONObject)

    /// An object with the members of `dictionary`.
    public static func object(_ dictionary: [String: JSONValue]) -> JSONValue { .object(JSONObject(dictionary)) }

    /// The largest magnitude an integer may have (RFC 8785 / I-JSON safe range).
    public static let maxSafeInteger: Int64 = 9_007_199_254_740_991

    /// The member `key` when this is an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var integerValue: Int64? {
        if case .integer(let i) = self { return i }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The RFC 8785 canonical encoding.
    public var canonicalBytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256)
        CanonicalJSON.write(self, into: &out)
        return out
    }

    /// The RFC 8785 canonical encoding as a string.
    public var canonicalString: String {
        String(decoding: canonicalBytes, as: UTF8.self)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var o = JSONObject(minimumCapacity: elements.count)
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
    public init(nilLiteral: ()) { self = .null }
}

/// RFC 8785 (JSON Canonicalization Scheme) serialization.
public enum CanonicalJSON {
    /// Appends the canonical encoding of `value` to `out`.
    public static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: [0x6e, 0x75, 0x6c, 0x6c])
        case .bool(let b): out.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
        case .integer(let i): out.append(contentsOf: String(i).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(v, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            for (i, key) in sortedKeys(o.keys).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(o[key]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Keys in RFC 8785 order: by UTF-16 code units.
    public static func sortedKeys<Keys: Sequence>(_ keys: Keys) -> [String] where Keys.Element == String {
        keys.sorted(by: precedes)
    }

    /// RFC 8785 key order: by UTF-16 code units. UTF-8 byte order agrees with it except
    /// between U+E000…U+FFFF and supplementary characters, so UTF-8 is compared unless a
    /// byte ≥ 0xEE (the lead byte of U+E000 and above) occurs.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        var a = a
        var b = b
        let fast: Bool? = a.withUTF8 { ua in
            b.withUTF8 { ub in
                if ua.contains(where: { $0 >= 0xEE }) || ub.contains(where: { $0 >= 0xEE }) { return nil }
                return ua.lexicographicallyPrecedes(ub)
            }
        }
        return fast ?? a.utf16.lexicographicallyPrecedes(b.utf16)
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// Writes a string with the shortest JSON escaping.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5c, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5c, 0x5c])
            case 0x08: out.append(contentsOf: [0x5c, UInt8(ascii: "b")])
            case 0x0c: out.append(contentsOf: [0x5c, UInt8(ascii: "f")])
            case 0x0a: out.append(contentsOf: [0x5c, UInt8(ascii: "n")])
            case 0x0d: out.append(contentsOf: [0x5c, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5c, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [0x5c, UInt8(ascii: "u"), 0x30, 0x30])
                out.append(hexDigits[Int(b >> 4)])
                out.append(hexDigits[Int(b & 15)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
