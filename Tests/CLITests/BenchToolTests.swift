import Foundation
import LedgerCore
import LedgerTestSupport
import Testing

/// The built `ledger-bench` executable (benchmarks and `dev-vectors`, kept out of `ledger`).
let ledgerBenchBinary = TestPaths.builtExecutable("ledger-bench")

/// Runs `ledger-bench` with `args` in `cwd`.
@discardableResult
func ledgerBench(_ args: [String], cwd: String) throws -> RunResult {
    try runProcess(ledgerBenchBinary, args, cwd: cwd)
}

/// `ledger-bench` (issue 10 §4): the benchmarks and the vector generator, run as built, and a
/// `ledger` that carries none of them.
@Suite struct BenchToolTests {
    /// Parses `--json` output: exactly one line of JSON on stdout.
    static func parseFigures(_ r: RunResult) throws -> (top: JSONObject, figures: [JSONObject]) {
        #expect(r.lines.count == 1, "stdout must be one JSON line, got: \(r.stdout)")
        guard case .object(let top) = try JSONParser.parse(Array(r.stdout.utf8)) else {
            Issue.record("not a JSON object: \(r.stdout)")
            return (JSONObject(), [])
        }
        var figures: [JSONObject] = []
        for f in top["figures"]?.arrayValue ?? [] {
            guard case .object(let o) = f else { continue }
            #expect(Set(o.keys).isSuperset(of: ["name", "value", "unit", "target"]), "\(o)")
            #expect(Double(o["value"]?.stringValue ?? "") != nil, "value is a decimal string: \(o)")
            figures.append(o)
        }
        return (top, figures)
    }

