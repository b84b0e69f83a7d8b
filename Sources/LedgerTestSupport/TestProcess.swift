import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a process run by the tests printed, and how it exited.
package struct RunResult: Sendable {
    package var status: Int32
    package var stdout: String
    package var stderr: String
    package var lines: [String] { stdout.split(separator: "\n").map(String.init) }

    package init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Runs `executable` with `args` (in `cwd` when given, with `env` over this process's
/// environment), waits for it, and returns its exit status and output. It blocks: call it
/// from a thread of its own when an in-process server needs the concurrency pool meanwhile.
/// Both streams are read as they come (a child that fills one pipe never stalls on it).
package func runProcess(
    _ executable: String, _ args: [String], cwd: String? = nil, env: [String: String] = [:]
) throws -> RunResult {
    let p = ChildProcess()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let (o, e) = readBoth(out.fileHandleForReading.fileDescriptor, err.fileHandleForReading.fileDescriptor)
    p.waitUntilExit()
    return RunResult(
        status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
        stderr: String(decoding: e, as: UTF8.self))
}

/// Everything written to two descriptors until both reach end of file.
private func readBoth(_ a: Int32, _ b: Int32) -> ([UInt8], [UInt8]) {
    var fds = [pollfd(fd: a, events: Int16(POLLIN), revents: 0), pollfd(fd: b, events: Int16(POLLIN), revents: 0)]
    var data: [[UInt8]] = [[], []]
    var buffer = [UInt8](repeating: 0, count: 65536)
    while fds.contains(where: { $0.fd >= 0 }) {
        guard poll(&fds, nfds_t(fds.count), -1) >= 0 else {
            if errno == EINTR { continue }
            break
        }
        for i in fds.indices where fds[i].fd >= 0 && fds[i].revents != 0 {
            let n = read(fds[i].fd, &buffer, buffer.count)
            if n > 0 {
                data[i] += buffer[..<n]
            } else if n == 0 || errno != EINTR {
                fds[i].fd = -1
            }
        }
    }
    return (data[0], data[1])
}
