import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a witness holds for one log: the checkpoint it last cosigned, and when that was stored.
package struct WitnessStateRecord: Sendable, Hashable {
    package let checkpoint: Checkpoint
    /// When the checkpoint was stored, seconds since the epoch (nil when the store does not know).
    package let storedAt: Int64?

    package init(checkpoint: Checkpoint, storedAt: Int64?) {
        self.checkpoint = checkpoint
        self.storedAt = storedAt
    }
}

/// A type that also reads a witness state without changing it (for monitoring).
package protocol WitnessStateReader: WitnessStateStore {
    /// The checkpoint last cosigned for `origin`, or nil when none was.
    func lastCosigned(origin: String) throws(LedgerError) -> WitnessStateRecord?
}

extension FileWitnessState: WitnessStateReader {
    /// Reads the origin's file without the lock: it is only ever replaced by a rename, so it is
    /// read whole, old or new. The time is the file's modification time (it is rewritten at
    /// every cosignature).
    package func lastCosigned(origin: String) throws(LedgerError) -> WitnessStateRecord? {
        let path = path(origin: origin)
        guard let bytes = try WitnessStateFiles.read(path) else { return nil }
        let checkpoint = try Checkpoint(text: try StrictUTF8.decode(bytes, what: path))
        var info = stat()
        let storedAt = stat(path, &info) == 0 ? Int64(info.st_mtim.tv_sec) : nil
        return WitnessStateRecord(checkpoint: checkpoint, storedAt: storedAt)
    }
}

extension MemoryStore: WitnessStateReader {
    package func lastCosigned(origin: String) throws(LedgerError) -> WitnessStateRecord? {
        witnessState.withLock { $0[origin] }.map { WitnessStateRecord(checkpoint: $0, storedAt: nil) }
    }
}
