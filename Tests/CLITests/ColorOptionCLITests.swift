import Foundation
import LedgerTestSupport
import Testing

/// `--color auto|always|never` on the commands that colour (specs/cli.md, "Terminals"): the
/// built binary through a pipe and on a pseudo-terminal.
@Suite(.serialized) struct ColorOptionCLITests {
    static let esc = "\u{1b}["
    static let asOf = ["--as-of", "2026-11-27T18:00:00Z"]
    static let lists = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/ControlLists/Data").path

    @Test func alwaysColoursThroughAPipeWhateverNoColorSaysAndMovesNoColumn() throws {
        let dir = try SmallDefectTests.sampleLedger()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plain = try ledger(["board", "led"] + Self.asOf, cwd: dir)
        for env in [[:], ["NO_COLOR": "1"], ["TERM": "dumb"]] {
            let r = try ledger(["board", "led", "--color", "always"] + Self.asOf, cwd: dir, env: env)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains(Self.esc + "31mBLOCKED by DE" + Self.esc + "0m"), "\(env): \(r.stdout)")
            #expect(withoutEscapes(r.stdout) == plain.stdout, "\(env)")
        }
        let verify = try ledger(["verify", "led", "--color", "always"], cwd: dir)
        #expect(verify.stdout.hasPrefix(Self.esc + "1;32mOK" + Self.esc + "0m: 100 entries"), "\(verify.stdout)")
        // The error prefix on stderr follows the same choice.
        let error = try ledger(["board", "nothing-here", "--color", "always"], cwd: dir)
        #expect(error.status == 2)
        #expect(error.stderr.hasPrefix(Self.esc + "1;31mledger: error:" + Self.esc + "0m "), "\(error.stderr)")
    }

    @Test func neverColoursNothingOnATerminal() throws {
        let dir = try SmallDefectTests.sampleLedger()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for args in [["board", "led"] + Self.asOf, ["verify", "led"], ["board", "nothing-here"]] {
            let tty = try ledgerOnTerminal(args + ["--color", "never"], cwd: dir, onTerminal: [.stdout, .stderr])
            // No colour (SGR `ESC [ … m`); `verify`'s progress line (`ESC [K`) is not colour.
            #expect(!hasColour(tty.terminal), "\(args): \(tty.terminal)")
            #expect(tty.terminal.contains(args[1] == "led" ? (args[0] == "board" ? "BLOCKED by DE" : "OK") : "error"))
            // Without it, the same terminal is coloured: the test can tell.
            let auto = try ledgerOnTerminal(args, cwd: dir, onTerminal: [.stdout, .stderr])
            #expect(hasColour(auto.terminal), "\(args): \(auto.terminal)")
        }
    }

    @Test func autoIsWhatTheTerminalAndTheEnvironmentSay() throws {
        let dir = try SmallDefectTests.sampleLedger()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let args = ["board", "led", "--color", "auto"] + Self.asOf
        let tty = try ledgerOnTerminal(args, cwd: dir, onTerminal: [.stdout])
        #expect(tty.terminal.contains(Self.esc + "31mBLOCKED by DE"), "\(tty.terminal)")
        let noColor = try ledgerOnTerminal(args, cwd: dir, env: ["NO_COLOR": "1"], onTerminal: [.stdout])
        #expect(!noColor.terminal.contains("\u{1b}"), "\(noColor.terminal)")
        let piped = try ledger(args, cwd: dir)
        #expect(piped.status == 0 && !piped.stdout.contains("\u{1b}") && piped.stdout.contains("BLOCKED by DE"))
    }

    @Test(arguments: [
        ["board", "led", "--format", "json"], ["board", "led", "--format", "markdown"],
        ["board", "led", "--format", "csv"], ["board", "led", "--format", "html"], ["board", "led", "--json"],
        ["status", "led", "--format", "csv"], ["history", "led", "G7-SME-2026-02", "--format", "markdown"],
        ["conflicts", "led", "--json"], ["verify", "led", "--json"],
        ["list", "compare", "--format", "markdown", ColorOptionCLITests.lists + "/us-ccl-subset.json"]
            + [ColorOptionCLITests.lists + "/jp-etco-row7-subset.json"],
    ])
    func machineFormatsNeverCarryEscapesWhateverColorSays(args: [String]) throws {
        let dir = try SmallDefectTests.sampleLedger()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let piped = try ledger(args + ["--color", "always"], cwd: dir)
        #expect(piped.status == 0, "\(args): \(piped.stderr)")
        #expect(!piped.stdout.isEmpty && !piped.stdout.contains("\u{1b}"), "\(args)")
        let tty = try ledgerOnTerminal(args + ["--color", "always"], cwd: dir, onTerminal: [.stdout])
        #expect(tty.status == 0 && !tty.terminal.isEmpty && !tty.terminal.contains("\u{1b}"), "\(args)")
    }

    @Test func anotherValueIsAUsageError() throws {
        let dir = try SmallDefectTests.sampleLedger()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try ledger(["board", "led", "--color", "sometimes"], cwd: dir)
        #expect(r.status == 2)
        #expect(r.stdout.isEmpty)
        #expect(
            r.stderr.hasPrefix("ledger: error: board: the value 'sometimes' is invalid for '--color"), "\(r.stderr)")
    }
}

/// Whether `s` holds a colour escape (SGR: `ESC [ params m`).
func hasColour(_ s: String) -> Bool { s.range(of: "\u{1b}\\[[0-9;]*m", options: .regularExpression) != nil }
