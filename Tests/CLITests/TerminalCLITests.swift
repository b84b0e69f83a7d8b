import Foundation
import LedgerTestSupport
import Testing

/// Colour, progress, shell completions and the man page (issue 11 §1, last bullet), through the
/// built binary; colour and progress under a real pseudo-terminal.
@Suite(.serialized) struct TerminalCLITests {
    static let esc = "\u{1b}["
    static let asOf = ["--as-of", "2026-11-27T18:00:00Z"]

    // MARK: colour

    @Test func boardColoursStatesOnATerminalWithoutMovingAColumn() throws {
        let dir = try SmallDefectTests.sampleLedger()
        let tty = try ledgerOnTerminal(["board", "led"] + Self.asOf, cwd: dir, onTerminal: [.stdout, .stderr])
        #expect(tty.status == 0, "\(tty.terminal)")
        #expect(tty.terminal.contains(Self.esc + "31mBLOCKED by DE" + Self.esc + "0m"), "\(tty.terminal)")
        #expect(tty.terminal.contains(Self.esc + "32mADOPTED"), "\(tty.terminal)")
        // The escapes go around the text, not the padding: without them the table is the piped one.
        let piped = try ledger(["board", "led"] + Self.asOf, cwd: dir)
        #expect(!piped.stdout.contains("\u{1b}"))
        #expect(withoutEscapes(tty.terminal) == piped.stdout)
    }

    @Test(arguments: ["1", "yes"])
    func noColorDisablesColour(value: String) throws {
        let dir = try SmallDefectTests.sampleLedger()
        let tty = try ledgerOnTerminal(
            ["board", "led"] + Self.asOf, cwd: dir, env: ["NO_COLOR": value], onTerminal: [.stdout, .stderr])
        #expect(tty.status == 0)
        #expect(!tty.terminal.contains("\u{1b}"), "\(tty.terminal)")
        #expect(tty.terminal.contains("BLOCKED by DE"))
    }

    @Test func anEmptyNoColorOrADumbTerminalDecidesAsNoColorOrgSays() throws {
        let dir = try SmallDefectTests.sampleLedger()
        let empty = try ledgerOnTerminal(
            ["board", "led"] + Self.asOf, cwd: dir, env: ["NO_COLOR": ""], onTerminal: [.stdout])
        #expect(empty.terminal.contains(Self.esc + "31mBLOCKED"), "an empty NO_COLOR does not disable colour")
        let dumb = try ledgerOnTerminal(
            ["board", "led"] + Self.asOf, cwd: dir, env: ["TERM": "dumb"], onTerminal: [.stdout])
        #expect(!dumb.terminal.contains("\u{1b}"), "\(dumb.terminal)")
    }

    @Test(arguments: ["json", "markdown", "csv", "html"])
    func machineAndDocumentFormatsAreNeverColoured(format: String) throws {
        let dir = try SmallDefectTests.sampleLedger()
        let tty = try ledgerOnTerminal(
            ["board", "led", "--format", format] + Self.asOf, cwd: dir, onTerminal: [.stdout, .stderr])
        #expect(tty.status == 0, "\(tty.terminal)")
        #expect(tty.terminal.contains("G7-SME-2026-02"))
        #expect(!tty.terminal.contains("\u{1b}"), "\(format)")
    }

    @Test func tableOutputRedirectedToAFileIsNotColouredEvenFromATerminal() throws {
        let dir = try SmallDefectTests.sampleLedger()
        let r = try ledgerOnTerminal(["board", "led"] + Self.asOf, cwd: dir, onTerminal: [.stderr])
        #expect(r.status == 0)
        #expect(r.stdout.contains("BLOCKED by DE"))
        #expect(!r.stdout.contains("\u{1b}"))
        #expect(r.terminal.isEmpty, "\(r.terminal)")
    }

