import ArgumentParser
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct Repair: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild entries.idx, tree.hashes and the commit record from entries.jsonl.",
            discussion: """
                Never cuts an acknowledged entry (the commit record says which were) or one that a stored \
                checkpoint covers, and checks the rebuilt roots against every stored checkpoint; when any of \
                that fails it changes nothing (exit 1). Otherwise it cuts an unacknowledged crash tail and \
                reports what it kept and what it cut.
                """)

        @Argument(help: "Ledger directory.", completion: .directory) var dir: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            try LedgerCLI.run {
                let r = try FileStore.repair(directory: dir)
                if output.json {
                    var o: [String: JSONValue] = [
                        "kept": .integer(r.kept), "acknowledgedBy": .string(r.acknowledgedBy),
                        "cutEntries": .integer(r.cutEntries), "cutBytes": .integer(r.cutBytes),
                        "tornBytes": .integer(r.tornBytes), "indexRecords": .integer(r.indexRecords),
                        "storedHashes": .integer(r.storedHashes),
                        "checkpointsChecked": .integer(Int64(r.checkpointsChecked)),
                        "root": .string(r.root.base64),
                    ]
                    if let why = r.firstCutReason { o["firstCutReason"] = .string(why) }
                    printJSON(.object(o))
                } else {
                    out("repaired \(dir): kept \(r.kept) entries (acknowledged: \(r.acknowledgedBy))")
                    out(
                        "cut: \(r.cutEntries) complete lines (\(r.cutBytes) bytes) after them, and \(r.tornBytes) "
                            + "bytes of a torn line"
                            + (r.firstCutReason.map { "; first line not kept: \($0)" } ?? ""))
                    out(
                        "rebuilt: \(FileStore.indexFile) (\(r.indexRecords) records), \(FileStore.hashesFile) "
                            + "(\(r.storedHashes) hashes), \(FileStore.commitFile)"
                    )
                    out("checkpoints: \(r.checkpointsChecked) match the rebuilt tree; root \(r.root.base64)")
                }
            }
        }
    }
}
