/// The head of an HTTP/1.1 reply as `ledger-bench load` needs it: the status code and how many
/// body bytes follow, parsed on bytes (no strings, no allocation).
struct HTTPReplyHead: Equatable {
    /// The status code (100 to 999).
    let status: Int
    /// Bytes of the status line and the header fields, through the blank line.
    let headLength: Int
    /// The `Content-Length` value; 0 when the reply has none.
    let contentLength: Int

    /// What the bytes received so far hold.
    enum Parse: Equatable {
        /// No blank line yet: read more.
        case incomplete
        /// Not an HTTP/1.x reply head: no `HTTP/1.x DDD` status line, or an unreadable or
        /// repeated `Content-Length`.
        case malformed
        case head(HTTPReplyHead)
    }

    /// Largest `Content-Length` accepted (the load test's replies are a few hundred bytes).
    static let maxContentLength = 1 << 30

    /// Parses the head at the start of `bytes`.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Parse {
        guard let end = headEnd(bytes) else { return .incomplete }
        // "HTTP/1.x DDD" then a space or the end of the line.
        guard end >= 12, matches(bytes, at: 0, "HTTP/1.", ignoringCase: false), isDigit(bytes[7]), bytes[8] == 0x20,
            (9..<12).allSatisfy({ isDigit(bytes[$0]) }),
            bytes[12] == 0x20 || bytes[12] == 0x0D, bytes[9] != 0x30
        else { return .malformed }
        let status = (9..<12).reduce(0) { $0 * 10 + Int(bytes[$1] - 0x30) }
        var contentLength: Int?
        var line = lineEnd(bytes, from: 0, to: end) + 2
        while line < end {
            let stop = lineEnd(bytes, from: line, to: end)
            if let value = fieldValue(bytes, line: line, stop: stop, name: "content-length") {
                guard contentLength == nil, let n = decimal(bytes, value) else { return .malformed }
                contentLength = n
            }
            line = stop + 2
        }
        return .head(HTTPReplyHead(status: status, headLength: end + 4, contentLength: contentLength ?? 0))
    }

    /// The offset of the `\r\n\r\n` that ends the head, or nil.
    static func headEnd(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for k in 0...(bytes.count - 4)
        where bytes[k] == 0x0D && bytes[k + 1] == 0x0A && bytes[k + 2] == 0x0D && bytes[k + 3] == 0x0A {
            return k
        }
        return nil
    }

    /// The offset of the `\r\n` that ends the line starting at `from` (`to` when none before it).
    private static func lineEnd(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Int {
        var k = from
        while k < to, !(bytes[k] == 0x0D && bytes[k + 1] == 0x0A) { k += 1 }
        return k
    }

    /// When the line `line..<stop` is the field `name` (ASCII lower case, compared without
    /// case), the range of its value without the whitespace around it.
    private static func fieldValue(_ bytes: UnsafeRawBufferPointer, line: Int, stop: Int, name: StaticString)
        -> Range<Int>?
    {
        let n = name.utf8CodeUnitCount
        guard stop - line > n, bytes[line + n] == UInt8(ascii: ":"), matches(bytes, at: line, name, ignoringCase: true)
        else { return nil }
        var lower = line + n + 1
        var upper = stop
        while lower < upper, bytes[lower] == 0x20 || bytes[lower] == 0x09 { lower += 1 }
        while upper > lower, bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09 { upper -= 1 }
        return lower..<upper
    }

    /// The decimal in `range` (1 to 10 digits, at most ``maxContentLength``), or nil.
    private static func decimal(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 10 else { return nil }
        var n = 0
        for k in range {
            guard isDigit(bytes[k]) else { return nil }
            n = n * 10 + Int(bytes[k] - 0x30)
        }
        return n <= maxContentLength ? n : nil
    }

    /// Whether `bytes` holds `text` at `offset` (ASCII letters without case when `ignoringCase`,
    /// `text` then in lower case).
    private static func matches(
        _ bytes: UnsafeRawBufferPointer, at offset: Int, _ text: StaticString, ignoringCase: Bool
    )
        -> Bool
    {
        let p = text.utf8Start
        let fold: UInt8 = ignoringCase ? 0x20 : 0
        for k in 0..<text.utf8CodeUnitCount where bytes[offset + k] | fold != p[k] { return false }
        return true
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}
