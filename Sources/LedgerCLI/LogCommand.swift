import ArgumentParser
import LedgerCore
import LedgerCrypto
import LedgerReports

extension LedgerCommand {
    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List entries.")
        @Argument(help: "Ledger directory.", completion: .directory) var dir: String
        @Option(help: "First index (default 0).") var from: Int64 = 0
        @Option(help: "Last index, inclusive (default the last entry).") var to: Int64?
        @OptionGroup var output: OutputOptions

        func run() throws {
            try LedgerCLI.run {
                let store = try FileStore(directory: dir)
                let last = min(to ?? store.size - 1, store.size - 1)
                guard from >= 0 else { throw LedgerError.malformed("--from must be ≥ 0") }
                guard from <= last || store.size == 0 else { return }
                try store.forEachChunk(from: from, to: last + 1) { first, lines throws(LedgerError) in
                    for (k, line) in lines.enumerated() {
                        try Log.printEntry(Array(line), index: first + Int64(k), json: output.json)
                    }
                }
            }
        }

        /// Prints entry `i` from its line: one line of text (index, time, kind, signer, body),
        /// or the entry's JSON with its leaf hash.
        static func printEntry(_ line: [UInt8], index i: Int64, json: Bool) throws(LedgerError) {
            let e: Entry
            do throws(LedgerError) { e = try Entry(leaf: line) } catch {
                throw error.prefixed("entry \(i): ")
            }
            if json {
                var o = e.json.objectValue!
                o["leafHash"] = .string(MerkleHash.leaf(line).base64)
                printJSON(.object(o))
            } else {
                outText(
                    "\(e.index)  \(e.time)  \(e.statement.kind.padding(18))  \(e.statement.signer.name)  "
                        + "\(entrySummary(e.statement.body))"
                )
            }
        }
    }

    struct EntryCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "entry", abstract: "Print one entry.")
        @Argument(help: "Ledger directory.", completion: .directory) var dir: String
        @Argument(help: "Entry index.") var index: Int64
        @Flag(help: "Print exactly the leaf bytes that are hashed, with no trailing newline.") var raw = false
        @OptionGroup var output: OutputOptions

        func run() throws {
            try LedgerCLI.run {
                let store = try FileStore(directory: dir)
                let leaf = try store.leaf(index)
                if raw {
                    out(String(decoding: leaf, as: UTF8.self), terminator: "")
                    return
                }
                let e = try Entry(leaf: leaf)
                if output.json {
                    printJSON([
                        "entry": e.json, "leafHash": .string(MerkleHash.leaf(leaf).base64),
                        "statementHash": .string(e.statement.hash.base64),
                    ])
                } else {
                    out("index      \(e.index)")
                    out("time       \(e.time)")
                    out("prev       \(e.prev.base64)")
                    out("leaf hash  \(MerkleHash.leaf(leaf).base64)")
                    out("kind       \(e.statement.kind)")
                    outText("signer     \(e.statement.signer)")
                    out("claimed    \(e.statement.time)")
                    outText("body       \(e.statement.body.canonicalString)")
                }
            }
        }
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
