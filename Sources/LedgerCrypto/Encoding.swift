/// Standard base64 (RFC 4648 §4, with padding), strict on decode.
public enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let table: [Int8] = {
        var t = [Int8](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = Int8(i) }
        return t
    }()

    /// Encodes bytes as standard padded base64.
    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        encode(Array(bytes))
    }

    /// Encodes bytes as standard padded base64.
    public static func encode(_ input: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= input.count {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(alphabet[Int(n & 63)])
            i += 3
        }
        let rest = input.count - i
        if rest == 1 {
            let n = UInt32(input[i]) << 16
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        } else if rest == 2 {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(alphabet[Int(n >> 6 & 63)])
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes standard padded base64. Returns nil for any character outside the alphabet, a
    /// length that is not a multiple of 4, misplaced padding, or non-zero trailing bits
    /// (so every byte string has exactly one accepted encoding).
    public static func decode(_ string: String) -> [UInt8]? {
        var string = string
        return string.withUTF8 { decode(utf8: $0) }
    }

    /// Decodes standard padded base64 from UTF-8 bytes.
    public static func decode(utf8 s: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard let count = decodedCount(utf8: s) else { return nil }
        var ok = true
        let out = [UInt8](unsafeUninitializedCapacity: count) { buf, n in
            ok = decode(utf8: s, into: buf.baseAddress)
            n = ok ? count : 0
        }
        return ok ? out : nil
    }

    /// The number of bytes `s` decodes to, or nil when its length is not a multiple of 4.
    public static func decodedCount(utf8 s: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = s.count
        guard n % 4 == 0 else { return nil }
        guard n > 0 else { return 0 }
        let eq = UInt8(ascii: "=")
        let pad = s[n - 1] == eq ? (s[n - 2] == eq ? 2 : 1) : 0
        return n / 4 * 3 - pad
    }

    /// Decodes `s` into `out`, which has room for ``decodedCount(utf8:)`` bytes. Returns false
    /// for any character outside the alphabet, misplaced padding or non-zero trailing bits.
    public static func decode(utf8 s: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>?) -> Bool {
        let n = s.count
        guard n % 4 == 0 else { return false }
        guard n > 0, let out else { return n == 0 }
        // Padding: "=" only as the last one or two characters.
        let eq = UInt8(ascii: "=")
        let pad = s[n - 1] == eq ? (s[n - 2] == eq ? 2 : 1) : 0
        return table.withUnsafeBufferPointer { t in
            var i = 0
            var o = 0
            // Every quad but the last: four alphabet characters, three bytes.
            while i + 4 < n {
                let a = t[Int(s[i])]
                let b = t[Int(s[i + 1])]
                let c = t[Int(s[i + 2])]
                let d = t[Int(s[i + 3])]
                guard a | b | c | d >= 0 else { return false }
                let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                out[o] = UInt8(truncatingIfNeeded: v >> 16)
                out[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                out[o + 2] = UInt8(truncatingIfNeeded: v)
                i += 4
                o += 3
            }
            // The last quad, with its padding; the unused bits must be zero.
            let a = t[Int(s[i])]
            let b = t[Int(s[i + 1])]
            let c = pad == 2 ? 0 : t[Int(s[i + 2])]
            let d = pad >= 1 ? 0 : t[Int(s[i + 3])]
            guard a | b | c | d >= 0 else { return false }
            let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
            out[o] = UInt8(truncatingIfNeeded: v >> 16)
            if pad < 2 { out[o + 1] = UInt8(truncatingIfNeeded: v >> 8) } else if v & 0xffff != 0 { return false }
            if pad < 1 { out[o + 2] = UInt8(truncatingIfNeeded: v) } else if v & 0xff != 0 { return false }
            return true
        }
    }
}

/// Lowercase hexadecimal.
public enum Hex {
    static let digits = Array("0123456789abcdef".utf8)

    /// Encodes bytes as lowercase hex.
    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex (either case); returns nil on odd length or a non-hex character.
    public static func decode(_ string: String) -> [UInt8]? {
        let s = Array(string.utf8)
        guard s.count % 2 == 0 else { return nil }
        func v(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(s.count / 2)
        var i = 0
        while i < s.count {
            guard let h = v(s[i]), let l = v(s[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }
}
