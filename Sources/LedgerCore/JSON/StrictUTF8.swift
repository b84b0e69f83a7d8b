/// Strict UTF-8 decoding of user input: invalid input is refused, never transcoded.
///
/// `String(decoding:as:)` replaces invalid sequences with U+FFFD, which would then be signed
/// and kept forever; every file, line and argument the tools accept goes through here instead.
public enum StrictUTF8 {
    /// Where the first invalid UTF-8 sequence of `bytes` starts: its 1-based line, and the
    /// 0-based byte offset in the whole input. Nil when `bytes` is valid UTF-8 (RFC 3629).
    public static func firstError(_ bytes: UnsafeRawBufferPointer) -> (line: Int, offset: Int)? {
        guard !UTF8Validation.isValid(bytes) else { return nil }
        // Valid prefix: find the first offset at which validation of the rest fails.
        var i = 0
        var line = 1
        let n = bytes.count
        while i < n {
            let c = bytes[i]
            if c == 0x0a { line += 1 }
            let len: Int
            switch c {
            case 0..<0x80: len = 1
            case 0xC2...0xDF: len = 2
            case 0xE0...0xEF: len = 3
            case 0xF0...0xF4: len = 4
            default: return (line, i)
            }
            guard i + len <= n,
                UTF8Validation.isValid(UnsafeRawBufferPointer(rebasing: bytes[i..<(i + len)]))
            else { return (line, i) }
            i += len
        }
        return nil
    }

    /// As ``firstError(_:)-(UnsafeRawBufferPointer)`` for an array.
    public static func firstError(_ bytes: [UInt8]) -> (line: Int, offset: Int)? {
        bytes.withUnsafeBytes { firstError($0) }
    }

    /// Decodes `bytes`, or throws `.malformed("<what>:L: byte B: invalid UTF-8")` (the
    /// `file:line` convention of the other input errors).
    public static func decode(_ bytes: [UInt8], what: String) throws(LedgerError) -> String {
        if let (line, offset) = firstError(bytes) {
            throw .malformed("\(what):\(line): byte \(offset): invalid UTF-8")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