    @Test func errorPrefixIsRedOnATerminalOnly() throws {
        let dir = try makeTempDir("err")
        let tty = try ledgerOnTerminal(["board", "nothing-here"], cwd: dir, onTerminal: [.stderr])
        #expect(tty.status == 2)
        #expect(
            tty.terminal.hasPrefix(Self.esc + "1;31mledger: error:" + Self.esc + "0m nothing-here"), "\(tty.terminal)")
        let plain = try ledgerOnTerminal(
            ["board", "nothing-here"], cwd: dir, env: ["NO_COLOR": "1"], onTerminal: [.stderr])
        #expect(plain.terminal.hasPrefix("ledger: error: nothing-here"), "\(plain.terminal)")
        let piped = try ledger(["board", "nothing-here"], cwd: dir)
        #expect(piped.stderr.hasPrefix("ledger: error: nothing-here"), "\(piped.stderr)")
        // A usage error goes through the same line.
        let usage = try ledgerOnTerminal(["propse"], cwd: dir, onTerminal: [.stderr])
        #expect(usage.status == 2)
        #expect(usage.terminal.hasPrefix(Self.esc + "1;31mledger: error:"), "\(usage.terminal)")
    }

    @Test func verifySaysOKInGreenOnATerminal() throws {
        let dir = try SmallDefectTests.sampleLedger()
        let tty = try ledgerOnTerminal(["verify", "led"], cwd: dir, onTerminal: [.stdout])
        #expect(tty.status == 0, "\(tty.stderr)")
        #expect(tty.terminal.hasPrefix(Self.esc + "1;32mOK" + Self.esc + "0m: 100 entries"), "\(tty.terminal)")
        let json = try ledgerOnTerminal(["verify", "led", "--json"], cwd: dir, onTerminal: [.stdout])
        #expect(!json.terminal.contains("\u{1b}"))
    }

    // MARK: progress

    @Test func longBatchAppendShowsProgressOnATerminalAndLeavesStdoutAsItWas() throws {
        let fx = try CLIFixture()
        try fx.registeredKey("writer.example", file: "w.key")
        let count = 20_000
        var batch = ""
        for i in 0..<count { batch += "{\"kind\":\"note\",\"body\":{\"text\":\"n\(i)\"}}\n" }
        try batch.write(toFile: fx.dir + "/batch.jsonl", atomically: true, encoding: .utf8)
        // The same batch appended to two copies, with stderr on a terminal and piped.
        let copies = [fx.dir + "-tty", fx.dir + "-pipe"]
        for c in copies { try FileManager.default.copyItem(atPath: fx.dir, toPath: c) }
        let args = ["append", "led", "--key", "w.key", "--batch", "batch.jsonl", "--json"]
        let env = ["LEDGER_NOW": "2030-01-01T00:00:00Z"]

        let tty = try ledgerOnTerminal(args, cwd: copies[0], env: env, onTerminal: [.stderr])
        let piped = try ledger(args, cwd: copies[1], env: env)
        #expect(tty.status == 0, "\(tty.terminal.suffix(300))")
        #expect(piped.status == 0, "\(piped.stderr)")
        // Stdout is exactly the appended entries, as each ledger's log has them.
        for (out, dir) in [(tty.stdout, copies[0]), (piped.stdout, copies[1])] {
            let log = try ledger(["log", "led", "--from", "2", "--json"], cwd: dir)
            let expected = try log.lines.map { line in
                let e = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                return "{\"index\":\(e["index"] as! Int),\"leafHash\":\"\(e["leafHash"] as! String)\"}"
            }
            #expect(expected.count == count)
            #expect(out == "[" + expected.joined(separator: ",") + "]\n")
        }
        // Progress: the count with the total, the rate, the appending phase, then erased.
        #expect(tty.terminal.contains("signing ["), "\(tty.terminal.prefix(300))")
        #expect(tty.terminal.contains("\(count)/\(count)"), "\(tty.terminal.suffix(300))")
        #expect(tty.terminal.contains("/s"))
        #expect(tty.terminal.contains("appending \(count) statements"))
        #expect(tty.terminal.hasSuffix("\r" + Self.esc + "K"), "\(tty.terminal.suffix(120).debugDescription)")
        #expect(!tty.terminal.contains("\n"), "a progress line never scrolls")
        // Redrawn a few times a second at most, not once per line.
        let draws = tty.terminal.components(separatedBy: "signing [").count - 1
        #expect(draws >= 2 && draws < 200, "\(draws) drawings")
        // Piped, nothing.
        #expect(piped.stderr.isEmpty, "\(piped.stderr.prefix(200))")
    }

    @Test func shortBatchAndRefusedBatchLeaveNoProgressBehind() throws {
        let fx = try CLIFixture()
        try fx.registeredKey("writer.example", file: "w.key")
        let line = "{\"kind\":\"note\",\"body\":{\"text\":\"x\"}}\n"
        try line.write(toFile: fx.dir + "/small.jsonl", atomically: true, encoding: .utf8)
        let small = try ledgerOnTerminal(
            ["append", "led", "--key", "w.key", "--batch", "small.jsonl"], cwd: fx.dir, onTerminal: [.stderr])
        #expect(small.status == 0)
        #expect(small.terminal.isEmpty, "\(small.terminal.debugDescription)")
        // A long batch with a bad last line: the progress line is erased before the error.
        var batch = String(repeating: line, count: 1_500)
        batch += "{\"kind\":\"note\"}\n"
        try batch.write(toFile: fx.dir + "/bad.jsonl", atomically: true, encoding: .utf8)
        let before = try fx.snapshot()
        let bad = try ledgerOnTerminal(
            ["append", "led", "--key", "w.key", "--batch", "bad.jsonl"], cwd: fx.dir,
            env: ["NO_COLOR": "1"], onTerminal: [.stderr])
        #expect(bad.status == 2)
        #expect(bad.terminal.contains("signing ["))
        #expect(
            bad.terminal.contains("\r" + Self.esc + "Kledger: error: bad.jsonl:1501:"), "\(bad.terminal.suffix(200))")
        #expect(try fx.snapshot() == before)
    }

    // MARK: completions

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptNamesTheCommandTreeAndValueLists(shell: String) throws {
        let r = try ledger(["--generate-completion-script", shell], cwd: NSTemporaryDirectory())
        #expect(r.status == 0, "\(r.stderr)")
        for word in ["propose", "board", "list", "compare", "review-finding", "markdown", "no-objection", "eu-annex"] {
            #expect(r.stdout.contains(word), "\(shell) script lacks \(word)")
        }
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptIsValidForItsShell(shell: String) throws {
        guard let program = installedProgram(shell) else {
            // Not installed here (CI installs none of them): nothing to check the syntax with.
            print("skipped: \(shell) is not installed; apt-get install \(shell) to check its completion script")
            return
        }
        let dir = try makeTempDir("completion")
        let r = try ledger(["--generate-completion-script", shell], cwd: dir)
        try r.stdout.write(toFile: dir + "/ledger." + shell, atomically: true, encoding: .utf8)
        let check = try runProcess(program, ["-n", dir + "/ledger." + shell], cwd: dir)
        #expect(check.status == 0, "\(shell) -n: \(check.stderr)")
    }

    @Test(.enabled(if: installedProgram("bash") != nil, "needs bash"))
    func bashCompletesSubcommandsNestedCommandsAndValues() throws {
        let dir = try makeTempDir("bashcomp")
        let script = try ledger(["--generate-completion-script", "bash"], cwd: dir).stdout
        try script.write(toFile: dir + "/ledger.bash", atomically: true, encoding: .utf8)
        let driver = """
            source ./ledger.bash
            complete_line() {
                COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}
                read -ra COMP_WORDS <<< "$COMP_LINE"
                [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
                COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
                _ledger ledger "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
                echo "${COMPREPLY[*]}"
            }
            complete_line "ledger prop"
            complete_line "ledger list co"
            complete_line "ledger board led --format "
            complete_line "ledger position led P --stance "
            complete_line "ledger list diff a b --mode j"
            """
        try driver.write(toFile: dir + "/driver.sh", atomically: true, encoding: .utf8)
        let r = try runProcess(installedProgram("bash")!, ["driver.sh"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.lines == [
                "propose", "compare", "table json markdown csv html",
                "support no-objection object abstain reserve recuse", "jurisdictions",
            ], "\(r.stdout)\(r.stderr)")
    }

    // MARK: man page

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Every command of `--experimental-dump-help`, as (path, its options' long names).
    static func commandTree() throws -> [(path: [String], options: [String])] {
        let dump = try ledger(["--experimental-dump-help"], cwd: NSTemporaryDirectory())
        let root = try #require(JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var out = [(path: [String], options: [String])]()
        func walk(_ c: [String: Any], _ path: [String]) {
            let args = c["arguments"] as? [[String: Any]] ?? []
            let longs = args.flatMap { ($0["names"] as? [[String: Any]] ?? []) }
                .filter { $0["kind"] as? String == "long" }.compactMap { $0["name"] as? String }
            out.append((path, longs))
            for s in c["subcommands"] as? [[String: Any]] ?? [] { walk(s, path + [s["commandName"] as! String]) }
        }
        walk(try #require(root["command"] as? [String: Any]), [])
        return out
    }

    @Test func manPageDocumentsEveryCommandAndOptionAsTheyAreNow() throws {
        let page = try read(Self.repository + "/docs/man/ledger.1")
        let tree = try Self.commandTree()
        #expect(tree.count > 40)
        for (path, options) in tree {
            if let name = path.last {
                #expect(
                    page.contains(".It Em \(name)\n"),
                    "docs/man/ledger.1 lacks \(path.joined(separator: " ")): run scripts/man.sh")
            }
            for o in options where o != "help" && o != "version" && o != "experimental-dump-help" {
                #expect(page.contains("Fl -\(o)"), "docs/man/ledger.1 lacks --\(o) of \(path): run scripts/man.sh")
            }
        }
    }

    @Test func helpTextIsASCIISoThatTheManPageKeepsEveryCharacter() throws {
        // swift-argument-parser's generate-manual drops every non-ASCII character.
        let dump = try ledger(["--experimental-dump-help"], cwd: NSTemporaryDirectory())
        let bad = dump.stdout.unicodeScalars.filter { !$0.isASCII }
        #expect(bad.isEmpty, "non-ASCII help text: \(String(String.UnicodeScalarView(bad)))")
    }

    @Test(.enabled(if: installedProgram("groff") != nil, "needs groff to render the page"))
    func manPageRenders() throws {
        let r = try runProcess(
            installedProgram("groff")!, ["-mandoc", "-T", "utf8", "-ww", "-P", "-cbou", "docs/man/ledger.1"],
            cwd: Self.repository)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        for word in ["SYNOPSIS", "propose", "board", "compare", "--format"] {
            #expect(r.stdout.contains(word), "rendered page lacks \(word)")
        }
    }
}
