import Foundation
import LedgerTestSupport
import Testing

/// The built `ledger` executable, found next to the test bundle.
let ledgerBinary = TestPaths.builtExecutable("ledger")

/// Runs `ledger` with `args` in `cwd` and returns its exit status and output.
@discardableResult
func ledger(_ args: [String], cwd: String, env: [String: String] = [:]) throws -> RunResult {
    try runProcess(ledgerBinary, args, cwd: cwd, env: env)
}

/// Runs `ledger` with at most 4 GiB of address space and 60 seconds, for inputs built to
/// exhaust memory or time: if a guard ever regresses, the test fails instead of taking the
/// machine down.
@discardableResult
func boundedLedger(_ args: [String], cwd: String) throws -> RunResult {
    let quoted = ([ledgerBinary] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    return try runProcess(
        "/bin/sh", ["-c", "ulimit -v 4194304; exec timeout 60 " + quoted.joined(separator: " ")], cwd: cwd)
}

/// Runs a shell command line in `cwd`.
@discardableResult
func shell(_ command: String, cwd: String) throws -> RunResult {
    try runProcess("/bin/sh", ["-c", command], cwd: cwd)
}

func makeTempDir(_ tag: String) throws -> String {
    let path = NSTemporaryDirectory() + "mll-cli-\(tag)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }
func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

/// A work directory with an operator key and an initialised ledger `led`.
struct CLIFixture {
    let dir: String
    let opVkey: String

    init(origin: String = "cli.example/log") throws {
        dir = try makeTempDir("fx")
        let g = try ledger(["key", "generate", "--name", origin, "--out", "op.key"], cwd: dir)
        #expect(g.status == 0, "\(g.stderr)")
        opVkey = g.lines.last!
        let i = try ledger(["init", "led", "--origin", origin, "--operator-key", "op.key"], cwd: dir)
        #expect(i.status == 0, "\(i.stderr)")
    }

    /// Generates a key and registers it; returns its vkey.
    @discardableResult
    func registeredKey(_ name: String, file: String) throws -> String {
        let vkey = try ledger(["key", "generate", "--name", name, "--out", file], cwd: dir).lines.last!
        let r = try ledger(["key", "register", "led", "--key", "op.key", "--vkey", vkey], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        return vkey
    }

    func snapshot() throws -> [Data] {
        try ["entries.jsonl", "entries.idx", "tree.hashes"].map { try bytes(dir + "/led/" + $0) }
    }
}
