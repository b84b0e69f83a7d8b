import ArgumentParser
import Foundation
import LedgerCore
import LedgerCrypto

extension LedgerBenchCommand {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the ledger against its performance targets (not a timed test).",
            discussion: """
                Each figure is reported as an absolute and, where the target is relative, as a ratio to a \
                limit measured in the same run: raw Ed25519 verifies/s with the backend in use (libsodium \
                when libsodium.so.23 is present, else OpenSSL; LEDGER_ED25519=openssl forces OpenSSL; both \
                are named in the output) and raw 65-byte SHA-256 hashes/s (OpenSSL \
                SHA256_Init/Update/Final). The audit runs the `ledger` executable beside this one. \
                Progress goes to stderr, figures to stdout.
                """)

        @Option(help: "Entries in the core benchmark ledger.") var entries = 1_000_000
        @Option(help: "Suites to run: core, consensus, lists or all.") var suite = "core"
        @Option(
            help: """
                Working directory, kept afterwards; it must not hold a ledger (default: a new directory \
                under /tmp, removed afterwards).
                """
        ) var workdir: String?
        @OptionGroup var output: BenchOutputOptions

        func validate() throws {
            guard ["core", "consensus", "lists", "all"].contains(suite) else {
                throw ValidationError("--suite must be core, consensus, lists or all")
            }
            guard entries >= 100 else { throw ValidationError("--entries must be at least 100") }
        }

        func run() throws {
            try LedgerBenchCommand.reportingErrors {
                let progress = BenchProgress()
                var figures = [BenchFigure]()
                if suite == "core" || suite == "all" {
                    figures += try CoreBenchmark(entries: entries, workdir: workdir, progress: progress).run()
                }
                if suite == "consensus" || suite == "all" {
                    figures += try consensusBenchmark(entries: entries, progress: progress)
                }
                if suite == "lists" || suite == "all" { figures += try controlListBenchmark(progress: progress) }
                progress.closeLine()
                if output.json {
                    BenchOutput.printJSON(figures, extra: ["ed25519Backend": .string(Ed25519.backendName)])
                    return
                }
                var text = "Ed25519 backend: \(Ed25519.backendName)\n"
                text += "figure".padded(to: 48) + "value".padded(to: 22) + "ratio".padded(to: 8) + "target\n"
                for f in figures {
                    let value = format2(f.value) + " " + f.unit
                    let ratio = f.ratio.map(format2) ?? "-"
                    text += f.name.padded(to: 47) + " " + value.padded(to: 21) + " " + ratio.padded(to: 7) + " "
                    text += f.target + f.metSuffix + "\n"
                    if !f.series.isEmpty {
                        text += "    series: " + f.series.map { "n=\($0.0): \(format2($0.1))" }.joined(separator: ", ")
                        text += "\n"
                    }
                }
                BenchOutput.stdout(text)
            }
        }
    }
}

/// The core benchmark: durable batch append, opening, the Merkle build, inclusion proofs and a
/// full audit by `ledger verify`, against limits measured in the same run.
struct CoreBenchmark {
    let entries: Int
    let workdir: String?
    let progress: BenchProgress

