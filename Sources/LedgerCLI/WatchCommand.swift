import ArgumentParser
import Foundation
import LedgerClient
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the entries of a served log as they are published.",
            discussion: """
                Polls URL/checkpoint every --interval seconds and prints each entry that a new \
                checkpoint covers, one line each (index, time, kind, signer, body), or with --json one \
                object a line. Every checkpoint's signature is checked, and its root recomputed from \
                the entries: at the start from all of them, then from the earlier tree and the new \
                entries, so that each checkpoint is consistent with the one before. A checkpoint that \
                is not (a fork, or a log that shrank) stops it with exit 1. SIGINT stops it.
                """)

        @Argument(help: "The served log's URL (http:// or https://).") var url: String
        @Option(help: "The log's vkey to trust (default: the served genesis key, trust on first use).")
        var vkey: String?
        @Option(help: "Seconds between polls of the checkpoint.") var interval = 2.0
        @Option(help: "First entry to print (default: the first one after the current checkpoint).") var from: Int64?
        @Flag(help: "Print the entries the current checkpoint covers from --from, and stop.") var once = false
        @Option(help: "Stop after printing this many entries.") var count: Int64?
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard interval >= 0.05, interval <= 86400 else { throw ValidationError("--interval must be 0.05 to 86400") }
            if let from, from < 0 { throw ValidationError("--from must be ≥ 0") }
            if let count, count < 1 { throw ValidationError("--count must be ≥ 1") }
        }

        func run() throws {
            try LedgerCLI.run {
                let client = try LogClient(url: url)
                let given = try vkey.map { try KeyArguments.verifierKey($0) }
                // The checkpoint is checked under the log key before its entries are fetched.
                let checked = try runBlocking { () async throws(LedgerError) in
                    try await ServedLog.fetchChecked(client, logKey: given)
                }
                var served = checked.log
                let logKey = checked.logKey
                if given == nil {
                    printStderr("ledger: note: log key \(logKey) taken from the served log (trust on first use)\n")
                }
                var printed: Int64 = 0
                let first = from ?? served.size
                var check = Ledger<RulesInUse>.MirrorCheck(logKey: logKey)
                try follow(served, first: checked.firstEntries, printingFrom: first, check: &check, printed: &printed)
                if once { return }
                while count.map({ printed < $0 }) ?? true {
                    Thread.sleep(forTimeInterval: interval)
                    let next = try runBlocking { () async throws(LedgerError) in
                        try await ServedLog.fetch(client, logKey: logKey)
                    }
                    guard next.size >= served.size else {
                        throw LedgerError.fork(
                            "\(client.baseURL)/checkpoint: the log went back from size \(served.size) to \(next.size)")
                    }
                    if next.size == served.size {
                        guard next.checkpoint.checkpoint.root == served.checkpoint.checkpoint.root else {
                            throw LedgerError.fork(
                                "\(client.baseURL)/checkpoint: size \(next.size) now has the root "
                                    + "\(next.checkpoint.checkpoint.root.base64), it had "
                                    + "\(served.checkpoint.checkpoint.root.base64)")
                        }
                        continue
                    }
                    try follow(next, printingFrom: first, check: &check, printed: &printed)
                    served = next
                }
            }
        }

        /// Fetches the entries from `check.size` to `log.size` (after `first`, fetched already)
        /// and checks each as it arrives
        /// (``StoreLedger/MirrorCheck``: signature, link, rules; a server sending a bad entry is
        /// stopped at it), stages those from `printingFrom` on disk, checks the checkpoint's
        /// root, and only then prints them (up to `--count`).
        func follow(
            _ log: ServedLog, first: [[UInt8]] = [], printingFrom: Int64, check: inout Ledger<RulesInUse>.MirrorCheck,
            printed: inout Int64
        ) throws {
            let from = check.size
            let staging = try EntryStaging()
            try log.fetchChecked(&check, first: first) { start, chunk throws(LedgerError) in
                try staging.append(Array(chunk.dropFirst(Int(max(0, min(Int64(chunk.count), printingFrom - start))))))
            }
            guard check.root == log.checkpoint.checkpoint.root else {
                throw LedgerError.fork(
                    "\(log.client.baseURL)/checkpoint: size \(log.size) has the root "
                        + "\(log.checkpoint.checkpoint.root.base64), but the served entries hash to \(check.root.base64)"
                        + (from > 0 ? " (the checkpoint is not consistent with the one before)" : ""))
            }
            var i = max(from, printingFrom)
            let next = try staging.chunks()
            while let lines = try next() {
                for line in lines {
                    if let count, printed >= count { return }
                    try LedgerCommand.Log.printEntry(line, index: i, json: output.json)
                    printed += 1
                    i += 1
                }
            }
        }
    }
}
