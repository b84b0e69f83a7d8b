import LedgerCore

/// The entry bundle format of C2SP tlog-tiles: each entry as a big-endian uint16 length and
/// the entry's bytes (for a ledger, its line of `entries.jsonl` without the newline).
package enum EntryBundle {
    /// The entries of `bytes`, which must hold exactly `count` entries and nothing after them.
    /// An entry may not hold a newline byte: it is one line of `entries.jsonl`.
    package static func entries(_ bytes: [UInt8], count: Int) throws(LedgerError) -> [[UInt8]] {
        var out = [[UInt8]]()
        out.reserveCapacity(count)
        var at = 0
        while at < bytes.count {
            guard out.count < count else {
                throw .malformed("the bundle holds more than the \(count) entries its path names")
            }
            guard at + 2 <= bytes.count else { throw .malformed("the bundle ends inside a length prefix") }
            let length = Int(bytes[at]) << 8 | Int(bytes[at + 1])
            at += 2
            guard at + length <= bytes.count else {
                throw .malformed("entry \(out.count) of the bundle claims \(length) bytes, past the bundle's end")
            }
            let entry = Array(bytes[at..<(at + length)])
            guard !entry.contains(0x0a) else { throw .malformed("entry \(out.count) of the bundle holds a newline") }
            out.append(entry)
            at += length
        }
        guard out.count == count else {
            throw .malformed("the bundle holds \(out.count) entries, its path names \(count)")
        }
        return out
    }

    /// The bundle of `entries` (what a server sends).
    package static func bytes(_ entries: [[UInt8]]) -> [UInt8] {
        var out = [UInt8]()
        for e in entries {
            out.append(UInt8(e.count >> 8))
            out.append(UInt8(e.count & 0xff))
            out += e
        }
        return out
    }
}
