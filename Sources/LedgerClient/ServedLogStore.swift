import LedgerCore
import LedgerCrypto

/// A served log seen as a read-only ``LedgerStore``, so that `ledger verify URL` runs the
/// same audit as `ledger verify DIR` (``StoreAuditor``): the entries the served checkpoint
/// covers, streamed from the entry bundles (at most ``ServedLog/bundlesInFlight`` bundles in
/// memory), and that checkpoint as the one stored checkpoint.
///
/// A served log has no commit record and no caches: the audit reads every entry, recomputes
/// every hash, and checks the checkpoint's signature and root against what it recomputed, so
/// nothing the server sends is believed. Writing throws. Reads block the calling thread on
/// the HTTP client (``runBlocking(_:)``): run the audit outside the concurrency pool.
package final class ServedLogStore: LedgerStore {
    package struct Snapshot: StoreSnapshot {
        package let size: Int64
        package var committedEnd: Int64 { 0 }
        package var commit: CommitRecord? { nil }
        package var recordCount: Int64 { 0 }
        package var storedHashCount: Int64 { 0 }
        package func endOffset(_ i: Int64) -> Int64 { 0 }
        package func statementHash(_ i: Int64) -> Digest { .zero }
        package func storedHash(at i: Int64) -> Digest { .zero }
    }

    /// Never made: a served log is not written through this store.
    package struct WriteSession: Sendable {}

    package let log: ServedLog

    package init(log: ServedLog) { self.log = log }

    package var location: String { log.client.baseURL }
    package var repairAdvice: String { "the server's operator must repair it" }
    package var names: StoreNames {
        StoreNames(entries: "the entry bundles", index: "-", hashes: "the tiles", commit: "the checkpoint")
    }
    package var snapshot: Snapshot { Snapshot(size: log.size) }

    package func refresh() throws(LedgerError) {}

    /// A served log publishes a checkpoint, not a commit record: the audit reads every entry the
    /// checkpoint covers.
    package func readCommitRecord() throws(LedgerError) -> CommitRecord {
        throw .notFound("a served log has none; the audit covers the \(log.size) entries its checkpoint commits to")
    }

    package func readHashes(_ indexes: [Int64]) throws(LedgerError) -> [Digest] {
        throw .notFound("\(location): stored hashes are not read from a server; they are recomputed")
    }

    package func lines(_ range: Range<Int64>, reusing buffer: inout [UInt8]) throws(LedgerError)
        -> [ArraySlice<UInt8>]
    {
        let log = self.log
        return try runBlocking { () async throws(LedgerError) in try await log.entries(range) }.map { $0[...] }
    }

    package func chunks(from: Int64, to: Int64, chunkBytes: Int) -> [Range<Int64>] {
        stride(from: max(0, from), to: min(to, log.size), by: 256).map { $0..<min($0 + 256, min(to, log.size)) }
    }

    package func leaf(_ index: Int64) throws(LedgerError) -> [UInt8] {
        var buffer = [UInt8]()
        return Array(try lines(index..<(index + 1), reusing: &buffer)[0])
    }

    package func entryCursor(from offset: Int64, index: Int64, limit: Int64) -> Cursor {
        Cursor(log: log, nextIndex: index)
    }

    package func storedEntryBytes() throws(LedgerError) -> Int64 { 0 }

    package func recordsForAudit() -> AuditRecords<Snapshot> {
        AuditRecords(records: snapshot, hasIndex: false, hasHashes: false, notes: [])
    }

    /// Reads the served entries front to back, ``ServedLog/bundlesInFlight`` bundles a chunk.
    package struct Cursor: EntryCursor {
        let log: ServedLog
        package private(set) var nextIndex: Int64
        /// The length of the lines read so far, as if they were a file of lines.
        package private(set) var offset: Int64 = 0
        package var remainingBytes: Int64 { 0 }

        package mutating func next(maxLines: Int64) throws(LedgerError) -> EntryChunk? {
            let end = min(log.size, nextIndex + min(maxLines, Int64(256 * ServedLog.bundlesInFlight)))
            guard nextIndex < end else { return nil }
            let log = self.log
            let range = nextIndex..<end
            let entries = try runBlocking { () async throws(LedgerError) in try await log.entries(range) }
            var ends = [Int64]()
            ends.reserveCapacity(entries.count)
            for e in entries {
                offset += Int64(e.count + 1)
                ends.append(offset)
            }
            let first = nextIndex
            nextIndex = end
            return EntryChunk(firstIndex: first, lines: entries.map { $0[...] }, ends: ends)
        }
    }

    package func withWriteLock<R: Sendable>(_ body: (WriteSession) throws(LedgerError) -> R) throws(LedgerError) -> R {
        throw .refused("\(location): a served log is read-only here")
    }

    package func append(
        leaves: [[UInt8]], storedHashes: [Digest], statementHashes: [Digest], lastLeafHash: Digest, root: Digest,
        in session: WriteSession
    ) throws(LedgerError) {
        throw .refused("\(location): a served log is read-only here")
    }

    /// The served checkpoint's size: the one checkpoint of a served log.
    package func checkpointSizes() throws(LedgerError) -> [UInt64] { [log.checkpoint.checkpoint.size] }

    package func checkpointText(size: UInt64) throws(LedgerError) -> String? {
        size == log.checkpoint.checkpoint.size ? log.checkpointText : nil
    }

    package func storeCheckpoint(_ text: String, size: UInt64, in session: WriteSession) throws(LedgerError) {
        throw .refused("\(location): a served log is read-only here")
    }

    package func keepForkEvidence(_ text: String, size: UInt64, root: Digest, in session: WriteSession)
        throws(LedgerError) -> String
    {
        throw .refused("\(location): a served log is read-only here")
    }
}
