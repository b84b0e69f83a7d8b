import Foundation
import LedgerClient
import LedgerCore

#if canImport(Glibc)
    import Glibc
#endif

/// Entry lines kept on disk instead of in memory, between the check that lets them in and
/// their use: an unnamed temporary file (created 0600 and unlinked at once, so that no exit
/// path, not even a kill, leaves it behind), read back in chunks. `sync` stages in the mirror's
/// own directory (the file system that will hold the entries, so that a small `/tmp` cannot
/// fail a large sync); `watch`, which has no directory, in the temporary directory.
final class EntryStaging {
    private let fd: Int32
    private var pending = [UInt8]()
    private var written: Int64 = 0
    /// The number of lines staged.
    private(set) var count: Int64 = 0

    /// How many bytes are gathered before a write, and read back at a time.
    static let chunkBytes = 1 << 20

    /// A staging file in `directory` (by default the temporary directory).
    init(in directory: String = NSTemporaryDirectory()) throws(LedgerError) {
        var template = Array((directory + "/.ledger-staging-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw .io("cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))")
        }
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        unlink(path)
        fchmod(fd, 0o600)
        self.fd = fd
    }

    deinit { close(fd) }

    /// Stages `lines` (entry lines, which hold no newline) after the ones staged before.
    func append(_ lines: [[UInt8]]) throws(LedgerError) {
        for line in lines {
            pending.append(contentsOf: line)
            pending.append(0x0a)
            if pending.count >= EntryStaging.chunkBytes { try flush() }
        }
        count += Int64(lines.count)
    }

    private func flush() throws(LedgerError) {
        var done = 0
        while done < pending.count {
            let n = pending.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, $0.count - done, off_t(written)) }
            guard n > 0 else {
                if n < 0, errno == EINTR { continue }
                throw .io("cannot write the temporary file of the served entries: \(String(cString: strerror(errno)))")
            }
            done += n
            written += Int64(n)
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// A reader of the staged lines, front to back, about ``chunkBytes`` at a time (nil at the end).
    func chunks() throws(LedgerError) -> () throws(LedgerError) -> [[UInt8]]? {
        try flush()
        var offset: Int64 = 0
        var carry = [UInt8]()
        let (fd, end) = (self.fd, written)
        return { () throws(LedgerError) -> [[UInt8]]? in
            var lines = [[UInt8]]()
            while lines.isEmpty, offset < end {
                var buffer = [UInt8](repeating: 0, count: Int(min(Int64(EntryStaging.chunkBytes), end - offset)))
                let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off_t(offset)) }
                guard n > 0 else {
                    if n < 0, errno == EINTR { continue }
                    throw .io(
                        "cannot read the temporary file of the served entries: \(String(cString: strerror(errno)))")
                }
                offset += Int64(n)
                carry += buffer[..<n]
                var start = 0
                while let newline = carry[start...].firstIndex(of: 0x0a) {
                    lines.append(Array(carry[start..<newline]))
                    start = newline + 1
                }
                carry.removeFirst(start)
            }
            return lines.isEmpty ? nil : lines
        }
    }
}

extension ServedLog {
    /// Fetches the served entries from `check.size` to the checkpoint's size, a chunk of
    /// bundles at a time, and checks each as it arrives (``StoreLedger/MirrorCheck``: its
    /// signature, its link to the one before, the rules), so that a hostile server is stopped
    /// at its first bad entry, with an error naming it, whatever size its checkpoint claims.
    /// Each checked chunk goes to `keep` with its first index; none is held here.
    ///
    /// - Parameter first: the entries from `check.size` fetched already (the first bundle, on first use).
    func fetchChecked(
        _ check: inout Ledger<RulesInUse>.MirrorCheck, first: [[UInt8]] = [],
        keep: (Int64, [[UInt8]]) throws(LedgerError) -> Void
    ) throws(LedgerError) {
        func take(_ chunk: [[UInt8]]) throws(LedgerError) {
            let start = check.size
            do throws(LedgerError) { try check.check(chunk) } catch {
                throw error.prefixed("\(client.baseURL): served ")
            }
            try keep(start, chunk)
        }
        try take(first)
        let step = Int64(256 * ServedLog.bundlesInFlight)
        while check.size < size {
            let range = check.size..<min(size, check.size + step)
            try take(try runBlocking { () async throws(LedgerError) in try await self.entries(range) })
        }
    }
}
