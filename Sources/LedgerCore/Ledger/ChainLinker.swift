import LedgerCrypto

/// The chain rules every reader of `entries.jsonl` applies to consecutive entries, in one
/// place: the replay before a write, the audit and the repair (specs/ledger-format.md §5).
///
/// Entry `i` must carry index `i`, link to the previous leaf hash by `prev` (32 zero bytes for
/// entry 0), not go back in time, and carry a claimed time that obeys ``TimeRule``.
package struct ChainLinker: Sendable {
    /// The index the next entry must carry.
    package private(set) var next: Int64
    /// The leaf hash the next entry's `prev` must equal.
    package private(set) var prev: Digest
    /// The previous entry's integration time (nil before entry 0).
    package private(set) var lastTime: Timestamp?

    package init(next: Int64 = 0, prev: Digest = .zero, lastTime: Timestamp? = nil) {
        self.next = next
        self.prev = prev
        self.lastTime = lastTime
    }

    /// Checks that `entry`, whose leaf hashes to `leafHash`, is the next link, and advances.
    /// Throws without advancing otherwise (the message does not name the entry: callers
    /// prefix `entry N: `).
    package mutating func link(_ entry: Entry, leafHash: Digest) throws(LedgerError) {
        try check(entry)
        prev = leafHash
        lastTime = entry.time
        next += 1
    }

    /// Checks `entry` as the next link without advancing.
    package func check(_ entry: Entry) throws(LedgerError) {
        try ChainLinker.checkIndex(entry.index, expected: next)
        guard entry.prev == prev else {
            throw .chainBroken(
                next == 0
                    ? "prev must be 32 zero bytes for entry 0, is \(entry.prev.base64)"
                    : "prev is \(entry.prev.base64), expected the leaf hash of entry \(next - 1), \(prev.base64)")
        }
        if let t = lastTime, entry.time < t {
            throw .chainBroken("integration time \(entry.time) is before the previous entry's \(t)")
        }
        try TimeRule.check(claimed: entry.statement.time, entryTime: entry.time, previous: lastTime)
    }

    /// Checks that an entry's index field is `expected`: the one chain rule a reader that
    /// trusts the rest of the chain (a replay of checked entries) still applies.
    package static func checkIndex(_ index: UInt64, expected: Int64) throws(LedgerError) {
        guard index == UInt64(expected) else {
            throw .chainBroken("index field is \(index), expected \(expected)")
        }
    }
}
