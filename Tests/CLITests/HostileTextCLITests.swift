import Foundation
import LedgerTestSupport
import Testing

/// Text from other delegations' statements, hostile to the terminal and to Markdown, through
/// the built binary (specs/cli.md, "Reports").
@Suite struct HostileTextCLITests {
    typealias Negotiation = ConsensusCLITests.Negotiation

    /// Two overlapping proposals; the second's title carries an ANSI escape, a right-to-left
    /// override and a line break that would start a Markdown heading of its own.
    static func negotiation() throws -> Negotiation {
        let n = try Negotiation()
        try n.write("p.yaml", ConsensusCLITests.proposalYAML)
        #expect(try n.run(["propose", "led", "--key", "G7-JP.key", "--file", "p.yaml"]).status == 0)
        try n.write(
            "evil.yaml",
            ConsensusCLITests.proposalYAML
                .replacingOccurrences(of: "id: G7-EUV-1", with: "id: G7-EVIL-1")
                .replacingOccurrences(
                    of: "title: Licence requirement for EUV lithography",
                    with: #"title: "Evil \e[2J\e[31mred \u202Eesrever\n# ADOPTED by every party""#))
        let e = try n.run(["propose", "led", "--key", "G7-US.key", "--file", "evil.yaml"])
        #expect(e.status == 0, "\(e.stderr)")
        return n
    }

    /// `conflicts` (table) shows titles with control characters and bidirectional overrides
    /// replaced, as the other views do.
    @Test func conflictsTableDoesNotPassControlCharactersToTheTerminal() throws {
        let n = try Self.negotiation()
        let r = try n.run(["conflicts", "led"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("G7-EVIL-1"), "\(r.stdout)")
        #expect(!r.stdout.contains("\u{1b}"), "\(r.stdout)")
        #expect(!r.stdout.contains("\u{202E}"))
    }

    /// A line break in a title cannot start a Markdown line of its own (a heading, a list item).
    @Test func aTitleCannotAddAMarkdownLine() throws {
        let n = try Self.negotiation()
        let views = [["status", "led"], ["history", "led", "G7-EVIL-1"], ["board", "led"], ["conflicts", "led"]]
        for cmd in views.map({ $0 + ["--format", "markdown"] }) {
            let r = try n.run(cmd)
            #expect(r.status == 0, "\(cmd): \(r.stderr)")
            #expect(!r.stdout.split(separator: "\n").contains { $0.hasPrefix("# ADOPTED") }, "\(cmd): \(r.stdout)")
            #expect(!r.stdout.contains("\u{1b}"), "\(cmd)")
        }
    }

    /// `list compare`'s table names each list by its instrument, which the list file states:
    /// its header lines are cleaned as its rows are.
    @Test func listCompareHeaderDoesNotPassControlCharactersToTheTerminal() throws {
        let dir = try makeTempDir("hostile-list")
        for j in ["EU", "US"] {
            let json = """
                {"format": "minilateral-control-list/v1", "jurisdiction": "\(j)", "scheme": "eu",
                 "instrument": "Evil \\u001b[2J\\u001b[31mred \\u202eesrever", "citation": "c",
                 "versionDate": "2025-11-15",
                 "entries": [{"code": "3B001", "text": "Equipment:", "status": "active", "source": "test"}]}
                """
            try json.write(toFile: dir + "/\(j).json", atomically: true, encoding: .utf8)
        }
        let r = try ledger(["list", "compare", "EU.json", "US.json"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Evil"), "\(r.stdout)")
        #expect(!r.stdout.contains("\u{1b}"), "\(r.stdout)")
        #expect(!r.stdout.contains("\u{202E}"))
    }

    /// `list show`, `list diff` (table and Markdown) and `log` quote list files and statements:
    /// they defuse terminal controls too; JSON keeps the data as it is.
    @Test func listShowDiffAndLogDoNotPassControlCharactersToTheTerminal() throws {
        let dir = try makeTempDir("hostile-show")
        for (name, text) in [("old", "Equipment \\u001b[2J:"), ("new", "Equipment \\u001b[2J\\u202e changed:")] {
            let json = """
                {"format": "minilateral-control-list/v1", "jurisdiction": "EU", "scheme": "eu",
                 "instrument": "Evil \\u001b[31mred \\u202eesrever", "citation": "c",
                 "versionDate": "2025-11-1\(name == "old" ? 5 : 6)",
                 "entries": [{"code": "3B001", "text": "\(text)", "status": "active", "source": "test"}]}
                """
            try json.write(toFile: dir + "/\(name).json", atomically: true, encoding: .utf8)
        }
        let runs = [
            ["list", "show", "new.json"], ["list", "show", "new.json", "3B001"],
            ["list", "diff", "old.json", "new.json"],
            ["list", "diff", "old.json", "new.json", "--format", "markdown"],
        ]
        for args in runs {
            let r = try ledger(args, cwd: dir)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            #expect(r.stdout.contains("Evil") || r.stdout.contains("Equipment"), "\(args): \(r.stdout)")
            #expect(!r.stdout.contains("\u{1b}") && !r.stdout.contains("\u{202E}"), "\(args): \(r.stdout)")
        }
        let j = try ledger(["list", "diff", "old.json", "new.json", "--json"], cwd: dir)
        #expect(j.stdout.contains("\\u001b") || j.stdout.contains("\u{1b}"), "JSON keeps the data")

        let fx = try CLIFixture()
        try fx.registeredKey("jp.example", file: "jp.key")
        let a = try ledger(
            ["append", "led", "--key", "jp.key", "--kind", "note", "--body", "{\"text\":\"a \\u202e b\"}"],
            cwd: fx.dir)
        #expect(a.status == 0, "\(a.stderr)")
        for args in [["log", "led"], ["entry", "led", "2"]] {
            let r = try ledger(args, cwd: fx.dir)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            #expect(!r.stdout.contains("\u{202E}"), "\(args): \(r.stdout)")
        }
    }
}
