import LedgerCrypto

/// The commit record: what the log has acknowledged (specs/ledger-format.md §9).
///
/// It is the commit point of every batch: an append writes and fsyncs `entries.jsonl`,
/// `tree.hashes` and `entries.idx`, then writes this record and fsyncs it, and only then
/// acknowledges. Whatever lies beyond the size it names is an unacknowledged crash tail.
///
/// The `commit` file holds two slots, at byte 0 and byte 4096, so that a torn write of one
/// slot leaves the other, older one intact. Each slot is 136 bytes, little-endian:
///
/// | bytes | field |
/// |---|---|
/// | 0..<8 | magic `MLLEDGER` |
/// | 8..<12 | format version (1) |
/// | 12..<16 | zero |
/// | 16..<24 | sequence number, +1 for every record written |
/// | 24..<32 | size: the number of acknowledged entries |
/// | 32..<40 | the byte length of `entries.jsonl` that holds them |
/// | 40..<72 | the leaf hash of the last acknowledged entry (zero bytes for size 0) |
/// | 72..<104 | the Merkle root at that size |
/// | 104..<136 | SHA-256 of bytes 0..<104 |
///
/// The valid slot (magic and checksum) with the higher sequence number is the record.
public struct CommitRecord: Sendable, Hashable {
    public static let fileName = "commit"
    public static let formatVersion: UInt32 = 1
    static let magic = Array("MLLEDGER".utf8)
    static let slotBytes = 136
    static let slotOffsets: [Int64] = [0, 4096]

    public var sequence: UInt64
    /// The number of acknowledged entries.
    public var size: Int64
    /// The byte length of `entries.jsonl` that holds them.
    public var entriesEnd: Int64
    /// The leaf hash of the last acknowledged entry (zero for an empty ledger).
    public var lastLeafHash: Digest
    /// The Merkle root at ``size``.
    public var root: Digest

    public init(sequence: UInt64, size: Int64, entriesEnd: Int64, lastLeafHash: Digest, root: Digest) {
        self.sequence = sequence
        self.size = size
        self.entriesEnd = entriesEnd
        self.lastLeafHash = lastLeafHash
        self.root = root
    }

    /// The record of an empty ledger.
    public static let empty = CommitRecord(
        sequence: 1, size: 0, entriesEnd: 0, lastLeafHash: .zero, root: MerkleHash.emptyRoot)

    /// The slot bytes.
    public var encoded: [UInt8] {
        var b = CommitRecord.magic
        withUnsafeBytes(of: CommitRecord.formatVersion.littleEndian) { b.append(contentsOf: $0) }
        b.append(contentsOf: [0, 0, 0, 0])
        withUnsafeBytes(of: sequence.littleEndian) { b.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64(size).littleEndian) { b.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64(entriesEnd).littleEndian) { b.append(contentsOf: $0) }
        b.append(contentsOf: lastLeafHash.bytes)
        b.append(contentsOf: root.bytes)
        b.append(contentsOf: SHA256.hash(b).bytes)
        return b
    }

    /// A whole `commit` file holding only this record, in the slot its sequence number
    /// selects (the other slot zero).
    public var fileBytes: [UInt8] {
        var file = [UInt8](repeating: 0, count: Int(CommitRecord.slotOffsets[1]) + CommitRecord.slotBytes)
        let slot = Int(CommitRecord.slotOffsets[Int(sequence % 2)])
        file.replaceSubrange(slot..<(slot + CommitRecord.slotBytes), with: encoded)
        return file
    }

    /// Why a slot is not a valid record.
    public enum SlotProblem: Error, Sendable, Equatable {
        case empty
        case badChecksum
        case unknownVersion(UInt32)
        /// A slot with a valid checksum whose size or byte length is beyond 2^63 − 1.
        case outOfRange
    }

    /// Decodes one slot.
    public static func decode(_ slot: ArraySlice<UInt8>) -> Result<CommitRecord, SlotProblem> {
        let b = Array(slot)
        guard b.count >= slotBytes, b.contains(where: { $0 != 0 }) else { return .failure(.empty) }
        guard Array(b[0..<8]) == magic, SHA256.hash(Array(b[0..<104])).bytes == Array(b[104..<136]) else {
            return .failure(.badChecksum)
        }
        func u64(_ at: Int) -> UInt64 {
            var v: UInt64 = 0
            for k in (0..<8).reversed() { v = v << 8 | UInt64(b[at + k]) }
            return v
        }
        let version = UInt32(truncatingIfNeeded: u64(8) & 0xffff_ffff)
        guard version == formatVersion else { return .failure(.unknownVersion(version)) }
        let size = u64(24)
        let end = u64(32)
        guard size <= UInt64(Int64.max), end <= UInt64(Int64.max) else { return .failure(.outOfRange) }
        return .success(
            CommitRecord(
                sequence: u64(16), size: Int64(size), entriesEnd: Int64(end),
                lastLeafHash: Digest(bytes: b[40..<72])!, root: Digest(bytes: b[72..<104])!))
    }

    /// Picks the record from the bytes of a whole `commit` file: the valid slot with the
    /// higher sequence number. Throws a one-line reason when neither slot is valid, or when a
    /// slot is of a format version this code does not know.
    public static func read(fileBytes: [UInt8], path: String) throws(LedgerError) -> CommitRecord {
        var best: CommitRecord?
        var problems = [String]()
        for (k, off) in slotOffsets.enumerated() {
            let start = Int(off)
            guard start < fileBytes.count else {
                problems.append("slot \(k) is missing")
                continue
            }
            switch decode(fileBytes[start..<min(fileBytes.count, start + slotBytes)]) {
            case .success(let r):
                if best == nil || r.sequence > best!.sequence { best = r }
            case .failure(.unknownVersion(let v)):
                throw .malformed(
                    "\(path): ledger format version \(v) is not one this `ledger` knows (it reads version "
                        + "\(formatVersion))"
                )
            case .failure(.outOfRange):
                throw .chainBroken("\(path): slot \(k) records a size or length beyond 2^63 − 1, which no ledger has")
            case .failure(.empty): problems.append("slot \(k) is empty")
            case .failure(.badChecksum): problems.append("slot \(k) is damaged")
            }
        }
        guard let best else {
            throw .chainBroken("\(path): no valid commit record (\(problems.joined(separator: ", ")))")
        }
        return best
    }
}