    @Test func coreBenchPrintsItsFiguresAsJSONOnStdoutAndProgressOnStderr() throws {
        let dir = try makeTempDir("bench-core")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try ledgerBench(["bench", "--entries", "100", "--suite", "core", "--json"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let (top, figures) = try Self.parseFigures(r)
        #expect(Set(top.keys) == ["cores", "ed25519Backend", "figures"])
        let cores = try #require(top["cores"]?.integerValue)
        #expect(cores >= 1)
        #expect(top["ed25519Backend"]?.stringValue?.isEmpty == false)
        let names = figures.compactMap { $0["name"]?.stringValue }
        #expect(
            names == [
                "limit: raw Ed25519 verify (1 core)", "limit: raw 65-byte SHA-256 (1 core)",
                "durable batch append (--signed), sigs checked", "open a 100-entry ledger (+ root)",
                "Merkle build from 100 leaf hashes", "inclusion proofs at 100 leaves, 1 core",
                "inclusion proofs at 100 leaves, \(cores) cores",
                // Without "(VERIFY FAILED …)": the `ledger` beside it audited the ledger.
                "full audit throughput", "peak RSS of the full audit",
            ])
        // Figures with a same-run limit carry their ratio and whether they met the target.
        for f in figures where f["name"]?.stringValue?.hasPrefix("limit:") == false {
            #expect(f["met"] != nil || f["target"]?.stringValue?.hasPrefix("(") == true, "\(f)")
        }
        #expect(figures[2]["ratio"].flatMap { Double($0.stringValue ?? "") } != nil)
        // Progress: a line per phase and the counted work, on stderr only.
        #expect(r.stderr.contains("] measuring raw limits\n"), "\(r.stderr)")
        #expect(r.stderr.contains("] append: 98/98 (100%)\n"), "\(r.stderr)")
        #expect(r.stderr.contains("] auditing 100 entries in a child process"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("ledger-bench: [") }, "\(r.stderr)")
        #expect(!r.stdout.contains("ledger-bench:"))
    }

    @Test func consensusBenchKeepsItsFiguresAndReportsTheBuildOnStderr() throws {
        let dir = try makeTempDir("bench-consensus")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let work = dir + "/w"
        let r = try ledgerBench(
            ["bench-consensus", "--entries", "200", "--runs", "1", "--workdir", work, "--json"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let (top, figures) = try Self.parseFigures(r)
        #expect(Set(top.keys) == ["cores", "figures"])
        #expect(
            figures.compactMap { $0["name"]?.stringValue } == [
                "consensus: build (sign + append)", "consensus: status of all 2 proposals",
                "consensus: status of all, decoding on 1 thread", "consensus: one proposal's status (index, mean)",
                "consensus: one proposal's status (index, worst)", "consensus: peak memory of the replay",
            ])
        #expect(r.stderr.contains("] build: "), "\(r.stderr)")
        #expect(r.stderr.contains("] replayed "), "\(r.stderr)")
        // --reuse measures the kept ledger without building it again: no build figure.
        let again = try ledgerBench(
            ["bench-consensus", "--entries", "200", "--runs", "1", "--workdir", work, "--reuse", "--json"], cwd: dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(
            try Self.parseFigures(again).figures.first?["name"]?.stringValue == "consensus: status of all 2 proposals")
        #expect(again.stderr.contains("reusing the ledger in \(work)"), "\(again.stderr)")
    }

    @Test func devVectorsRegeneratesTheCommittedSpecVectorsByteForByte() throws {
        let dir = try makeTempDir("dev-vectors")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try ledgerBench(["dev-vectors", "--out", dir + "/v"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let specs = TestPaths.packageRoot + "/specs/vectors/"
        var compared = 0
        for line in r.lines {
            let path = try #require(line.split(separator: " ", maxSplits: 1).last.map(String.init))
            let name = String(path.dropFirst((dir + "/v/").count))
            #expect(try bytes(path) == bytes(specs + name), "\(name) differs from specs/vectors")
            compared += 1
        }
        #expect(compared >= 20, "\(r.stdout)")
        #expect(r.stdout.contains("/v/ledgers/keys.json\n"))
    }

    @Test func ledgerListsNoBenchmarkOrVectorCommands() throws {
        let dir = try makeTempDir("no-bench")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let help = try ledger(["--help"], cwd: dir)
        #expect(help.status == 0)
        #expect(help.stdout.contains("verify"), "\(help.stdout)")
        #expect(!help.stdout.contains("bench") && !help.stdout.contains("vectors"), "\(help.stdout)")
        #expect(!(try ledger(["list", "--help"], cwd: dir)).stdout.contains("bench"))
        for args in [["bench"], ["bench-consensus"], ["dev-vectors"], ["list", "bench"]] {
            let r = try ledger(args + ["--json"], cwd: dir)
            #expect(r.status == 2, "ledger \(args) must be unknown: \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        let benchHelp = try ledgerBench(["--help"], cwd: dir)
        for sub in ["bench", "bench-consensus", "list", "dev-vectors"] {
            #expect(benchHelp.stdout.contains("  \(sub) "), "\(benchHelp.stdout)")
        }
    }

    /// The `ledger` executable holds no test seeds' products, no benchmark text and no `/proc`
    /// paths; `ledger-bench`, built from the same sources, does (so the check can fail).
    @Test func ledgerExecutableCarriesNoTestToolingWhichLedgerBenchDoes() throws {
        let markers = [
            "vectors.minilateral.example/log", "tri-secretariat.example", "benchmark note", "/proc/self/status",
            "/proc/self/clear_refs", "Sources/LedgerTestSupport/",
        ]
        let product = try bytes(ledgerBinary)
        let tool = try bytes(ledgerBenchBinary)
        for m in markers {
            let needle = Data(m.utf8)
            #expect(product.range(of: needle) == nil, "ledger contains \(m)")
            #expect(tool.range(of: needle) != nil, "ledger-bench lacks \(m)")
        }
    }

    /// `load-prepare` (scripts/load.sh): a verifiable ledger with a signed checkpoint, the
    /// operator key at mode 0600, and bodies that are each a distinct signed statement the
    /// ledger's rules accept.
    @Test func loadPrepareWritesALedgerAKeyAndAcceptableBodies() throws {
        let dir = try makeTempDir("load-prepare")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try ledgerBench(
            [
                "load-prepare", "--dir", "l", "--operator-key", "op.key", "--bodies", "b.jsonl", "--statements",
                "250", "--per-proposal", "50",
            ], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/op.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let lines = try String(contentsOfFile: dir + "/b.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 250)
        #expect(Set(lines).count == 250)
        let before = try ledger(["verify", "l", "--json"], cwd: dir)
        #expect(before.status == 0, "\(before.stderr)")
        // 100 delegations + charter + secretariat + genesis, and 5 proposals (250 / 50).
        #expect(before.stdout.contains("\"entries\":108"), "\(before.stdout)")
        let append = try ledger(["append", "l", "--signed", "b.jsonl"], cwd: dir)
        #expect(append.status == 0, "\(append.stderr)")
        let after = try ledger(["verify", "l", "--json"], cwd: dir)
        #expect(after.stdout.contains("\"entries\":358"), "\(after.stdout)")
    }
}
