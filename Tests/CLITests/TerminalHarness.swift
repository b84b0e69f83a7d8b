import Foundation
import LedgerTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A standard stream of the child process.
enum ChildStream: Hashable {
    case stdout, stderr
}

struct TerminalRunResult {
    var status: Int32
    /// What the child wrote to the pseudo-terminal (its raw mode adds no carriage returns).
    var terminal: String
    /// The streams that were not on the terminal, as written to a file.
    var stdout: String
    var stderr: String
}

/// Runs `ledger` with the streams in `onTerminal` on one pseudo-terminal (in raw mode, so the
/// bytes are exactly those written) and the others redirected to files, as a person at a
/// terminal would run it with `> file` or `2> file`.
func ledgerOnTerminal(
    _ args: [String], cwd: String, env: [String: String] = [:], onTerminal: Set<ChildStream>
) throws -> TerminalRunResult {
    var master: Int32 = -1
    var slave: Int32 = -1
    guard openpty(&master, &slave, nil, nil, nil) == 0 else { throw POSIXError(.ENOTTY) }
    defer { close(master) }
    var mode = termios()
    tcgetattr(slave, &mode)
    cfmakeraw(&mode)
    tcsetattr(slave, TCSANOW, &mode)

    let files = try makeTempDir("tty")
    let p = ChildProcess()
    p.executableURL = URL(fileURLWithPath: ledgerBinary)
    p.arguments = args
    p.currentDirectoryURL = URL(fileURLWithPath: cwd)
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = nil
    environment["TERM"] = "xterm"
    for (k, v) in env { environment[k] = v }
    p.environment = environment
    let terminal = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
    func handle(_ s: ChildStream) throws -> FileHandle {
        if onTerminal.contains(s) { return terminal }
        let path = "\(files)/\(s)"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }
    p.standardInput = FileHandle.nullDevice
    p.standardOutput = try handle(.stdout)
    p.standardError = try handle(.stderr)
    do { try p.run() } catch {
        close(slave)
        throw error
    }
    close(slave)
    // Until every copy of the slave side is closed (the child has exited), then EIO.
    var bytes = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = read(master, &buffer, buffer.count)
        if n <= 0 { break }
        bytes += buffer[..<n]
    }
    p.waitUntilExit()
    func file(_ s: ChildStream) -> String {
        (try? String(contentsOfFile: "\(files)/\(s)", encoding: .utf8)) ?? ""
    }
    return TerminalRunResult(
        status: p.terminationStatus, terminal: String(decoding: bytes, as: UTF8.self), stdout: file(.stdout),
        stderr: file(.stderr))
}

/// `s` without ANSI escape sequences (CSI: ESC, `[`, parameters, a final letter).
func withoutEscapes(_ s: String) -> String {
    s.replacingOccurrences(of: "\u{1b}\\[[0-9;]*[A-Za-z]", with: "", options: .regularExpression)
}

/// The path of `program` on `PATH`, if it is installed.
func installedProgram(_ program: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
        let candidate = "\(dir)/\(program)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}
