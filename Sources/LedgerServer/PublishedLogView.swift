import LedgerCore
import LedgerCrypto
import NIOCore

extension PublishedLog {
    /// One published state: a signed checkpoint and the stored hashes of the tree it covers,
    /// recomputed from the entries. Immutable: a refresh publishes a new view.
    package struct View: Sendable {
        /// The latest signed checkpoint; nil before the log signed one.
        package let checkpoint: SignedCheckpoint?
        /// The checkpoint note exactly as stored, with the cosignatures attached so far.
        package let checkpointText: String
        /// The stored hashes of the first ``size`` entries, recomputed from the entries.
        let hashes: InMemoryHashes

        init(checkpoint: SignedCheckpoint? = nil, checkpointText: String = "", hashes: InMemoryHashes = .init()) {
            self.checkpoint = checkpoint
            self.checkpointText = checkpointText
            self.hashes = hashes
        }

        /// The number of entries served: the checkpoint's size.
        package var size: Int64 { hashes.size }

        /// The tree that the checkpoint covers, over the recomputed hashes.
        package var tree: MerkleTree<InMemoryHashes> { hashes.tree }

        /// Whether `tile` is served: it must not be empty, and all of its hashes (or entries)
        /// must be complete in the published tree. A partial tile stays served at every width
        /// up to what the tree holds, so a client at an older checkpoint finds it after the
        /// full tile exists.
        package func serves(_ tile: TilePath) -> Bool {
            let level: Int
            switch tile.kind {
            case .hashes(let l): level = l
            case .entries: level = 0
            }
            // Complete subtrees of 256^level leaves (Swift's `>>` gives 0 past the width).
            let available = size >> (8 * level)
            let width = Int64(tile.width)
            return available >= width && tile.index <= (available - width) / Int64(TilePath.fullWidth)
        }

        /// The bytes of a hash tile (32 bytes a hash), or nil when it is not served.
        package func tileBytes(_ tile: TilePath) -> [UInt8]? {
            var out = [UInt8]()
            out.reserveCapacity(tile.width * 32)
            return forEachHash(of: tile) { out.append(contentsOf: $0) } ? out : nil
        }

        /// ``tileBytes(_:)`` written straight into a buffer (what the server caches and sends).
        func tileBuffer(_ tile: TilePath) -> ByteBuffer? {
            var out = ByteBuffer()
            out.reserveCapacity(tile.width * 32)
            return forEachHash(of: tile) { out.writeBytes($0) } ? out : nil
        }

        /// Calls `body` with each hash of the hash tile `tile`, in order; false when it is not served.
        private func forEachHash(of tile: TilePath, _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
            guard case .hashes(let level) = tile.kind, serves(tile) else { return false }
            let first = tile.index * Int64(TilePath.fullWidth)
            for n in first..<(first + Int64(tile.width)) {
                hashes.storedHash(at: StoredHashIndex.index(level: 8 * level, n: n)).withBytes { body($0) }
            }
            return true
        }

        /// The entry bundle of `tile` read from `store`: each entry (its line without the
        /// newline) after its length as a big-endian uint16. Nil when the tile is not served.
        /// Each entry must hash to the leaf hash this view recomputed: a store changed since
        /// the check is an error, never served.
        package func entryBundle(_ tile: TilePath, from store: Store) throws(LedgerError) -> [UInt8]? {
            guard let lines = try checkedEntries(tile, from: store) else { return nil }
            var out = [UInt8]()
            out.reserveCapacity(lines.reduce(0) { $0 + 2 + $1.count })
            for line in lines {
                out.append(UInt8(line.count >> 8))
                out.append(UInt8(line.count & 0xff))
                out.append(contentsOf: line)
            }
            return out
        }

        /// ``entryBundle(_:from:)`` written straight into a buffer (what the server caches and
        /// sends): the entries are copied once, from the lines read.
        func entryBundleBuffer(_ tile: TilePath, from store: Store) throws(LedgerError) -> ByteBuffer? {
            guard let lines = try checkedEntries(tile, from: store) else { return nil }
            var out = ByteBuffer()
            out.reserveCapacity(lines.reduce(0) { $0 + 2 + $1.count })
            for line in lines {
                out.writeInteger(UInt16(line.count))
                out.writeBytes(line)
            }
            return out
        }

        /// The entries of the entry bundle `tile`, each checked against its recomputed leaf hash
        /// and its length against the bundle's uint16; nil when the tile is not served.
        private func checkedEntries(_ tile: TilePath, from store: Store) throws(LedgerError) -> [ArraySlice<UInt8>]? {
            guard tile.kind == .entries, serves(tile) else { return nil }
            let first = tile.index * Int64(TilePath.fullWidth)
            let lines = try store.lines(first..<(first + Int64(tile.width)))
            for (k, line) in lines.enumerated() {
                let i = first + Int64(k)
                let leafHash = line.withUnsafeBytes { MerkleHash.leaf($0) }
                guard leafHash == hashes.storedHash(at: StoredHashIndex.index(level: 0, n: i)) else {
                    throw .chainBroken(
                        "entry \(i): \(store.names.entries) changed after the server checked it against "
                            + "checkpoint \(size); \(store.repairAdvice)")
                }
                guard line.count <= Int(UInt16.max) else {
                    throw .tooLarge("entry \(i) is \(line.count) bytes, too long for an entry bundle")
                }
            }
            return lines
        }
    }
}
