import Foundation

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
package func runProcess(
    _ executable: String, _ args: [String], cwd: String? = nil, env: [String: String] = [:]
) throws -> RunResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return RunResult(
        status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
        stderr: String(decoding: e, as: UTF8.self))
}
