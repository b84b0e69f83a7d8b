import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child process for the tests, started with `posix_spawn` instead of Foundation's `Process`.
///
/// Foundation's `Process.run()` on this toolchain finds the descriptors to close in the child
/// by reading `/proc/self/fd` into a fixed buffer and over-reads it once the spawning process
/// has more than about 1,350 descriptors open (swift-corelibs-foundation#5472): a test process
/// running suites in parallel gets there, and crashes with signal 11. This type closes every
/// descriptor above 2 in the child with glibc's `posix_spawn_file_actions_addclosefrom_np`,
/// which needs no listing, so the child inherits nothing but its three standard streams.
///
/// The members are named as `Process`'s are, so that a test changes only the type it makes.
/// All mutable state is behind one `Mutex`; a thread per child waits for its exit.
package final class ChildProcess: Sendable {
    private struct State: Sendable {
        var executableURL: URL?
        var arguments: [String] = []
        var environment: [String: String]?
        var currentDirectoryURL: URL?
        var standardInput: (any Sendable)?
        var standardOutput: (any Sendable)?
        var standardError: (any Sendable)?
        var pid: pid_t = 0
        /// The raw `waitpid` status, once the child has exited and been reaped.
        var waitStatus: Int32?
    }

    private let state = Mutex(State())
    private let exited = DispatchSemaphore(value: 0)

    package init() {}

    package var executableURL: URL? {
        get { state.withLock { $0.executableURL } }
        set { state.withLock { $0.executableURL = newValue } }
    }
    package var arguments: [String]? {
        get { state.withLock { $0.arguments } }
        set { state.withLock { $0.arguments = newValue ?? [] } }
    }
    /// The child's whole environment; nil inherits this process's.
    package var environment: [String: String]? {
        get { state.withLock { $0.environment } }
        set { state.withLock { $0.environment = newValue } }
    }
    package var currentDirectoryURL: URL? {
        get { state.withLock { $0.currentDirectoryURL } }
        set { state.withLock { $0.currentDirectoryURL = newValue } }
    }
    /// A `Pipe` (the child gets its read end) or a `FileHandle`; nil inherits this process's.
    package var standardInput: (any Sendable)? {
        get { state.withLock { $0.standardInput } }
        set { state.withLock { $0.standardInput = newValue } }
    }
    /// A `Pipe` (the child gets its write end) or a `FileHandle`; nil inherits this process's.
    package var standardOutput: (any Sendable)? {
        get { state.withLock { $0.standardOutput } }
        set { state.withLock { $0.standardOutput = newValue } }
    }
    /// As ``standardOutput``.
    package var standardError: (any Sendable)? {
        get { state.withLock { $0.standardError } }
        set { state.withLock { $0.standardError = newValue } }
    }

    package var processIdentifier: Int32 { state.withLock { $0.pid } }

    /// Started and not yet exited.
    package var isRunning: Bool { state.withLock { $0.pid != 0 && $0.waitStatus == nil } }

    /// The exit code, or the signal that ended the child (as `Process` reports it).
    package var terminationStatus: Int32 {
        guard let status = state.withLock({ $0.waitStatus }) else { return 0 }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f
    }

    package var terminationReason: Process.TerminationReason {
        guard let status = state.withLock({ $0.waitStatus }) else { return .exit }
        return status & 0x7f == 0 ? .exit : .uncaughtSignal
    }

    package func terminate() { signal(SIGTERM) }
    package func interrupt() { signal(SIGINT) }

    /// Signals the child unless it has been reaped: under the lock that the waiting thread reaps
    /// under, so that a pid reused after the reaping is never signalled.
    private func signal(_ number: Int32) {
        state.withLock { s in
            if s.pid > 0, s.waitStatus == nil { kill(s.pid, number) }
        }
    }

    /// Blocks until the child has exited (returns at once if it has).
    package func waitUntilExit() {
        guard state.withLock({ $0.pid != 0 }) else { return }
        exited.wait()
        exited.signal()
    }

    /// Starts the child. Throws when it cannot be spawned (no such file, not executable).
    package func run() throws {
        let s = state.withLock { $0 }
        guard s.pid == 0 else { throw ChildProcessError(description: "already started") }
        guard let executable = s.executableURL?.path else {
            throw ChildProcessError(description: "no executable")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let streams: [(Int32, (any Sendable)?, Bool)] = [
            (0, s.standardInput, true), (1, s.standardOutput, false), (2, s.standardError, false),
        ]
        for (target, stream, isInput) in streams {
            if let fd = Self.childDescriptor(stream, isInput: isInput) {
                posix_spawn_file_actions_adddup2(&actions, fd, target)
            }
        }
        if let dir = s.currentDirectoryURL?.path {
            guard Self.addChdir(&actions, dir) == 0 else {
                throw ChildProcessError(description: "cannot change the child's directory to \(dir)")
            }
        }
        guard Self.addCloseFrom(&actions, 3) == 0 else {
            throw ChildProcessError(description: "posix_spawn_file_actions_addclosefrom_np is missing")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Default dispositions and an empty mask, whatever this process ignores or blocks.
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let environment = (s.environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let result = Self.withCStrings([executable] + s.arguments) { argv in
            Self.withCStrings(environment) { envp in
                posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
            }
        }
        guard result == 0 else {
            throw ChildProcessError(description: "\(executable): \(String(cString: strerror(result)))")
        }
        // The child's ends of pipes are the child's alone now: without closing them here, a
        // reader never sees end of file.
        for (_, stream, isInput) in streams {
            if let pipe = stream as? Pipe {
                try? (isInput ? pipe.fileHandleForReading : pipe.fileHandleForWriting).close()
            }
        }
        state.withLock { $0.pid = pid }
        let thread = Thread { [self, pid] in
            // Wait without reaping (the pid stays the child's), then reap under the lock.
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
            state.withLock { s in
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                s.waitStatus = status
            }
            exited.signal()
        }
        thread.start()
    }

    private static func childDescriptor(_ stream: (any Sendable)?, isInput: Bool) -> Int32? {
        switch stream {
        case let pipe as Pipe:
            (isInput ? pipe.fileHandleForReading : pipe.fileHandleForWriting).fileDescriptor
        case let handle as FileHandle: handle.fileDescriptor
        default: nil
        }
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { for p in pointers { free(p) } }
        return body(pointers)
    }

    // glibc's `_np` spawn actions are declared only under _GNU_SOURCE, which Swift's Glibc
    // module does not define: look them up by name (glibc ≥ 2.34 has both).
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias Chdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    private static func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32)
        -> Int32
    {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return -1 }
        return unsafeBitCast(symbol, to: CloseFrom.self)(actions, from)
    }

    private static func addChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: String)
        -> Int32
    {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else { return -1 }
        return path.withCString { unsafeBitCast(symbol, to: Chdir.self)(actions, $0) }
    }
}

package struct ChildProcessError: Error, CustomStringConvertible {
    package var description: String
}
