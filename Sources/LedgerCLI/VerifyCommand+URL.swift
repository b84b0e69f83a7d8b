import ArgumentParser
import LedgerClient
import LedgerCore
import LedgerCrypto

extension LedgerCommand.Verify {
    /// `ledger verify URL`: the audit of `ledger verify DIR` (``StoreAuditor``) over the entries
    /// the served checkpoint covers, streamed from the entry bundles with no local copy.
    func verifyServed() throws {
        try LedgerCLI.run {
            guard since == nil else {
                throw LedgerError.malformed("--since audits a directory incrementally; a URL is audited whole")
            }
            let client = try LogClient(url: dir)
            var options = StoreAuditor<RulesInUse, ServedLogStore>.Options()
            if let vkey { options.logKey = try KeyArguments.verifierKey(vkey) }
            options.witnesses = try CosignatureOutput.witnessKeys(witness)
            options.minCosignatures = minCosignatures
            let key = options.logKey
            let served = try runBlocking { () async throws(LedgerError) in
                try await ServedLog.fetch(client, logKey: key)
            }
            if key == nil {
                // Without --vkey the checkpoint's signature is checked under the served genesis key
                // (from the first bundle alone) before the audit fetches the entries it claims.
                let precheck = Result { () throws(LedgerError) in
                    _ = try runBlocking { () async throws(LedgerError) in try await served.checkedOnFirstUse() }
                }
                if case .failure(let error) = precheck {
                    guard error.code != .io, error.code != .notFound else { throw error }
                    if output.json {
                        printJSON([
                            "valid": false, "url": .string(client.baseURL), "error": .string(error.cliMessage),
                            "errorCode": .string(error.code.description),
                        ])
                    } else {
                        printError("verification failed: " + error.cliMessage)
                    }
                    throw ExitCode(Exit.refused)
                }
            }
            let store = ServedLogStore(log: served)
            let progress = Progress("verifying \(client.baseURL)")
            let total = served.size
            options.progress = { done, _ in progress.update(done, total) }
            var report = StoreAuditor<RulesInUse, ServedLogStore>(store: store, options: options).run()
            // A served log publishes a checkpoint, never a commit record: the audit's note on its
            // absence says nothing here.
            report.notes.removeAll { $0.hasPrefix("no commit record") }
            progress.finish()
            try conclude(report, store: store, options: options, servedFrom: client.baseURL)
        }
    }
}
