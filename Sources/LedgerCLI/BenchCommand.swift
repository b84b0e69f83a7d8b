import ArgumentParser
import Dispatch
import Foundation
import LedgerCore
import LedgerCrypto

#if canImport(Glibc)
import Glibc
#endif

extension LedgerCommand {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the ledger against its performance targets (not a timed test).",
            discussion: "Each figure is reported as an absolute and, where the target is relative, as a ratio to a limit measured in the same run: raw Ed25519 verifies/s with the backend in use (libsodium when libsodium.so.23 is present, else OpenSSL; LEDGER_ED25519=openssl forces OpenSSL; both are named in the output) and raw 65-byte SHA-256 hashes/s (OpenSSL SHA256_Init/Update/Final).")

        @Option(help: "Entries in the core benchmark ledger.") var entries = 1_000_000
        @Option(help: "Suites to run: core, consensus, lists or all.") var suite = "core"
        @Option(
            help: "Working directory, kept afterwards; it must not hold a ledger (default: a new directory under /tmp, removed afterwards)."
        ) var workdir: String?
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard ["core", "consensus", "lists", "all"].contains(suite) else { throw ValidationError("--suite must be core, consensus, lists or all") }
            guard entries >= 100 else { throw ValidationError("--entries must be at least 100") }
        }

        func run() throws {
            try LedgerCLI.run {
                var figures = [BenchFigure]()
                if suite == "core" || suite == "all" {
                    figures += try CoreBenchmark(entries: entries, workdir: workdir, log: { if !output.json { printStderr($0 + "\n") } }).run()
                }
                if suite == "consensus" || suite == "all" {
                    figures += try consensusBenchmark(entries: entries, log: { if !output.json { printStderr($0 + "\n") } })
                }
                if suite == "lists" || suite == "all" { figures += try controlListBenchmark() }
                if output.json {
                    printJSON(.object([
                        "cores": .integer(Int64(cpuCount())), "ed25519Backend": .string(Ed25519.backendName),
                        "figures": .array(figures.map(\.json)),
                    ]))
                } else {
                    out("Ed25519 backend: \(Ed25519.backendName)")
                    out("figure".padding(48) + "value".padding(22) + "ratio".padding(8) + "target")
                    for f in figures {
                        let v = format2(f.value) + " " + f.unit
                        let r = f.ratio.map(format2) ?? "-"
                        let met = f.met.map { $0 ? "  met" : "  NOT MET" } ?? ""
                        out(f.name.padding(47) + " " + v.padding(21) + " " + r.padding(7) + " " + f.target + met)
                        if !f.series.isEmpty { out("    series: " + f.series.map { "n=\($0.0): \(format2($0.1))" }.joined(separator: ", ")) }
                    }
                }
            }
        }
    }
}

func cpuCount() -> Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Peak resident set size of this process, in MiB (VmHWM).
func peakRSSMiB() -> Double {
    guard let f = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, 256, f) != nil {
        let s = String(cString: line)
        if s.hasPrefix("VmHWM:") {
            let kb = Double(s.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
            return kb / 1024
        }
    }
    return 0
}

/// Runs this executable as a child process and returns (exit status, peak RSS in MiB).
func runChild(_ args: [String]) -> (Int32, Double) {
    let exe = "/proc/self/exe"
    var pid: pid_t = 0
    var argv: [UnsafeMutablePointer<CChar>?] = (["ledger"] + args).map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    defer { posix_spawn_file_actions_destroy(&actions) }
    guard posix_spawn(&pid, exe, &actions, nil, &argv, environ) == 0 else { return (-1, 0) }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    return ((status >> 8) & 0xff, Double(usage.ru_maxrss) / 1024)
}

struct CoreBenchmark {
    let entries: Int
    let workdir: String?
    let log: (String) -> Void

