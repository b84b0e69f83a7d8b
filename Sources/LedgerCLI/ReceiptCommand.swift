import ArgumentParser
import LedgerClient
import LedgerCore
import LedgerCrypto

extension LedgerCommand {
    struct ReceiptCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "receipt", abstract: "Check receipts that `ledger serve` issued for appended statements.",
            subcommands: [Check.self])
    }
}

extension LedgerCommand.ReceiptCommand {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove from a receipt that its statement was included in time, or that the promise was broken.",
            discussion: """
                Verifies the receipt's signature under the log key (the operator key of DIR's genesis entry, \
                or --vkey), then reads DIR's latest checkpoint. Given a URL, the evidence comes from the served \
                log: its checkpoint (checked under --vkey, or else under the served genesis key, trusted on \
                first use), the entry at the promised index from its bundle, and an inclusion proof built from \
                the served tiles, checked against that checkpoint. Exit status: 0 included in time; 3 the promise \
                was broken (another entry at the promised index under a signed checkpoint, or include-by has \
                passed and the latest checkpoint does not cover the index); 4 pending (not covered yet, \
                include-by not passed); 1 the receipt or the ledger's evidence does not verify; 2 bad usage or input.
                """)

        @Argument(help: "The receipt file (the receipt note from POST /api/v1/entries).", completion: .file())
        var receipt: String
        @Argument(help: "Ledger directory, or the served log's URL (http:// or https://).", completion: .directory)
        var dir: String
        @Option(help: "The log's verifier key, obtained independently (default: DIR's operator key).")
        var vkey: String?
        @Option(help: "A witness key whose cosignature times are read (repeatable).") var witness: [String] = []
        @OptionGroup var output: OutputOptions

        /// Exit status when the promise was broken.
        static let brokenStatus: Int32 = 3
        /// Exit status when nothing is decided yet.
        static let pendingStatus: Int32 = 4

        func run() throws {
            var status = Exit.ok
            try LedgerCLI.run {
                let text = try readText(receipt)
                let given = try vkey.map { try KeyArguments.verifierKey($0, flag: "--vkey") }
                let witnesses = try witness.map { try KeyArguments.verifierKey($0, flag: "--witness") }
                let promised = try? Receipt(text: try SignedNote(parsing: text).text)
                let source =
                    try LogClient.isURL(dir)
                    ? Self.servedEvidence(dir, logKey: given, index: promised?.index)
                    : Self.localEvidence(dir, logKey: given, index: promised?.index)
                let logKey = source.logKey
                let evidence = ReceiptEvidence(
                    receipt: text, logKey: logKey, checkpoint: source.checkpoint, entry: source.entry,
                    witnesses: witnesses, now: logClock()())
                let (checked, verdict) = try evidence.evaluate()
                status = Self.status(verdict)
                if output.json {
                    printJSON(Self.json(checked, verdict, logKey: logKey))
                } else {
                    out("receipt OK: signed by the log key \(logKey.label)")
                    out("promised: statement \(checked.statementHash.base64) at entry \(checked.index)")
                    out("log time: \(checked.logTime.rfc3339), include by \(checked.includeBy.rfc3339)")
                    out(Self.sentence(checked, verdict))
                }
            }
            if status != Exit.ok { throw ExitCode(status) }
        }

        /// What a source of evidence gives: the log key, its latest checkpoint, and the entry at the
        /// promised index with its inclusion proof when that checkpoint covers it.
        typealias Source = (logKey: NoteVerifierKey, checkpoint: String?, entry: (leaf: [UInt8], proof: [Digest])?)

        /// The evidence in the ledger directory `dir`.
        static func localEvidence(_ dir: String, logKey given: NoteVerifierKey?, index: UInt64?) throws -> Source {
            let ledger = try Ledger<RulesInUse>(directory: dir)
            let logKey = try given ?? ledger.operatorKey()
            let latest = try ledger.store.checkpointSizes().last
            let checkpoint = try latest.flatMap { try ledger.store.checkpointText(size: $0) }
            guard let latest, let index, index < latest, let size = Int64(exactly: latest) else {
                return (logKey, checkpoint, nil)
            }
            let i = Int64(index)
            let proof = try ledger.store.tree.inclusionProof(index: i, treeSize: size)
            return (logKey, checkpoint, (try ledger.store.leaf(i), proof))
        }

        /// The evidence a served log gives: its checkpoint, checked under the log key before
        /// anything else is fetched (`logKey`, or the served genesis key on first use); the entry
        /// at `index` from its bundle, and its inclusion proof built from the served tiles
        /// (``TileHashReader``). ``ReceiptEvidence`` checks the proof against the checkpoint.
        static func servedEvidence(_ url: String, logKey given: NoteVerifierKey?, index: UInt64?) throws -> Source {
            let client = try LogClient(url: url)
            let checked = try runBlocking { () async throws(LedgerError) in
                try await ServedLog.fetchChecked(client, logKey: given)
            }
            let log = checked.log
            if given == nil {
                printStderr(
                    "ledger: note: log key \(checked.logKey.label) taken from the served genesis entry (trust on first "
                        + "use); pass --vkey with a key obtained independently\n")
            }
            guard let index, let i = Int64(exactly: index), i < log.size else {
                return (checked.logKey, log.checkpointText, nil)
            }
            let leaf = try runBlocking { () async throws(LedgerError) in try await log.entries(i..<(i + 1)) }[0]
            let proof = try MerkleTree(reader: TileHashReader(log: log), size: log.size)
                .inclusionProof(index: i, treeSize: log.size)
            return (checked.logKey, log.checkpointText, (leaf, proof))
        }

        static func status(_ verdict: ReceiptVerdict) -> Int32 {
            switch verdict {
            case .included: Exit.ok
            case .broken: brokenStatus
            case .pending: pendingStatus
            }
        }

        static func sentence(_ r: Receipt, _ verdict: ReceiptVerdict) -> String {
            switch verdict {
            case .included(let size, let witnessed):
                let seen = witnessed.map { c in
                    c.time <= UInt64(clamping: r.includeBy.secondsSinceEpoch)
                        ? "; cosigned by \(c) (in time)" : "; first cosigned by \(c) (after include-by)"
                }
                return "included: entry \(r.index) holds the statement, covered by the checkpoint of size \(size) "
                    + "(inclusion proof verified)" + (seen ?? "")
            case .broken(.otherEntry(let size, let leafHash, let statementHash)):
                return "PROMISE BROKEN: the checkpoint of size \(size), signed by the log key, has another entry at "
                    + "index \(r.index) (statement \(statementHash.base64), leaf \(leafHash.base64); inclusion proof "
                    + "verified): portable evidence"
            case .broken(.notCovered(let size, let witnessed)):
                let strength =
                    witnessed.map { "cosigned by \($0), after include-by: portable evidence" }
                    ?? "not witnessed after include-by: evidence from this copy of the log only"
                return "PROMISE BROKEN: include-by has passed and the latest checkpoint (size \(size)) does not "
                    + "cover entry \(r.index); \(strength)"
            case .pending(let size):
                return "pending: the latest checkpoint (size \(size)) does not cover entry \(r.index) yet, and "
                    + "include-by has not passed"
            }
        }

        static func json(_ r: Receipt, _ verdict: ReceiptVerdict, logKey: NoteVerifierKey) -> JSONValue {
            var o: [String: JSONValue] = [
                "logKey": .string(logKey.description),
                "receipt": [
                    "origin": .string(r.origin), "index": .integer(Int64(r.index)),
                    "statementHash": .string(r.statementHash.base64), "leafHash": .string(r.leafHash.base64),
                    "logTime": .string(r.logTime.rfc3339), "includeBy": .string(r.includeBy.rfc3339),
                ],
            ]
            func cosignature(_ c: CosignatureSet.Cosignature) -> JSONValue {
                [
                    "witness": .string(c.key.name), "time": .integer(Int64(clamping: c.time)),
                    "timeRFC3339": .string(c.timeText),
                ]
            }
            switch verdict {
            case .included(let size, let witnessed):
                o["verdict"] = "included"
                o["checkpointSize"] = .integer(Int64(size))
                if let witnessed { o["cosignature"] = cosignature(witnessed) }
            case .broken(.otherEntry(let size, let leafHash, let statementHash)):
                o["verdict"] = "broken"
                o["breach"] = "otherEntry"
                o["checkpointSize"] = .integer(Int64(size))
                o["found"] = ["leafHash": .string(leafHash.base64), "statementHash": .string(statementHash.base64)]
                o["portable"] = true
            case .broken(.notCovered(let size, let witnessed)):
                o["verdict"] = "broken"
                o["breach"] = "notCovered"
                o["checkpointSize"] = .integer(Int64(size))
                o["portable"] = .bool(witnessed != nil)
                if let witnessed { o["cosignature"] = cosignature(witnessed) }
            case .pending(let size):
                o["verdict"] = "pending"
                o["checkpointSize"] = .integer(Int64(size))
            }
            return .object(JSONObject(o))
        }
    }
}
