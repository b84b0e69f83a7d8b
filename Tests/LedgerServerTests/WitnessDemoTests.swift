import Foundation
import LedgerTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The built `ledger` as a user runs it: two delegations' witnesses (`serve --witness-only`)
/// cosign the sample copy through the log's witness client (`serve DIR --witness URL=VKEY`),
/// then `verify --min-cosignatures 2` passes (scripts/witness-demo.sh does the same in CI).
@Suite struct WitnessDemoTests {
    /// Runs `ledger ARGS` to completion; its status, stdout and stderr.
    static func ledger(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let r = try runProcess(ledgerBinary, args)
        return (r.status, r.stdout, r.stderr)
    }

    /// A started `ledger serve ARGS --port 0`, its URL and its stderr pipe.
    struct Served {
        let process: ChildProcess
        let url: String
        let err: Pipe

        init(_ args: [String]) async throws {
            process = ChildProcess()
            process.executableURL = URL(fileURLWithPath: ledgerBinary)
            process.arguments = ["serve"] + args + ["--port", "0"]
            let out = Pipe()
            err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            do { url = try await readLine(out.fileHandleForReading) } catch {
                process.terminate()
                throw error
            }
        }

        var port: Int { URL(string: url)?.port ?? 0 }

        /// SIGTERM; whether it exited 0 within 20 s, and what it logged.
        func stop() async throws -> (Bool, String) {
            kill(process.processIdentifier, SIGTERM)
            let exited = try await waitForExit(process, seconds: 20)
            if !exited { process.terminate() }
            let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return (exited && process.terminationStatus == 0, log)
        }
    }

    @Test func twoDelegationWitnessesCosignTheSampleAndVerifyCountsThem() async throws {
        let work = tempPath("demo")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let copy = work + "/copy"
        try FileManager.default.copyItem(atPath: sampleLedger, toPath: copy)
        let logKey = "demo.minilateral-ledger.example+8318c542+ARXcBFtB+YflZzloSpvrFspkcCz6GnYXceafQB8H2A6F"
        var witnesses = [Served]()
        var started = [ChildProcess]()
        // Whatever fails below, no server outlives the test.
        defer { for p in started where p.isRunning { p.terminate() } }
        var vkeys = [String]()
        var secrets = [String]()
        for delegation in ["G7-DE", "G7-FR"] {
            let key = "\(work)/\(delegation).key"
            #expect(
                try Self.ledger(["key", "generate", "--name", "witness.\(delegation).demo", "--out", key]).status == 0)
            secrets.append(
                try String(contentsOfFile: key, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
            let vkey = try Self.ledger(["key", "show", key, "--cosigner"]).out.trimmingCharacters(
                in: .whitespacesAndNewlines)
            vkeys.append(vkey)
            witnesses.append(
                try await Served([
                    "--witness-only", "--key", key, "--state", "\(work)/\(delegation).state", "--log",
                    "demo.minilateral-ledger.example=\(logKey)",
                ]))
            started.append(witnesses[witnesses.count - 1].process)
        }
        let verifyArgs = ["verify", copy] + vkeys.flatMap { ["--witness", $0] } + ["--min-cosignatures", "2"]
        #expect(try Self.ledger(verifyArgs).status == 1, "verify passed before the witnesses cosigned")
        let log = try await Served(
            [copy, "--refresh-interval", "0.1"]
                + zip(witnesses, vkeys).flatMap { ["--witness", "\($0.url)/witness=\($1)"] })
        started.append(log.process)
        let cosigned = try await eventually(seconds: 120) {
            let text = try await HTTPTestClient.get(port: log.port, "/checkpoint").text
            return text.contains("\n— witness.G7-DE.demo ") && text.contains("\n— witness.G7-FR.demo ")
        }
        #expect(cosigned, "/checkpoint never carried both cosignatures")
        let verified = try Self.ledger(verifyArgs + ["--json"])
        #expect(verified.status == 0, "\(verified.out)\(verified.err)")
        #expect(verified.out.contains("witness.G7-DE.demo") && verified.out.contains("witness.G7-FR.demo"))
        // SIGTERM stops every server, the witness client included; logs are key=value, with no key.
        let (logStopped, logText) = try await log.stop()
        #expect(logStopped, "the log server did not exit 0 on SIGTERM: \(logText)")
        #expect(logText.contains("cosigned by witness") && logText.contains("witness=witness.G7-DE.demo"), "\(logText)")
        for w in witnesses {
            let (stopped, text) = try await w.stop()
            #expect(stopped, "a witness did not exit 0 on SIGTERM: \(text)")
            #expect(text.contains("cosigned") && text.contains("size=100"), "\(text)")
            for secret in secrets { #expect(!text.contains(secret.suffix(20))) }
        }
        for secret in secrets { #expect(!logText.contains(secret.suffix(20))) }
    }

    @Test(arguments: [
        (["serve", "ledger", "--witness", "nope"], "--witness nope: expected URL=VKEY"),
        (
            [
                "serve", "ledger", "--witness",
                "ftp://h/w=demo.minilateral-ledger.example+8318c542+ARXcBFtB+YflZzloSpvrFspkcCz6GnYXceafQB8H2A6F",
            ],
            "must start with http:// or https://"
        ),
        (["serve", "ledger", "--witness", "http://127.0.0.1:1/witness=witness.example+00000000+AQ"], "--witness"),
        (
            ["serve", "--witness-only", "--key", "k", "--state", "s", "--log", "o=v", "--witness", "http://h=v"],
            "--witness submits a ledger's checkpoints"
        ),
    ])
    func aBadWitnessOptionIsRefusedInOneLine(args: [String], message: String) throws {
        let r = try runProcess(ledgerBinary, args.map { $0 == "ledger" ? sampleLedger : $0 })
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").first?.contains(message) == true, "\(r.stderr)")
    }
}