    func run() throws -> [BenchFigure] {
        let ledgerExecutable = try BenchSystem.ledgerExecutable()
        let cores = BenchSystem.cpuCount()
        progress.phase("measuring raw limits")
        let (verifyRate, shaRate) = rawLimits()
        progress.phase(
            "raw Ed25519 verify (\(Ed25519.backendName)): \(Int(verifyRate))/s per core; "
                + "raw 65-byte SHA-256: \(Int(shaRate))/s")
        var figures = [
            BenchFigure(
                name: "limit: raw Ed25519 verify (1 core)", value: verifyRate, unit: "verifies/s",
                target: Ed25519.backendName + " verify, strict"),
            BenchFigure(
                name: "limit: raw 65-byte SHA-256 (1 core)", value: shaRate, unit: "hashes/s",
                target: "OpenSSL SHA256_Init/Update/Final"),
        ]
        let work = try BenchWorkdir(workdir, prefix: "ledger-bench")
        defer { work.cleanUp() }
        let dir = work.path
        let op = try NoteSignerKey.generate(name: "bench.example/log")
        let writer = try NoteSignerKey.generate(name: "bench-writer")
        let clock: @Sendable () -> Timestamp = { .now() }
        let ledger = try Ledger<CoreRules>.create(directory: dir, operatorKey: op, clock: clock)
        _ = try ledger.append([
            try Statement.make(
                kind: "key.register", body: ["vkey": .string(writer.verifierKey.description)], key: op, time: clock())
        ])

        // Durable batch append of pre-signed statements (signatures checked), in batches.
        progress.phase("signing and appending \(entries) statements in batches of 10,000")
        let batch = 10_000
        var appendSeconds = 0.0
        var appended = 0
        while appended < entries - 2 {
            let n = min(batch, entries - 2 - appended)
            let signed = signInParallel(count: n, offset: appended, key: writer)
            let t0 = BenchSystem.monotonicSeconds()
            _ = try ledger.append(signed)
            appendSeconds += BenchSystem.monotonicSeconds() - t0
            appended += n
            progress.step("append", done: Int64(appended), of: Int64(entries - 2))
        }
        let appendRate = Double(appended) / appendSeconds
        let appendLimit = Double(cores) * verifyRate
        figures.append(
            BenchFigure(
                name: "durable batch append (--signed), sigs checked", value: appendRate, unit: "entries/s",
                target: "≥ 0.7 × (\(cores) cores × raw verify/s)", ratio: appendRate / appendLimit,
                met: appendRate >= 0.7 * appendLimit))

        // Opening.
        progress.phase("opening the ledger; building the Merkle tree from its leaf hashes")
        let t0 = BenchSystem.monotonicSeconds()
        let store = try FileStore(directory: dir)
        let root = try store.tree.root(treeSize: store.size)
        let openSeconds = BenchSystem.monotonicSeconds() - t0
        figures.append(
            BenchFigure(
                name: "open a \(store.size)-entry ledger (+ root)", value: openSeconds * 1000, unit: "ms",
                target: "< 1000 ms", met: openSeconds < 1))
        _ = root

        // Merkle build from leaf hashes vs the same number of raw 65-byte hashes.
        let leafHashes = (0..<store.size).map { store.leafHash($0) }
        let t1 = BenchSystem.monotonicSeconds()
        let built = InMemoryHashes(buildingInParallelFrom: leafHashes)
        let buildSeconds = BenchSystem.monotonicSeconds() - t1
        let storedCount = built.hashes.count
        let expected = try store.tree.root(treeSize: store.size)
        let builtRoot = try built.tree.root(treeSize: built.size)
        precondition(builtRoot == expected)
        let nodeHashes = Double(storedCount - leafHashes.count)
        let rawSeconds = nodeHashes / shaRate
        figures.append(
            BenchFigure(
                name: "Merkle build from \(leafHashes.count) leaf hashes", value: nodeHashes / buildSeconds,
                unit: "node hashes/s",
                target: "≥ 0.7 × raw 65-byte SHA-256/s (1 core; the build uses \(cores))",
                ratio: rawSeconds / buildSeconds, met: rawSeconds / buildSeconds >= 0.7))

        // Inclusion proofs at full size.
        let size = store.size
        let proofs = 200_000
        progress.phase("serving \(proofs) inclusion proofs at \(size) leaves, on 1 core then \(cores)")
        let server = try FileProofServer(store: store, treeSize: size)
        var rng = SystemRandomNumberGenerator()
        let indices = (0..<proofs).map { _ in Int64.random(in: 0..<size, using: &rng) }
        let t2 = BenchSystem.monotonicSeconds()
        var total = 0
        for i in indices { total += try server.inclusionProof(index: i).count }
        let proofSeconds = BenchSystem.monotonicSeconds() - t2
        precondition(total > 0)
        let proofRate = Double(proofs) / proofSeconds
        // Proof serving is independent per request: the same proofs on every core.
        let t2p = BenchSystem.monotonicSeconds()
        Parallel.forEachWorker(cores) { w in
            var local = 0
            var k = w
            while k < proofs {
                local += (try? server.inclusionProof(index: indices[k]).count) ?? 0
                k += cores
            }
            precondition(local > 0)
        }
        let parallelRate = Double(proofs) / (BenchSystem.monotonicSeconds() - t2p)
        figures.append(
            BenchFigure(
                name: "inclusion proofs at \(size) leaves, 1 core", value: proofRate, unit: "proofs/s",
                target: "(per-core figure)"))
        figures.append(
            BenchFigure(
                name: "inclusion proofs at \(size) leaves, \(cores) cores", value: parallelRate, unit: "proofs/s",
                target: "≥ 500,000/s", met: parallelRate >= 500_000))

        // Full audit, in a child process so that its peak memory is its own.
        progress.phase("auditing \(size) entries in a child process (\(ledgerExecutable) verify)")
        let t3 = BenchSystem.monotonicSeconds()
        let (status, rss) = BenchSystem.runChild(ledgerExecutable, ["verify", dir, "--json"])
        let auditSeconds = BenchSystem.monotonicSeconds() - t3
        progress.phase("audit done in \(format2(auditSeconds)) s (exit \(status))")
        let auditRate = Double(size) / auditSeconds
        let auditLimit = Double(cores) * verifyRate
        figures.append(
            BenchFigure(
                name: "full audit throughput" + (status == 0 ? "" : " (VERIFY FAILED: exit \(status))"),
                value: auditRate, unit: "entries/s",
                target: "≥ 0.8 × (\(cores) cores × raw verify/s)", ratio: auditRate / auditLimit,
                met: status == 0 && auditRate >= 0.8 * auditLimit))
        figures.append(
            BenchFigure(
                name: "peak RSS of the full audit", value: rss, unit: "MiB", target: "< 512 MiB", met: rss < 512))
        return figures
    }