    func run() throws -> [BenchFigure] {
        let cores = cpuCount()
        log("measuring raw limits...")
        let (verifyRate, shaRate) = rawLimits()
        log("raw Ed25519 verify (\(Ed25519.backendName)): \(Int(verifyRate))/s per core; raw 65-byte SHA-256: \(Int(shaRate))/s")
        var figures = [
            BenchFigure(name: "limit: raw Ed25519 verify (1 core)", value: verifyRate, unit: "verifies/s", target: Ed25519.backendName + " verify, strict"),
            BenchFigure(name: "limit: raw 65-byte SHA-256 (1 core)", value: shaRate, unit: "hashes/s", target: "OpenSSL SHA256_Init/Update/Final"),
        ]
        let work = try BenchWorkdir(workdir, prefix: "ledger-bench")
        defer { work.cleanUp() }
        let dir = work.path
        let op = try NoteSignerKey.generate(name: "bench.example/log")
        let writer = try NoteSignerKey.generate(name: "bench-writer")
        let clock: @Sendable () -> Timestamp = { .now() }
        let ledger = try Ledger<CoreRules>.create(directory: dir, operatorKey: op, clock: clock)
        _ = try ledger.append([try Statement.make(kind: "key.register", body: ["vkey": .string(writer.verifierKey.description)], key: op, time: clock())])

        // Durable batch append of pre-signed statements (signatures checked), in batches.
        log("signing and appending \(entries) statements in batches of 10,000...")
        let batch = 10_000
        var appendSeconds = 0.0
        var appended = 0
        let progress = Progress("append")
        while appended < entries - 2 {
            let n = min(batch, entries - 2 - appended)
            let signed = signInParallel(count: n, offset: appended, key: writer)
            let t0 = monotonicSeconds()
            _ = try ledger.append(signed)
            appendSeconds += monotonicSeconds() - t0
            appended += n
            progress.update(Int64(appended), Int64(entries - 2))
        }
        progress.finish()
        let appendRate = Double(appended) / appendSeconds
        let appendLimit = Double(cores) * verifyRate
        figures.append(BenchFigure(
            name: "durable batch append (--signed), sigs checked", value: appendRate, unit: "entries/s",
            target: "≥ 0.7 × (\(cores) cores × raw verify/s)", ratio: appendRate / appendLimit, met: appendRate >= 0.7 * appendLimit))

        // Opening.
        let t0 = monotonicSeconds()
        let store = try FileStore(directory: dir)
        let root = try store.tree.root(treeSize: store.size)
        let openSeconds = monotonicSeconds() - t0
        figures.append(BenchFigure(name: "open a \(store.size)-entry ledger (+ root)", value: openSeconds * 1000, unit: "ms", target: "< 1000 ms", met: openSeconds < 1))
        _ = root

        // Merkle build from leaf hashes vs the same number of raw 65-byte hashes.
        let leafHashes = (0..<store.size).map { store.leafHash($0) }
        let t1 = monotonicSeconds()
        let built = InMemoryHashes(buildingInParallelFrom: leafHashes)
        let buildSeconds = monotonicSeconds() - t1
        let storedCount = built.hashes.count
        let expected = try store.tree.root(treeSize: store.size)
        let builtRoot = try built.tree.root(treeSize: built.size)
        precondition(builtRoot == expected)
        let nodeHashes = Double(storedCount - leafHashes.count)
        let rawSeconds = nodeHashes / shaRate
        figures.append(BenchFigure(
            name: "Merkle build from \(leafHashes.count) leaf hashes", value: nodeHashes / buildSeconds, unit: "node hashes/s",
            target: "≥ 0.7 × raw 65-byte SHA-256/s (1 core; the build uses \(cores))", ratio: rawSeconds / buildSeconds, met: rawSeconds / buildSeconds >= 0.7))

        // Inclusion proofs at full size.
        let size = store.size
        let server = try FileProofServer(store: store, treeSize: size)
        var rng = SystemRandomNumberGenerator()
        let proofs = 200_000
        let indices = (0..<proofs).map { _ in Int64.random(in: 0..<size, using: &rng) }
        let t2 = monotonicSeconds()
        var total = 0
        for i in indices { total += try server.inclusionProof(index: i).count }
        let proofSeconds = monotonicSeconds() - t2
        precondition(total > 0)
        let proofRate = Double(proofs) / proofSeconds
        // Proof serving is independent per request: the same proofs on every core.
        let t2p = monotonicSeconds()
        DispatchQueue.concurrentPerform(iterations: cores) { w in
            var local = 0
            var k = w
            while k < proofs {
                local += (try? server.inclusionProof(index: indices[k]).count) ?? 0
                k += cores
            }
            precondition(local > 0)
        }
        let parallelRate = Double(proofs) / (monotonicSeconds() - t2p)
        figures.append(BenchFigure(name: "inclusion proofs at \(size) leaves, 1 core", value: proofRate, unit: "proofs/s", target: "(per-core figure)"))
        figures.append(BenchFigure(name: "inclusion proofs at \(size) leaves, \(cores) cores", value: parallelRate, unit: "proofs/s", target: "≥ 500,000/s", met: parallelRate >= 500_000))

        // Full audit, in a child process so that its peak memory is its own.
        log("auditing \(size) entries in a child process...")
        let t3 = monotonicSeconds()
        let (status, rss) = runChild(["verify", dir, "--json"])
        let auditSeconds = monotonicSeconds() - t3
        let auditRate = Double(size) / auditSeconds
        let auditLimit = Double(cores) * verifyRate
        figures.append(BenchFigure(
            name: "full audit throughput" + (status == 0 ? "" : " (VERIFY FAILED: exit \(status))"), value: auditRate, unit: "entries/s",
            target: "≥ 0.8 × (\(cores) cores × raw verify/s)", ratio: auditRate / auditLimit, met: status == 0 && auditRate >= 0.8 * auditLimit))
        figures.append(BenchFigure(name: "peak RSS of the full audit", value: rss, unit: "MiB", target: "< 512 MiB", met: rss < 512))
        return figures
    }

