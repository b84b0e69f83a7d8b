import ArgumentParser
import Consensus
import LedgerClient
import LedgerCore
import LedgerCrypto
import LedgerReports

extension LedgerCommand {
    struct Forum: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, show and charter forums (G7, Quad, CPTPP, RCEP).",
            subcommands: [List.self, Show.self, Charter.self])
    }
}

extension LedgerCommand.Forum {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the forums chartered in a ledger, or the built-in charters when no ledger is given.")

        @Argument(help: "Ledger directory or served log URL (omit to list the built-in charters).") var dir: String?
        @OptionGroup var output: OutputOptions
        @OptionGroup var logKey: LogKeyOptions

        func validate() throws { try logKey.requireLedger(dir) }

        func run() throws {
            try LedgerCLI.run {
                let rows =
                    try dir.map { DomainJSON.forumRows(try ConsensusCLI.open($0).currentState()) }
                    ?? Forums.all.map(DomainJSON.ForumRow.init(builtIn:))
                if output.json {
                    printJSON(.array(rows.map(\.json)))
                    return
                }
                out(
                    TextWidth.pad("FORUM", to: 7) + TextWidth.pad("RULE", to: 12) + TextWidth.pad("PARTIES", to: 48)
                        + (dir == nil ? "" : "DELEGATIONS PROPOSALS"))
                for row in rows {
                    let (c, dels, props) = (row.charter, row.delegations, row.proposals)
                    out(
                        TextWidth.pad(c.id, to: 7) + TextWidth.pad(c.rule.description, to: 12)
                            + TextWidth.pad(c.parties.joined(separator: " "), to: 48)
                            + (dir == nil ? "" : TextWidth.pad(String(dels), to: 12) + String(props)))
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a forum's charter, secretariat and delegations.")

        @Argument(help: "Ledger directory or served log URL (omit to show the built-in charter).") var dir: String?
        @Option(name: .customLong("forum"), help: "Forum id, for example G7.") var forumID: String
        @OptionGroup var output: OutputOptions
        @OptionGroup var logKey: LogKeyOptions

        func validate() throws { try logKey.requireLedger(dir) }

        func run() throws {
            try LedgerCLI.run {
                var charter: ForumCharter
                var state: NegotiationRules?
                if let dir {
                    let s = try ConsensusCLI.open(dir).currentState()
                    charter = s.forum(try NameLookup.forum(forumID, in: s))!
                    state = s
                } else {
                    charter = try NameLookup.builtInForum(forumID)
                }
                let dels = state?.delegations(forum: charter.id) ?? []
                let secs = state?.secretariats(forum: charter.id) ?? []
                if output.json {
                    printJSON(DomainJSON.forumDetail(charter, state: state))
                    return
                }
                out("\(charter.id): \(charter.name)")
                out(
                    "  parties:     \(charter.parties.joined(separator: " "))"
                        + (charter.nonEnumerated.isEmpty
                            ? "" : "  (non-enumerated: \(charter.nonEnumerated.joined(separator: " ")))"))
                if !charter.observers.isEmpty { out("  observers:   \(charter.observers.joined(separator: " "))") }
                if !charter.candidates.isEmpty { out("  candidates:  \(charter.candidates.joined(separator: " "))") }
                out("  rule:        \(charter.rule)")
                out("  deadline:    \(charter.defaultDeadlineDays) days after each revision")
                for s in charter.sources { out("  source:      \(s)") }
                for k in secs { out("  secretariat: \(k.name)") }
                for d in dels { out("  delegation:  \(d.party)  \(d.key.name)  (entry \(d.registeredAt))") }
            }
        }
    }

    struct Charter: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Log a forum charter (operator only): a built-in one, or one from a JSON file.")

        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Option(help: "The operator's private key file.", completion: .file()) var key: String
        @Option(
            name: .customLong("forum"), help: "Built-in forum to charter (G7, Quad, CPTPP, RCEP); repeatable.",
            completion: .list(Forums.all.map(\.id)))
        var forums: [String] = []
        @Flag(help: "Charter all four built-in forums.") var all = false
        @Option(help: "A charter body as a JSON file (specs/consensus.md, forum.charter).", completion: .file())
        var file: String?
        @OptionGroup var output: OutputOptions
        @OptionGroup var remote: RemoteWriteOptions

        func validate() throws {
            guard (!forums.isEmpty || all) != (file != nil) else {
                throw ValidationError("give --forum/--all or --file")
            }
        }

        func run() throws {
            try LedgerCLI.run {
                var bodies = [JSONValue]()
                if let file {
                    bodies.append(try parseUserJSON(try readText(file), what: file))
                } else {
                    for id in all ? Forums.all.map(\.id) : forums {
                        bodies.append(try NameLookup.builtInForum(id).json)
                    }
                }
                let clock = logClock()
                let k = try loadPrivateKey(key)
                let statements = try bodies.map {
                    try Statement.make(kind: "forum.charter", body: $0, key: k, time: clock())
                }
                let appended =
                    LogClient.isURL(dir)
                    ? try statements.map { try RemoteLedger.submit(dir, $0, options: remote) }
                    : try Ledger<RulesInUse>(directory: try RemoteLedger.directory(for: dir), clock: clock).append(
                        statements)
                if output.json {
                    printJSON(
                        .array(
                            appended.map {
                                [
                                    "index": .integer(Int64($0.index)), "leafHash": .string($0.leafHash.base64),
                                    "forum": $0.entry.statement.body["id"] ?? .null,
                                ]
                            }))
                } else {
                    for a in appended {
                        out("entry \(a.index): charter of \(a.entry.statement.body["id"]?.stringValue ?? "?")")
                    }
                }
            }
        }
    }
}