    func signInParallel(count: Int, offset: Int, key: NoteSignerKey) -> [SignedStatement] {
        let now = Timestamp.now()
        return Parallel.map(count) { k in
            try! Statement.make(
                kind: "note",
                body: ["text": .string("benchmark note \(offset + k): export-control coordination record")],
                key: key, time: now)
        }
    }

    /// Raw single-core rates: Ed25519 verifies/s (the backend in use) and OpenSSL 65-byte SHA-256/s.
    func rawLimits() -> (Double, Double) {
        let key = SigningKey.generate()
        let msgs = (0..<256).map { i in
            Array("raw verify benchmark message \(i) ........................................".utf8)
        }
        let sigs = msgs.map { key.signature(for: $0) }
        var n = 0
        var ok = true
        let t0 = BenchSystem.monotonicSeconds()
        while BenchSystem.monotonicSeconds() - t0 < 1.0 {
            for j in 0..<64 {
                ok = ok && key.verifyingKey.isValidSignature(sigs[(n + j) & 255], for: msgs[(n + j) & 255])
            }
            n += 64
        }
        let verifyRate = Double(n) / (BenchSystem.monotonicSeconds() - t0)
        precondition(ok)
        var buf = [UInt8](repeating: 7, count: 65)
        var h = Digest.zero
        var m = 0
        let t1 = BenchSystem.monotonicSeconds()
        buf.withUnsafeBytes { raw in
            while BenchSystem.monotonicSeconds() - t1 < 1.0 {
                for _ in 0..<4096 { h = SHA256.hash(raw) }
                m += 4096
            }
        }
        buf[0] = h.bytes[0]
        return (verifyRate, Double(m) / (BenchSystem.monotonicSeconds() - t1))
    }
}
