import Foundation
import LedgerTestSupport
import Testing

/// Usage errors speak like every other error: `ledger: error: <where>: <what>`, one line,
/// then a `hint:` with the nearest name when one was mistyped (specs/cli.md, "Errors").
@Suite struct UsageErrorCLITests {
    @Test(arguments: [
        (["propse"], "ledger: error: unknown command 'propse'", "hint: did you mean 'propose'? see 'ledger --help'"),
        (
            ["list", "dif", "a"], "ledger: error: list: unknown command 'dif'",
            "hint: did you mean 'diff'? see 'ledger list --help'"
        ),
        (
            ["propose", "d", "--keyfile", "k", "--file", "p"], "ledger: error: propose: unknown option '--keyfile'",
            "hint: did you mean '--key'? see 'ledger propose --help'"
        ),
        (
            ["board", "d", "--wdie"], "ledger: error: board: unknown option '--wdie'",
            "hint: did you mean '--wide'? see 'ledger board --help'"
        ),
        (
            ["verify", "d", "--jsn"], "ledger: error: verify: unknown option '--jsn'",
            "hint: did you mean '--json'? see 'ledger verify --help'"
        ),
        (
            ["verify", "d", "--frobnicate"], "ledger: error: verify: unknown option '--frobnicate'",
            "hint: see 'ledger verify --help'"
        ),
    ])
    func mistypedNamesGetANearestSuggestion(args: [String], error: String, hint: String) throws {
        let r = try ledger(args, cwd: NSTemporaryDirectory())
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == error + "\n" + hint + "\n", "\(r.stderr)")
    }

    @Test func missingArgumentsNameTheCommandAndItsUsage() throws {
        let r = try ledger(["board"], cwd: NSTemporaryDirectory())
        #expect(r.status == 2)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0] == "ledger: error: board: missing expected argument '<dir>'")
        #expect(lines[1].hasPrefix("hint: usage: ledger board <dir> [--forum <forum>]"))
        #expect(lines[1].hasSuffix("; see 'ledger board --help'"))
    }

    @Test func versionIsPrinted() throws {
        let r = try ledger(["--version"], cwd: NSTemporaryDirectory())
        #expect(r.status == 0)
        let v = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(v.split(separator: ".").count == 3 && v.split(separator: ".").allSatisfy { Int($0) != nil }, "\(v)")
    }
}
