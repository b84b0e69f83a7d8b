import ArgumentParser
import LedgerClient
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct Append: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign and append statements, or append statements signed elsewhere.",
            discussion: """
                A batch (--batch or --signed) is all or nothing: if any line is refused, nothing is \
                appended and every bad line is named on stderr. A batch is made durable with one fsync.
                """)

        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Option(help: "Private key file to sign with (with --kind/--body or --batch).", completion: .file())
        var key: String?
        @Option(help: "Statement kind.") var kind: String?
        @Option(help: "Statement body, a JSON object.") var body: String?
        @Option(
            help: "JSON Lines file of {\"kind\":...,\"body\":...} to sign and append as one batch.",
            completion: .file())
        var batch: String?
        @Option(
            help: "JSON Lines file of signed statements ({\"sig\":...,\"statement\":...}) to append as one batch.",
            completion: .file())
        var signed: String?
        @OptionGroup var output: OutputOptions
        @OptionGroup var remote: RemoteWriteOptions

        func validate() throws {
            let modes = [kind != nil || body != nil, batch != nil, signed != nil].filter { $0 }.count
            guard modes == 1 else { throw ValidationError("give exactly one of --kind/--body, --batch or --signed") }
            if kind != nil || body != nil {
                guard kind != nil, body != nil else { throw ValidationError("--kind and --body go together") }
            }
            if signed == nil, key == nil { throw ValidationError("--key is required to sign") }
        }

        /// Batches of at least this many lines show progress on a terminal.
        static let progressThreshold = 1_000

        func run() throws {
            try LedgerCLI.run {
                let clock = logClock()
                let ledger =
                    LogClient.isURL(dir)
                    ? nil : try Ledger<RulesInUse>(directory: try RemoteLedger.directory(for: dir), clock: clock)
                var statements = [SignedStatement]()
                var lineNumbers = [Int]()
                var progress: Progress?
                // Erased before anything else is printed, an error included.
                defer { progress?.finish() }
                if let kind, let body {
                    let k = try loadPrivateKey(key!)
                    statements.append(
                        try Statement.make(
                            kind: kind, body: try parseUserJSON(body, what: "--body"), key: k, time: clock()))
                } else if let batch {
                    let k = try loadPrivateKey(key!)
                    let lines = try jsonLines(batch)
                    progress = Progress("signing", isWanted: lines.count >= Self.progressThreshold)
                    for (n, line) in lines {
                        do {
                            let v = try JSONParser.parse(Array(line.utf8))
                            guard let kind = v["kind"]?.stringValue, let body = v["body"], v.objectValue?.count == 2
                            else {
                                throw LedgerError.malformed("expected {\"kind\":…,\"body\":…}")
                            }
                            statements.append(try Statement.make(kind: kind, body: body, key: k, time: clock()))
                            lineNumbers.append(n)
                        } catch let e as LedgerError {
                            throw LedgerError(code: e.code, message: "\(batch):\(n): \(e.message)")
                        }
                        progress?.update(Int64(statements.count), Int64(lines.count))
                    }
                } else if let signed {
                    let lines = try jsonLines(signed)
                    progress = Progress("reading", isWanted: lines.count >= Self.progressThreshold)
                    for (n, line) in lines {
                        do {
                            statements.append(try SignedStatement(json: try JSONParser.parse(Array(line.utf8))))
                            lineNumbers.append(n)
                        } catch let e as LedgerError {
                            throw LedgerError(code: e.code, message: "\(signed):\(n): \(e.message)")
                        }
                        progress?.update(Int64(statements.count), Int64(lines.count))
                    }
                }
                guard !statements.isEmpty else { throw LedgerError.malformed("nothing to append") }
                let lines = lineNumbers.count == statements.count ? lineNumbers : nil
                // One library call checks every signature and rule and commits the batch once
                // (specs/ledger-format.md §9): progress names the phase, it cannot count inside it.
                progress?.begin(
                    "appending",
                    detail: "\(statements.count) statements: checking signatures and rules, then one commit")
                let appended =
                    try ledger?.append(statements, lines: lines)
                    ?? statements.map { try RemoteLedger.submit(dir, $0, options: remote) }
                progress?.finish()
                printAppended(appended, json: output.json)
            }
        }
    }
}

/// Non-empty lines of a JSON Lines file with their 1-based line numbers.
func jsonLines(_ path: String) throws -> [(Int, String)] {
    let text = try readText(path)
    var out = [(Int, String)]()
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let l = line.hasSuffix("\r") ? line.dropLast() : line
        if l.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
        out.append((i + 1, String(l)))
    }
    return out
}
