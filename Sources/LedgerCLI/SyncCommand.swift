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
                the first time, into a new DIR), checks each as it arrives as an audit does (signatures, \
                chain, rules, the genesis key), stopping at the first bad one, and checks that they and DIR's entries hash to the served checkpoint's \
                root, so that it is consistent with every checkpoint DIR holds; only then appends them, \
                byte for byte, and stores the checkpoint. A served checkpoint that is not consistent with \
                DIR (a fork) is reported with both checkpoints and leaves DIR unchanged (exit 1).
                """)

        @Argument(help: "The served log's URL (http:// or https://).") var url: String
        @Argument(help: "The mirror: a ledger directory (created by the first sync).", completion: .directory)
        var dir: String
        @Option(help: "The log's vkey to trust (default: DIR's genesis key, or the served one the first time).")
        var vkey: String?
        @Option(
            parsing: .singleValue,
            help: ArgumentHelp(
                "A witness vkey whose served cosignatures the mirror keeps, besides the keys registered with role "
                    + "witness (repeatable); other cosignature lines are dropped."))
        var witness: [String] = []
        @OptionGroup var output: OutputOptions

        func run() throws {
            try LedgerCLI.run {
                let client = try LogClient(url: url)
                let outcome: MirrorSync.Outcome
                do {
                    outcome = try MirrorSync.run(
                        client, directory: dir, logKey: try vkey.map { try KeyArguments.verifierKey($0) },
                        witnesses: try CosignatureOutput.witnessKeys(witness))
                } catch let fork as MirrorSync.Fork {
                    report(fork)
                    throw fork.error
                }
                let root = outcome.root.base64
                if output.json {
                    printJSON([
                        "url": .string(client.baseURL), "directory": .string(dir), "entries": .integer(outcome.entries),
                        "fetched": .integer(outcome.fetched), "checkpointSize": .integer(outcome.checkpointSize),
                        "root": .string(root), "checkpointStored": .bool(outcome.checkpointStored),
                        "created": .bool(outcome.created), "logKeyFromServer": .bool(outcome.logKeyFromServer),
                        "cosignaturesAdded": .integer(Int64(outcome.cosignaturesAdded)),
                        "cosignaturesDropped": .integer(Int64(outcome.cosignaturesDropped)),
                        "requests": .integer(Int64(client.counter.requests)),
                    ])
                    return
                }
                if outcome.logKeyFromServer {
                    out("note: log key \(outcome.logKey) taken from the served genesis entry (trust on first use)")
                }
                if outcome.checkpointSize < outcome.entries {
                    out(
                        "note: the server's checkpoint (size \(outcome.checkpointSize)) is older than the mirror's "
                            + "\(outcome.entries) entries, and consistent with them; nothing fetched")
                } else if outcome.checkpointStored {
                    out(
                        "synced: \(outcome.entries) entries (\(outcome.fetched) new), checkpoint size "
                            + "\(outcome.checkpointSize), root \(root)")
                } else {
                    out(
                        "up to date: \(outcome.entries) entries, checkpoint size \(outcome.checkpointSize), root \(root)"
                    )
                }
                if outcome.cosignaturesAdded > 0 {
                    out("cosignatures: \(outcome.cosignaturesAdded) verified and stored")
                }
                if outcome.cosignaturesDropped > 0 {
                    out(
                        "note: \(outcome.cosignaturesDropped) served cosignature line(s) not stored (no witness key "
                            + "of the mirror verifies them, or the mirror holds that witness's already)")
                }
            }
        }

        /// The fork's evidence, both checkpoint notes: on stderr, or in `--json` on stdout.
        func report(_ fork: MirrorSync.Fork) {
            if output.json {
                printJSON([
                    "error": .string(fork.error.message), "errorCode": .string(fork.error.code.description),
                    "mirrorCheckpoint": fork.mirrorCheckpoint.map { .string($0) } ?? .null,
                    "servedCheckpoint": .string(fork.servedCheckpoint),
                ])
                return
            }
            printStderr("evidence: the mirror's latest checkpoint:\n" + (fork.mirrorCheckpoint ?? "(none)\n"))
            printStderr("evidence: the served checkpoint (\(url)/checkpoint):\n" + fork.servedCheckpoint)
        }
    }
}

/// `ledger sync`'s work, also used to read a served log before a write to its URL.
enum MirrorSync {
    struct Outcome {
        var entries: Int64
        var fetched: Int64
        var checkpointSize: Int64
        var root: Digest
        var checkpointStored: Bool
        var created: Bool
        var logKey: NoteVerifierKey
        var logKeyFromServer: Bool
        /// Served cosignatures stored (verified under a witness key the mirror knows).
        var cosignaturesAdded = 0
        /// Served cosignature lines not stored (see ``MirrorCosignatures``).
        var cosignaturesDropped = 0
    }

    /// A served checkpoint not consistent with the mirror's entries: the error and both notes.
    struct Fork: Error {
        let error: LedgerError
        let mirrorCheckpoint: String?
        let servedCheckpoint: String
    }

    /// Brings the mirror in `directory` (created when missing; removed again when the first
    /// sync fails) up to the served checkpoint: see `ledger sync`.
    static func run(
        _ client: LogClient, directory: String, logKey: NoteVerifierKey?, witnesses: [NoteVerifierKey] = []
    ) throws -> Outcome {
        let created = !FileStore.exists(at: directory)
        if created { try FileStore.create(at: directory) }
        do {
            return try sync(client, directory: directory, logKey: logKey, witnesses: witnesses, created: created)
        } catch {
            if created { try? FileManager.default.removeItem(atPath: directory) }
            throw error
        }
    }

    private static func sync(
        _ client: LogClient, directory: String, logKey given: NoteVerifierKey?, witnesses: [NoteVerifierKey],
        created: Bool
    ) throws -> Outcome {
        let ledger = try Ledger<RulesInUse>(directory: directory, clock: logClock())
        let held = ledger.size
        var known = given
        if held > 0 {
            let key = try ledger.operatorKey()
            if let given, given != key {
                throw LedgerError.unauthorized("\(directory): the mirror's genesis entry names \(key), not \(given)")
            }
            known = key
        }
        let trusted = known
        // The checkpoint's signature is checked before anything else is fetched: under the known
        // key, or (a new mirror without --vkey) under the served genesis key, read from the first
        // bundle alone.
        let checked = try runBlocking { () async throws(LedgerError) in
            try await ServedLog.fetchChecked(client, logKey: trusted)
        }
        let (served, logKey) = (checked.log, checked.logKey)
        let mirrorText = try ledger.store.checkpointSizes().last.flatMap { try ledger.store.checkpointText(size: $0) }
        let size = served.size
        var outcome = Outcome(
            entries: max(held, size), fetched: 0, checkpointSize: size, root: served.checkpoint.checkpoint.root,
            checkpointStored: false, created: created, logKey: logKey, logKeyFromServer: known == nil)
        do throws(LedgerError) {
            if size < held {
                try checkRoot(of: served, in: ledger)
                return outcome
            }
            if held > 0, size > held {
                try checkConsistency(of: served, with: ledger, at: held)
            }
            let stored = try ledger.store.checkpointText(size: UInt64(size))
            if stored == nil {
                // Each served entry is checked as it arrives and staged on disk, not in memory.
                let staging = try EntryStaging(in: directory)
                var check = try ledger.mirrorCheck(logKey: logKey)
                try served.fetchChecked(&check, first: checked.firstEntries) { _, chunk throws(LedgerError) in
                    try staging.append(chunk)
                }
                let logOnly = try MirrorCosignatures.logSigned(served.checkpoint, logKey: logKey)
                try ledger.appendMirrored(
                    check, lines: try staging.chunks(), checkpoint: served.checkpoint, checkpointText: logOnly,
                    logKey: logKey)
                outcome.checkpointStored = true
                outcome.fetched = staging.count
            } else {
                try checkRoot(of: served, in: ledger)
            }
            let cosignatures = try MirrorCosignatures.attach(
                served.checkpoint, to: ledger, logKey: logKey, witnesses: witnesses)
            outcome.cosignaturesAdded = cosignatures.added
            outcome.cosignaturesDropped = cosignatures.dropped
            if cosignatures.added > 0 { outcome.checkpointStored = true }
        } catch {
            if error.code == .fork {
                throw Fork(error: error, mirrorCheckpoint: mirrorText, servedCheckpoint: served.checkpointText)
            }
            throw error
        }
        return outcome
    }

    /// Checks that the served checkpoint's root is the root of the mirror's tree at its size
    /// (a size the mirror holds).
    private static func checkRoot(of served: ServedLog, in ledger: Ledger<RulesInUse>) throws(LedgerError) {
        let root = try ledger.store.tree.root(treeSize: served.size)
        guard root == served.checkpoint.checkpoint.root else {
            throw LedgerError.fork(
                "the served checkpoint of size \(served.size) is not consistent with the mirror's entries: it has "
                    + "the root \(served.checkpoint.checkpoint.root.base64), they give \(root.base64)")
        }
    }

    /// Checks the consistency proof from the mirror's `held` entries to the served checkpoint,
    /// built from the served hash tiles (``TileHashReader``), before any entry is fetched.
    private static func checkConsistency(of served: ServedLog, with ledger: Ledger<RulesInUse>, at held: Int64)
        throws(LedgerError)
    {
        let ours = try ledger.store.tree.root(treeSize: held)
        let theirs = served.checkpoint.checkpoint.root
        let hashes = try MerkleTree(reader: TileHashReader(log: served), size: served.size)
            .consistencyProof(oldSize: held, newSize: served.size)
        let proof = ConsistencyProof(size1: UInt64(held), size2: UInt64(served.size), hashes: hashes.map(\.bytes))
        do throws(LedgerError) { try proof.verify(root1: ours, root2: theirs) } catch {
            throw .fork(
                "the served checkpoint (size \(served.size), root \(theirs.base64)) is not consistent with the "
                    + "mirror's \(held) entries (root \(ours.base64)): the consistency proof from the served tiles "
                    + "does not verify (\(error.message))")
        }
    }
}
