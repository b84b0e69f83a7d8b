#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads `entries.jsonl` front to back in chunks of whole lines, finding the lines by their
/// newlines: it trusts no index. Memory stays bounded by the chunk size, and a line longer
/// than an entry may be is refused as soon as that many bytes have been read without a
/// newline.
public struct EntryLineReader: EntryCursor {
    let fd: Int32
    let path: String
    /// The next byte to read: the start of the next line.
    public private(set) var offset: Int64
    /// The index of the next line.
    public private(set) var nextIndex: Int64
    /// Bytes past this offset are never read.
    public let limit: Int64
    let chunkBytes: Int
    var buffer: [UInt8] = []

    /// - Parameters:
    ///   - fd: an open `entries.jsonl`.
    ///   - offset: where line `index` starts.
    ///   - limit: the byte offset to read up to (the file's size, or a committed end).
    package init(fd: Int32, path: String, offset: Int64 = 0, index: Int64 = 0, limit: Int64, chunkBytes: Int = 8 << 20)
    {
        self.fd = fd
        self.path = path
        self.offset = offset
        self.nextIndex = index
        self.limit = limit
        self.chunkBytes = max(chunkBytes, Entry.maxBytes + 2)
    }

    /// The bytes between ``offset`` and ``limit`` once every complete line has been read: a
    /// last line without its newline (a torn write), or nothing.
    public var remainingBytes: Int64 { limit - offset }

    /// The next chunk of at most `maxLines` complete lines, or nil when no complete line is
    /// left before ``limit``. Throws when a line is longer than an entry may be.
    public mutating func next(maxLines: Int64 = .max) throws(LedgerError) -> EntryChunk? {
        guard maxLines > 0, offset < limit else { return nil }
        let want = Int(min(Int64(chunkBytes), limit - offset))
        if buffer.count < want { buffer = [UInt8](repeating: 0, count: want) }
        let start = offset
        let path = path
        let fd = fd
        try buffer.withUnsafeMutableBytes { raw in
            Result { () throws(LedgerError) in
                try POSIX.readAll(
                    fd, at: start, into: UnsafeMutableRawBufferPointer(rebasing: raw[..<want]), path: path)
            }
        }.get()
        var lines = [ArraySlice<UInt8>]()
        var ends = [Int64]()
        var s = 0
        let first = nextIndex
        buffer.withUnsafeBytes { raw in
            let base = raw.baseAddress!
            while s < want && Int64(lines.count) < maxLines {
                guard let p = memchr(base + s, 0x0a, want - s) else { break }
                let e = base.distance(to: UnsafeRawPointer(p))
                if e - s > Entry.maxBytes { break }
                lines.append(buffer[s..<e])
                ends.append(start + Int64(e + 1))
                s = e + 1
            }
        }
        if lines.isEmpty {
            // No newline within reach: either the line is too long, or the file ends in a
            // torn line.
            let lineLength = Int64(want)
            if lineLength > Int64(Entry.maxBytes) {
                throw .tooLarge(
                    "entry \(nextIndex): \(path): line at byte \(start) is longer than \(Entry.maxBytes) bytes")
            }
            return nil
        }
        offset = start + Int64(s)
        nextIndex += Int64(lines.count)
        return EntryChunk(firstIndex: first, lines: lines, ends: ends)
    }
}
