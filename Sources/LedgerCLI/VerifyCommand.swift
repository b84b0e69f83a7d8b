import ArgumentParser
import LedgerClient
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Audit a ledger: chain, signatures, write rights, rules, tree hashes and checkpoints.")

        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Option(help: "The log's vkey to trust (default: the genesis operator key, which trusts the files).") var vkey:
            String?
        @Option(parsing: .singleValue, help: "A witness vkey (repeatable).") var witness: [String] = []
        @Option(name: .customLong("min-cosignatures"), help: "Cosignatures required on the latest checkpoint.")
        var minCosignatures = 0
        @Option(help: "A trusted checkpoint: audit incrementally from it.", completion: .file()) var since: String?
        @OptionGroup var output: OutputOptions
        @OptionGroup var colorOptions: ColorOptions

        func validate() throws {
            if since != nil, vkey == nil {
                throw ValidationError(
                    "--since needs --vkey: an incremental audit trusts a checkpoint only under a log key you give")
            }
        }

        func run() throws {
            if LogClient.isURL(dir) { return try verifyServed() }
            try LedgerCLI.run {
                let store = try FileStore(directory: dir, checkingCaches: false)
                try store.checkFormatVersion()
                var options = Auditor<RulesInUse>.Options()
                if let vkey { options.logKey = try KeyArguments.verifierKey(vkey) }
                // A 0x01 witness vkey stands for its 0x04 cosigner key (specs/ledger-format.md §8).
                options.witnesses = try CosignatureOutput.witnessKeys(witness)
                options.minCosignatures = minCosignatures
                if let since {
                    options.since = try SignedCheckpoint(
                        parsing: try FileKind.readText(since, expecting: [.checkpoint], noun: "a checkpoint"),
                        logKey: options.logKey)
                }
                let progress = Progress("verifying")
                options.progress = { progress.update($0, $1) }
                let report = Auditor<RulesInUse>(store: store, options: options).run()
                progress.finish()
                try conclude(report, store: store, options: options)
            }
        }

        /// Prints the audit's report (text or `--json`), and exits 1 when it failed.
        func conclude<Store: LedgerStore>(
            _ report: StoreAuditor<RulesInUse, Store>.Report, store: Store,
            options: StoreAuditor<RulesInUse, Store>.Options,
            servedFrom url: String? = nil
        ) throws {
            // Valid cosignatures too far in the future: flagged, not counted.
            var future = [String]()
            if !options.witnesses.isEmpty, let size = report.latestCheckpointSize,
                let logKey = try options.logKey ?? report.logKey.map({ try NoteVerifierKey(parsing: $0) })
            {
                let now = CosignaturePolicy.now()
                let set = try? StoreAuditor<RulesInUse, Store>.latestCosignatures(
                    store: store, size: size, logKey: logKey, witnesses: options.witnesses, now: now)
                for c in set?.future ?? [] {
                    future.append(c.description)
                    printStderr(
                        "ledger: warning: checkpoint \(size): cosignature by \(c.key.name) (signature line "
                            + "\(c.line)) has timestamp \(c.timeText), more than "
                            + "\(CosignaturePolicy.futureTolerance) s ahead of this verifier's clock "
                            + "(\(CosignaturePolicy.timeText(now))); not counted\n"
                    )
                }
            }
            if output.json {
                var o: [String: JSONValue] = [
                    "valid": .bool(report.isValid), "entries": .integer(report.entries),
                    "signaturesVerified": .integer(report.verifiedSignatures), "root": .string(report.root.base64),
                    "checkpointsChecked": .integer(Int64(report.checkpointsChecked)),
                    "cosignatures": .array(report.cosignatures.map { .string($0) }),
                    "futureCosignatures": .array(future.map { .string($0) }),
                    "logKeyFromGenesis": .bool(report.logKeyFromGenesis),
                ]
                if let k = report.logKey { o["logKey"] = .string(k) }
                if let url { o["url"] = .string(url) }
                if let s = report.incrementalFrom { o["incrementalFrom"] = .integer(Int64(s)) }
                if let f = report.failure {
                    o["error"] = .string(f.cliMessage)
                    o["errorCode"] = .string(f.code.description)
                }
                if let i = report.failedEntry { o["failedEntry"] = .integer(i) }
                o["uncommittedEntries"] = .integer(report.uncommittedEntries)
                o["uncommittedBytes"] = .integer(report.uncommittedBytes)
                o["tornBytes"] = .integer(report.tornBytes)
                o["notes"] = .array(report.notes.map { .string($0) })
                o["ed25519Backend"] = .string(Ed25519.backendName)
                printJSON(.object(o))
            } else if report.isValid {
                let ok = Terminal.paint("OK", .boldGreen, on: .stdout)
                out(
                    "\(ok): \(report.entries) entries, \(report.verifiedSignatures) signatures verified, "
                        + "root \(report.root.base64)")
                out(
                    "checkpoints: \(report.checkpointsChecked) checked against recomputed roots"
                        + (report.latestCheckpointSize.map { ", latest size \($0)" } ?? ""))
                if !report.cosignatures.isEmpty {
                    out("cosigned by: " + report.cosignatures.joined(separator: ", "))
                }
                if let s = report.incrementalFrom {
                    out("incremental: consistent with the trusted checkpoint of size \(s)")
                }
                for n in report.notes { out("note: " + n) }
                if report.logKeyFromGenesis {
                    out(
                        "note: log key taken from the genesis entry; pass --vkey to trust a key you obtained "
                            + "independently"
                    )
                    if url != nil {
                        out("note: the key came from the served log itself (trust on first use)")
                    }
                }
            }
            if let f = report.failure {
                if !output.json {
                    for n in report.notes { printStderr("note: " + n + "\n") }
                    printError("verification failed: " + f.cliMessage)
                }
                throw ExitCode(Exit.refused)
            }
        }
    }
}