    func signInParallel(count: Int, offset: Int, key: NoteSignerKey) -> [SignedStatement] {
        var out = [SignedStatement?](repeating: nil, count: count)
        let now = Timestamp.now()
        out.withUnsafeMutableBufferPointer { buf in
            nonisolated(unsafe) let b = buf
            let workers = cpuCount()
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var k = w
                while k < count {
                    b[k] = try! Statement.make(kind: "note", body: ["text": .string("benchmark note \(offset + k): export-control coordination record")], key: key, time: now)
                    k += workers
                }
            }
        }
        return out.map { $0! }
    }

    /// Raw single-core rates: Ed25519 verifies/s (the backend in use) and OpenSSL 65-byte SHA-256/s.
    func rawLimits() -> (Double, Double) {
        let key = SigningKey.generate()
        let msgs = (0..<256).map { i in Array("raw verify benchmark message \(i) ........................................".utf8) }
        let sigs = msgs.map { key.signature(for: $0) }
        var n = 0
        var ok = true
        let t0 = monotonicSeconds()
        while monotonicSeconds() - t0 < 1.0 {
            for j in 0..<64 { ok = ok && key.verifyingKey.isValidSignature(sigs[(n + j) & 255], for: msgs[(n + j) & 255]) }
            n += 64
        }
        let verifyRate = Double(n) / (monotonicSeconds() - t0)
        precondition(ok)
        var buf = [UInt8](repeating: 7, count: 65)
        var h = Digest.zero
        var m = 0
        let t1 = monotonicSeconds()
        buf.withUnsafeBytes { raw in
            while monotonicSeconds() - t1 < 1.0 {
                for _ in 0..<4096 { h = SHA256.hash(raw) }
                m += 4096
            }
        }
        buf[0] = h.bytes[0]
        return (verifyRate, Double(m) / (monotonicSeconds() - t1))
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
        path = String(cString: template)
        owned = true
    }

    /// Removes the directory when this process made it, without a shell.
    func cleanUp() {
        guard owned else { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}
