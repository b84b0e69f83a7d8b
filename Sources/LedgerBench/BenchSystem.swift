import Foundation
import LedgerCore

#if canImport(Glibc)
    import Glibc
#endif

/// What the benchmarks read from the system: cores, a monotonic clock, peak memory (Linux
/// `/proc`), and child processes of the `ledger` executable.
enum BenchSystem {
    static func cpuCount() -> Int { Parallel.processorCount }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Peak resident set size of this process (VmHWM), in MiB; 0 where `/proc` lacks it.
    static func peakRSSMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kiB = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        else { return 0 }
        return kiB / 1024
    }

    /// Resets VmHWM to the current RSS (Linux: write 5 to /proc/self/clear_refs).
    static func resetPeakRSS() {
        guard let f = fopen("/proc/self/clear_refs", "w") else { return }
        fputs("5", f)
        fclose(f)
    }

    /// The `ledger` executable the audit figure runs: the one beside `ledger-bench` (both are
    /// built into the same folder), else the first on `PATH`.
    static func ledgerExecutable() throws(LedgerError) -> String {
        var candidates: [String] = []
        if let own = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            candidates.append(own.deletingLastPathComponent().appendingPathComponent("ledger").path)
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        candidates += path.split(separator: ":").map { $0 + "/ledger" }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw LedgerError.notFound("no ledger executable beside ledger-bench or on PATH (build it: swift build)")
        }
        return found
    }

    /// Runs `executable` with `args`, its output discarded, and returns its exit status and
    /// peak RSS in MiB (its own, from `wait4`).
    static func runChild(_ executable: String, _ args: [String]) -> (status: Int32, peakRSSMiB: Double) {
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = ([executable] + args).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        defer { posix_spawn_file_actions_destroy(&actions) }
        guard posix_spawn(&pid, executable, &actions, nil, &argv, environ) == 0 else { return (-1, 0) }
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        return ((status >> 8) & 0xff, Double(usage.ru_maxrss) / 1024)
    }
}

/// A benchmark's working directory. Without `--workdir`, a new directory made by `mkdtemp`
/// under the temporary directory, which the benchmark removes afterwards: it is the only
/// directory it ever removes. With `--workdir DIR`, DIR is used as given (created if missing)
/// and never removed or emptied; `Ledger.create` refuses a DIR that already holds a ledger.
struct BenchWorkdir {
    let path: String
    /// Whether this process made the directory (and so removes it).
    let owned: Bool

    init(_ given: String?, prefix: String) throws {
        if let given {
            path = given
            owned = false
            return
        }
        let base = (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp")
        var template = Array((base + "/" + prefix + "-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        guard made else { throw LedgerError.io("cannot create a temporary directory under \(base)") }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        owned = true
    }

    /// Removes the directory when this process made it, without a shell.
    func cleanUp() {
        guard owned else { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}
