import ArgumentParser
import Foundation
import LedgerClient
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep a verified mirror of a served log in a ledger directory.",
            discussion: """
                Fetches the entries the served checkpoint covers beyond those DIR holds (all of them \
                the first time, into a new DIR), checks them as an audit does (signatures, chain, rules, \
                the genesis key) and checks that they and DIR's entries hash to the served checkpoint's \
                root, so that it is consistent with every checkpoint DIR holds; only then appends them, \
                byte for byte, and stores the checkpoint. A served checkpoint that is not consistent with \
                DIR (a fork) is reported with both checkpoints and leaves DIR unchanged (exit 1).
                """)

        @Argument(help: "The served log's URL (http:// or https://).") var url: String
        @Argument(help: "The mirror: a ledger directory (created by the first sync).", completion: .directory)
        var dir: String
        @Option(help: "The log's vkey to trust (default: DIR's genesis key, or the served one the first time).")
        var vkey: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            try LedgerCLI.run {
                let client = try LogClient(url: url)
                var logKey = try vkey.map { try KeyArguments.verifierKey($0) }
                let created = !FileStore.exists(at: dir)
                if created { try FileStore.create(at: dir) }
                do {
                    try sync(client, logKey: &logKey, created: created)
                } catch {
                    if created { try? FileManager.default.removeItem(atPath: dir) }
                    throw error
                }
            }
        }

        func sync(_ client: LogClient, logKey given: inout NoteVerifierKey?, created: Bool) throws {
            let ledger = try Ledger<RulesInUse>(directory: dir, clock: logClock())
            let held = ledger.size
            if held > 0 {
                let key = try ledger.operatorKey()
                if let given, given != key {
                    throw LedgerError.unauthorized("\(dir): the mirror's genesis entry names \(key), not --vkey \(given)")
                }
                given = key
            }
            let known = given
            var served = try runBlocking { () async throws(LedgerError) in
                try await ServedLog.fetch(client, logKey: known)
            }
            var trustOnFirstUse = false
            let logKey: NoteVerifierKey
            if let known {
                logKey = known
            } else {
                let log = served
                logKey = try runBlocking { () async throws(LedgerError) in try await log.genesisOperatorKey() }
                served = try served.checked(by: logKey)
                trustOnFirstUse = true
            }
            let mirrorText = try ledger.store.checkpointSizes().last.flatMap { try ledger.store.checkpointText(size: $0) }
            let size = served.size
            var fetched: Int64 = 0
            var updated = false
            do throws(LedgerError) {
                if size < held {
                    let root = try ledger.store.tree.root(treeSize: size)
                    guard root == served.checkpoint.checkpoint.root else {
                        throw LedgerError.fork(
                            "the served checkpoint of size \(size) has the root "
                                + "\(served.checkpoint.checkpoint.root.base64), the mirror's entries give \(root.base64)")
                    }
                } else {
                    let log = served
                    let lines = try runBlocking { () async throws(LedgerError) in try await log.entries(held..<size) }
                    let stored = try ledger.store.checkpointText(size: UInt64(size))
                    if !lines.isEmpty || stored != served.checkpointText {
                        try ledger.appendMirrored(
                            lines, checkpoint: served.checkpoint, checkpointText: served.checkpointText, logKey: logKey)
                        updated = true
                    }
                    fetched = Int64(lines.count)
                }
            } catch {
                if error.code == .fork { reportFork(error, mirror: mirrorText, served: served.checkpointText) }
                throw error
            }
            let root = served.checkpoint.checkpoint.root.base64
            if output.json {
                printJSON([
                    "url": .string(client.baseURL), "directory": .string(dir), "entries": .integer(max(size, held)),
                    "fetched": .integer(fetched), "checkpointSize": .integer(size), "root": .string(root),
                    "checkpointStored": .bool(updated), "created": .bool(created),
                    "logKeyFromServer": .bool(trustOnFirstUse), "requests": .integer(Int64(client.counter.requests)),
                ])
                return
            }
            if trustOnFirstUse {
                out("note: log key \(logKey) taken from the served genesis entry (trust on first use); pass --vkey")
            }
            if size < held {
                out(
                    "note: the server's checkpoint (size \(size)) is older than the mirror's \(held) entries, and "
                        + "consistent with them; nothing fetched")
            } else if updated {
                out("synced: \(size) entries (\(fetched) new), checkpoint size \(size), root \(root)")
            } else {
                out("up to date: \(size) entries, checkpoint size \(size), root \(root)")
            }
        }

        /// The fork's evidence: both checkpoint notes, on stderr (in `--json`, on stdout).
        func reportFork(_ error: LedgerError, mirror: String?, served: String) {
            if output.json {
                printJSON([
                    "error": .string(error.message), "errorCode": .string(error.code.description),
                    "mirrorCheckpoint": mirror.map { .string($0) } ?? .null, "servedCheckpoint": .string(served),
                ])
                return
            }
            printStderr("evidence: the mirror's latest checkpoint:\n" + (mirror ?? "(none)\n"))
            printStderr("evidence: the served checkpoint (\(url)/checkpoint):\n" + served)
        }
    }
}
