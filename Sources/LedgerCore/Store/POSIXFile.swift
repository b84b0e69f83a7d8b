#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thin wrappers over POSIX file calls that throw ``LedgerError`` with the path and errno.
enum POSIX {
    static func errorText() -> String { String(cString: strerror(errno)) }

    /// Opens `path`, never through a symbolic link (`O_NOFOLLOW`): a ledger file or a
    /// temporary file that is a link is refused, so a planted link cannot redirect a write.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(LedgerError) -> Int32 {
        let fd = Glibc.open(path, flags | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else {
            if errno == ELOOP { throw .io("\(path): is a symbolic link; ledger files are never opened through a link") }
            throw .io("\(path): cannot open: \(errorText())")
        }
        return fd
    }

    /// Opens `path` if it exists; nil when it does not.
    static func openIfExists(_ path: String, _ flags: Int32) throws(LedgerError) -> Int32? {
        let fd = Glibc.open(path, flags | O_CLOEXEC | O_NOFOLLOW, 0)
        if fd >= 0 { return fd }
        if errno == ENOENT { return nil }
        if errno == ELOOP { throw .io("\(path): is a symbolic link; ledger files are never opened through a link") }
        throw .io("\(path): cannot open: \(errorText())")
    }

    static func size(_ fd: Int32, path: String) throws(LedgerError) -> Int64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .io("\(path): cannot stat: \(errorText())") }
        return Int64(st.st_size)
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// Refuses a file that is not a regular file (a directory, a FIFO, a device).
    static func requireRegularFile(_ fd: Int32, path: String) throws(LedgerError) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .io("\(path): cannot stat: \(errorText())") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .io("\(path): is not a regular file") }
    }

    /// Refuses a file that is not a regular file, or that has another hard link: a write to a
    /// ledger file must not change a file elsewhere.
    static func requireSoleRegularFile(_ fd: Int32, path: String) throws(LedgerError) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .io("\(path): cannot stat: \(errorText())") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .io("\(path): is not a regular file") }
        guard st.st_nlink == 1 else {
            throw .io("\(path): has \(st.st_nlink) hard links; a ledger file is written only when it has one")
        }
    }

    /// Refuses a path that is not a directory, or is a symbolic link to one.
    static func requireRealDirectory(_ path: String) throws(LedgerError) {
        var st = stat()
        guard lstat(path, &st) == 0 else { throw .io("\(path): cannot stat: \(errorText())") }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            throw .io("\(path): is not a directory (a symbolic link is refused)")
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func writeAll(_ fd: Int32, _ buf: UnsafeRawBufferPointer, path: String) throws(LedgerError) {
        var off = 0
        while off < buf.count {
            let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("\(path): write failed: \(errorText())")
            }
            off += n
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(LedgerError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(LedgerError) in try writeAll(fd, raw, path: path) } }
            .get()
    }

    static func readAll(_ fd: Int32, at offset: Int64, count: Int, path: String) throws(LedgerError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        try out.withUnsafeMutableBytes { raw in
            Result { () throws(LedgerError) in try readAll(fd, at: offset, into: raw, path: path) }
        }.get()
        return out
    }

    /// Writes `bytes` at `offset` (`pwrite`; the file must not be open with `O_APPEND`).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], at offset: Int64, path: String) throws(LedgerError) {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(LedgerError) in
                var off = 0
                while off < raw.count {
                    let n = pwrite(fd, raw.baseAddress! + off, raw.count - off, off_t(offset) + off_t(off))
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw .io("\(path): write failed: \(errorText())")
                    }
                    off += n
                }
            }
        }.get()
    }

    /// Fills `buffer` from `fd` at `offset`.
    static func readAll(_ fd: Int32, at offset: Int64, into buffer: UnsafeMutableRawBufferPointer, path: String)
        throws(LedgerError)
    {
        var got = 0
        while got < buffer.count {
            let n = pread(fd, buffer.baseAddress! + got, buffer.count - got, off_t(offset) + off_t(got))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("\(path): read failed at byte \(offset): \(errorText())")
            }
            if n == 0 { throw .io("\(path): read failed at byte \(offset): unexpected end of file") }
            got += n
        }
    }

    static func fsync(_ fd: Int32, path: String) throws(LedgerError) {
        guard Glibc.fsync(fd) == 0 else { throw .io("\(path): fsync failed: \(errorText())") }
    }

    static func truncate(_ fd: Int32, to size: Int64, path: String) throws(LedgerError) {
        guard ftruncate(fd, off_t(size)) == 0 else { throw .io("\(path): truncate failed: \(errorText())") }
    }

    static func fsyncDirectory(_ path: String) throws(LedgerError) {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try fsync(fd, path: path)
    }

    static func mkdir(_ path: String) throws(LedgerError) {
        guard Glibc.mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw .io("\(path): cannot create directory: \(errorText())")
        }
    }

    /// Writes a file atomically: a temporary file beside it, fsync, rename, fsync the directory.
    ///
    /// The temporary file `<path>.tmp` is created with `O_CREAT | O_EXCL | O_NOFOLLOW` after
    /// whatever stood at that name (a stale file, or a planted symbolic link) is unlinked, so
    /// the write can never land anywhere but in a new file beside `path`. Callers hold the
    /// lock that serializes writers of `path`.
    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(LedgerError) {
        let dir = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let tmp = path + ".tmp"
        if unlink(tmp) != 0 && errno != ENOENT { throw .io("\(tmp): cannot remove: \(errorText())") }
        let fd = try open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode: mode)
        do {
            try writeAll(fd, bytes, path: tmp)
            try fsync(fd, path: tmp)
            close(fd)
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        guard Glibc.rename(tmp, path) == 0 else {
            unlink(tmp)
            throw .io("\(path): rename failed: \(errorText())")
        }
        try fsyncDirectory(dir.isEmpty ? "." : dir)
    }

    /// Writes a new file that must not exist yet, with the given mode (0600 for private keys).
    static func writeNew(_ bytes: [UInt8], to path: String, mode: mode_t) throws(LedgerError) {
        let fd = try open(path, O_WRONLY | O_CREAT | O_EXCL, mode: mode)
        defer { close(fd) }
        fchmod(fd, mode)
        try writeAll(fd, bytes, path: path)
        try fsync(fd, path: path)
    }

    static func readFile(_ path: String, limit: Int64 = 64 << 20) throws(LedgerError) -> [UInt8] {
        // O_NONBLOCK and a regular-file check: a FIFO or a device under this name is refused,
        // never waited on.
        let fd = try open(path, O_RDONLY | O_NONBLOCK)
        defer { close(fd) }
        try requireRegularFile(fd, path: path)
        let n = try size(fd, path: path)
        guard n <= limit else { throw .tooLarge("\(path): is \(n) bytes, over the limit of \(limit) bytes") }
        return try readAll(fd, at: 0, count: Int(n), path: path)
    }

    static func rename(_ from: String, _ to: String) throws(LedgerError) {
        guard Glibc.rename(from, to) == 0 else { throw .io("\(to): rename failed: \(errorText())") }
    }

    static func listDirectory(_ path: String) -> [String] {
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var out = [String]()
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out.sorted()
    }
}

/// A read-only memory map of a file prefix.
///
/// `@unchecked Sendable`: both stored properties are `let`s set once in `init`, the mapping is
/// `PROT_READ` and is only unmapped in `deinit`, when no reference (and so no reader on any
/// thread) is left.
final class MappedFile: @unchecked Sendable {
    /// The map of nothing.
    static let empty = try! MappedFile(fd: -1, count: 0, path: "")

    let base: UnsafeRawPointer?
    let count: Int

    init(fd: Int32, count: Int, path: String) throws(LedgerError) {
        self.count = count
        if count == 0 {
            base = nil
            return
        }
        let p = mmap(nil, count, PROT_READ, MAP_SHARED, fd, 0)
        guard let p, p != MAP_FAILED else { throw .io("\(path): mmap failed: \(POSIX.errorText())") }
        base = UnsafeRawPointer(p)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
    }

    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
