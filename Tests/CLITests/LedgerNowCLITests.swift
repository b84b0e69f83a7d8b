import Foundation
import LedgerCore
import LedgerTestSupport
import Testing

/// `LEDGER_NOW` (specs/cli.md): any RFC 3339 date-time overrides the log clock, stored in UTC as
/// before; a set, non-empty value that is not one stops every command at its start (exit 2,
/// one line naming the variable and the value), before anything is written.
@Suite struct LedgerNowCLITests {
    static let note = ["--kind", "note", "--body", #"{"text":"clock"}"#]

    @Test(arguments: [
        "yesterday", "2030-01-02 09:00:00Z", "2030-01-02", "2030-01-02T09:00:00", "2030-01-02T09:00:00.Z",
        "1969-12-31T23:59:59Z", "2030-01-02T25:00:00Z", "2030-01-02T09:00:00+24:00", "2030-02-30T09:00:00Z",
        " 2030-01-02T09:00:00Z",
    ])
    func aLedgerNowThatIsNotRFC3339IsOneLineExit2AndNothingIsWritten(value: String) throws {
        let fx = try CLIFixture()
        defer { try? FileManager.default.removeItem(atPath: fx.dir) }
        let before = try fx.snapshot()
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: fx.dir + "/led/checkpoints")
        let commands: [[String]] = [
            ["append", "led", "--key", "op.key"] + Self.note,
            ["checkpoint", "led", "--sign", "--key", "op.key"],
            ["board", "led"],
            ["verify", "led"],
            // Killed after 20 s by the test: a server that started would not stop by itself.
            ["serve", "led", "--port", "0"],
        ]
        for args in commands {
            let r = try runProcess(
                "/usr/bin/timeout", ["-s", "KILL", "20", ledgerBinary] + args, cwd: fx.dir, env: ["LEDGER_NOW": value])
            #expect(r.status == 2, "\(args[0]) \(value): \(r.stdout) \(r.stderr)")
            #expect(
                r.stderr == "ledger: error: LEDGER_NOW: \"\(value)\" is not an RFC 3339 date-time "
                    + "(2026-10-01T18:00:00+09:00, 2026-10-01T09:00:00Z or 2026-10-01T09:00:00.250Z); unset it to use "
                    + "the system clock\n", "\(args[0]): \(r.stderr)")
            #expect(r.stdout.isEmpty, "\(args[0]) \(value): \(r.stdout)")
        }
        #expect(try fx.snapshot() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fx.dir + "/led/checkpoints") == checkpoints)
    }

    @Test func anOffsetOrAFractionIsTheSameInstantStoredInUTC() throws {
        // The same instant written four ways; the entry's time is the Z form, whole seconds.
        let forms = [
            "2030-01-02T09:00:07Z", "2030-01-02T18:00:07+09:00", "2030-01-02t04:30:07.999-04:30",
            "2030-01-02T09:00:07z",
        ]
        var times = [String]()
        for form in forms {
            let fx = try CLIFixture()
            defer { try? FileManager.default.removeItem(atPath: fx.dir) }
            let r = try ledger(
                ["append", "led", "--key", "op.key", "--json"] + Self.note, cwd: fx.dir, env: ["LEDGER_NOW": form])
            #expect(r.status == 0, "\(form): \(r.stderr)")
            let last = try #require(try read(fx.dir + "/led/entries.jsonl").split(separator: "\n").last)
            let entry = try JSONParser.parse(Array(last.utf8))
            times.append(entry["time"]?.stringValue ?? "?")
        }
        #expect(times == Array(repeating: "2030-01-02T09:00:07Z", count: forms.count), "\(times)")
        // Empty is unset: the system clock, no error.
        let fx = try CLIFixture()
        defer { try? FileManager.default.removeItem(atPath: fx.dir) }
        let r = try ledger(["append", "led", "--key", "op.key"] + Self.note, cwd: fx.dir, env: ["LEDGER_NOW": ""])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        // Help needs no clock.
        let help = try ledger(["board", "--help"], cwd: fx.dir, env: ["LEDGER_NOW": "bad"])
        #expect(help.status == 0 && help.stdout.contains("USAGE"), "\(help.stderr)")
    }
}
