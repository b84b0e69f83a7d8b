import Foundation
import LedgerTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The tests' process runner (`ChildProcess`, `runProcess`): it must not crash or leak when the
/// test process has many descriptors open, which is what crashed Foundation's `Process.run()`
/// (swift-corelibs-foundation#5472: more than about 1,350 descriptors).
@Suite struct ChildProcessTests {
    /// 2,000 extra descriptors open in this process (more than the 1,354 that broke
    /// Foundation): the child starts, and inherits none of them.
    @Test func aChildStartsWithManyDescriptorsOpenAndInheritsOnlyItsStandardStreams() throws {
        var extra = [Int32]()
        defer { for fd in extra { close(fd) } }
        for _ in 0..<2_000 {
            let fd = open("/dev/null", O_RDONLY)  // not close-on-exec: inherited unless closed
            try #require(fd >= 0)
            extra.append(fd)
        }
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        #expect(open > 2_000)
        // The shell lists its own descriptors while `ls` runs.
        let r = try runProcess("/bin/sh", ["-c", "ls /proc/$$/fd"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines.sorted() == ["0", "1", "2"], "the child inherited \(r.lines.count - 3) more descriptors")
    }

    @Test func exitStatusDirectoryEnvironmentAndBothStreams() throws {
        let dir = NSTemporaryDirectory() + "child-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // More than a pipe holds on each stream, so that reading one stream only would stall.
        let script =
            "pwd; echo \"$CHILD_TEST\"; head -c 200000 /dev/zero | tr '\\0' e >&2; "
            + "head -c 200000 /dev/zero | tr '\\0' o; exit 7"
        let r = try runProcess("/bin/sh", ["-c", script], cwd: dir, env: ["CHILD_TEST": "value"])
        #expect(r.status == 7)
        let resolved = URL(fileURLWithPath: dir).resolvingSymlinksInPath().path
        #expect(
            r.stdout.hasPrefix("\(resolved)\nvalue\n") || r.stdout.hasPrefix("\(dir)\nvalue\n"),
            "\(r.stdout.prefix(80))")
        #expect(r.stdout.utf8.filter { $0 == UInt8(ascii: "o") }.count == 200_000)
        #expect(r.stderr.utf8.count == 200_000)
    }

    @Test func aSignalledChildReportsItsSignalAndAMissingExecutableThrows() throws {
        let p = ChildProcess()
        p.executableURL = URL(fileURLWithPath: "/bin/sleep")
        p.arguments = ["30"]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        #expect(p.isRunning)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(!p.isRunning)
        #expect(p.terminationStatus == SIGKILL && p.terminationReason == .uncaughtSignal)

        let missing = ChildProcess()
        missing.executableURL = URL(fileURLWithPath: "/nonexistent/ledger")
        #expect(throws: ChildProcessError.self) { try missing.run() }
    }
}
