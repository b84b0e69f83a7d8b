import LedgerCrypto

/// A type that reads a Merkle tree's stored hashes by their ``StoredHashIndex`` positions,
/// many in one call.
///
/// The tree code (``MerkleTree``) first works out every position an operation needs, then
/// calls ``readHashes(_:)`` once: a store behind a network or a database answers a proof with
/// one round trip, and a position the store does not hold is an error, never a trap. (Go's
/// `golang.org/x/mod/sumdb/tlog.HashReader` has the same shape.)
public protocol HashReader {
    /// The stored hashes at `indexes`, in the same order (a position may repeat).
    ///
    /// - Throws: ``LedgerError`` with code `.notFound` when a position is not stored, or an
    ///   I/O error; never returns fewer or more hashes than `indexes`.
    func readHashes(_ indexes: [Int64]) throws(LedgerError) -> [Digest]
}
