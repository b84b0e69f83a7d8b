import Dispatch
import LedgerCrypto

/// The full audit of a ledger directory (``FileStore``): ``StoreAuditor`` with the file store.
public typealias Auditor<Rules: LedgerRules> = StoreAuditor<Rules, FileStore>

/// The full audit of a ledger store, trusting nothing the operator wrote.
///
/// It reads `entries.jsonl` by its newlines (never through `entries.idx`), re-parses every
/// line (which must be canonical), re-verifies every signature in parallel, checks indices,
/// the `prev` chain, integration times, claimed times, replays and the rules (write rights
/// and everything above them), recomputes every leaf hash and the Merkle tree, and checks
/// every stored checkpoint, the commit record and the derived files (`entries.idx`,
/// `tree.hashes`) against what it recomputed. Nothing is written.
///
/// With ``Options/since`` it trusts only that checkpoint's root: the entries before its size
/// are hashed (no signature checks) and must give that root, and the state the later entries
/// are judged by is rebuilt from those authenticated bytes.
public struct StoreAuditor<Rules: LedgerRules, Store: LedgerStore> {
    /// What the auditor trusts and requires.
    public struct Options: Sendable {
        /// The log's verifier key. Without it the genesis entry's operator key is used, and the
        /// report says so. When given, the genesis entry must name it.
        public var logKey: NoteVerifierKey?
        /// Witness keys (type 0x04 cosigner keys, or 0x01 keys).
        public var witnesses: [NoteVerifierKey] = []
        /// Cosignatures from `witnesses` required on the latest checkpoint.
        public var minCosignatures = 0
        /// A checkpoint the auditor already trusts: entries up to its size are only hashed and
        /// replayed for state, and must hash to its root. Needs ``logKey``.
        public var since: SignedCheckpoint?
        /// Called after each chunk with (entries done, total bytes read so far as a fraction
        /// of the file, expressed in entries when the total is known).
        public var progress: (@Sendable (Int64, Int64) -> Void)?
        /// The verifier's clock (seconds since the epoch), for flagging cosignatures from the
        /// future.
        public var now: UInt64?

        public init() {}
    }

    /// The outcome.
    public struct Report: Sendable {
        public var entries: Int64 = 0
        public var verifiedSignatures: Int64 = 0
        public var root = MerkleHash.emptyRoot
        public var checkpointsChecked = 0
        public var latestCheckpointSize: UInt64?
        public var cosignatures: [String] = []
        public var logKey: String?
        public var logKeyFromGenesis = false
        public var incrementalFrom: UInt64?
        /// Complete lines after the committed size (an unacknowledged crash tail), and their bytes.
        public var uncommittedEntries: Int64 = 0
        public var uncommittedBytes: Int64 = 0
        /// Bytes of a last line without its newline (a torn write).
        public var tornBytes: Int64 = 0
        /// Things the auditor wants the reader to know that do not fail the audit.
        public var notes: [String] = []
        /// The first failure: the entry (when one is to blame) and what is wrong.
        public var failure: LedgerError?
        public var failedEntry: Int64?

        public var isValid: Bool { failure == nil }
    }

    public let store: Store
    public let options: Options

    public init(store: Store, options: Options) {
        self.store = store
        self.options = options
    }

    struct Checked {
        var entry: Entry?
        var leafHash = Digest.zero
        var statementHash = Digest.zero
        var error: LedgerError?
    }

    /// Runs the audit. Every failure, of an entry or of a file, ends up in
    /// ``Report/failure`` (with ``Report/failedEntry`` when an entry is to blame).
    public func run() -> Report {
        var report = Report()
        do throws(LedgerError) {
            try audit(&report)
        } catch {
            report.failure = error
        }
        return report
    }

    /// A stored checkpoint, read once.
    struct StoredCheckpoint {
        let fileSize: UInt64
        let text: String
    }

    func audit(_ report: inout Report) throws(LedgerError) {
        let names = store.names
        let entriesPath = store.location + "/" + names.entries
        let fileSize = try store.storedEntryBytes()
        var commit: CommitRecord?
        do throws(LedgerError) { commit = try store.readCommitRecord() } catch {
            if error.code == .malformed { throw error }
            report.notes.append("no commit record (\(error.message)): every complete line was audited")
        }
        let derived = store.recordsForAudit()
        let records = derived.records
        report.notes.append(contentsOf: derived.notes)
        let checkpointFiles = try store.checkpointSizes()
        var logKey = options.logKey
        var replay = Replay<Rules>(checks: .all)

        // What the auditor trusts: a checkpoint signed by the log key, or nothing.
        var trusted: Int64 = 0
        if let since = options.since {
            guard let key = logKey else {
                throw LedgerError.malformed("an incremental audit from a trusted checkpoint needs the log key")
                    .concerning(.logKey)
            }
            _ = try SignedCheckpoint(parsing: since.note.serialized, logKey: key)
            guard since.checkpoint.size <= UInt64(Int64.max) else {
                throw .checkpointInvalid("the trusted checkpoint's size \(since.checkpoint.size) is out of range")
            }
            trusted = Int64(since.checkpoint.size)
            report.incrementalFrom = since.checkpoint.size
        }
        let bounds = witnessBounds(checkpointFiles)
        var nextBound = 0

        // Checkpoints are checked when the recomputed tree reaches their size.
        var nextCheckpoint = 0
        // A size-0 checkpoint met before the log key is known (no --vkey: it comes from entry 0)
        // is checked once entry 0 has named it.
        var pendingZero = false
        func checkCheckpoints(atSize n: Int64, root: Digest, report: inout Report) throws(LedgerError) {
            while nextCheckpoint < checkpointFiles.count, checkpointFiles[nextCheckpoint] == UInt64(n) {
                if n == 0 && logKey == nil {
                    pendingZero = true
                } else {
                    try checkCheckpoint(size: UInt64(n), root: root, logKey: logKey, report: &report)
                }
                nextCheckpoint += 1
            }
            if pendingZero, logKey != nil {
                pendingZero = false
                try checkCheckpoint(size: 0, root: MerkleHash.emptyRoot, logKey: logKey, report: &report)
            }
            if n == trusted, let since = options.since, since.checkpoint.root != root {
                throw .fork(
                    "the entries before \(n) hash to \(root.base64), not to the trusted checkpoint's root "
                        + "\(since.checkpoint.root.base64): the log is not consistent with the trusted checkpoint"
                )
            }
        }
        try checkCheckpoints(atSize: 0, root: MerkleHash.emptyRoot, report: &report)

        // What the audit checks of each entry once the rules have applied it.
        func checkApplied(_ step: Replay<Rules>.Step, _ replay: Replay<Rules>, end: Int64, report: inout Report)
            throws(LedgerError)
        {
            let i = step.index
            if i == 0 {
                let genesisKey = replay.rules.authority.operatorKey
                if let given = logKey {
                    guard genesisKey == given else {
                        throw .unauthorized(
                            "the genesis entry names the operator key \(genesisKey?.description ?? "none")"
                                + ", not the log key \(given)"
                        )
                    }
                } else {
                    logKey = genesisKey
                    report.logKeyFromGenesis = true
                }
            }
            // Postdating: a witness saw the log after this entry, so its time bounds the entry's.
            while nextBound < bounds.count, bounds[nextBound].size <= UInt64(i) { nextBound += 1 }
            if nextBound < bounds.count {
                let b = bounds[nextBound]
                let time = step.entry.time
                if time.secondsSinceEpoch - TimeRule.toleranceSeconds > b.earliest.secondsSinceEpoch {
                    throw .timeSkew(
                        "integration time \(time) is later than \(b.witness)'s cosignature of checkpoint \(b.size)"
                            + " at \(b.earliest), over the \(TimeRule.toleranceSeconds) s tolerance"
                            + ": the entry is postdated"
                    )
                }
            }
            // Derived files, where present: compared, never believed.
            if derived.hasIndex, i < records.recordCount {
                guard records.endOffset(i) == end, records.statementHash(i) == step.statementHash else {
                    throw .chainBroken("\(names.index) disagrees with \(names.entries); \(store.repairAdvice)")
                }
            }
            if derived.hasHashes {
                let count = records.storedHashCount
                let cached = { (p: Int64) in p < count ? records.storedHash(at: p) : nil }
                guard replay.addedHashesAgree(with: cached, absentAgrees: true) else {
                    throw .chainBroken("\(names.hashes) disagrees with \(names.entries); \(store.repairAdvice)")
                }
            }
            try checkCheckpoints(atSize: i + 1, root: replay.range.root, report: &report)
        }

        let committed = commit?.size ?? Int64.max
        var reader = store.entryCursor(from: 0, index: 0, limit: fileSize)
        var done: Int64 = 0
        while done < committed {
            let chunk: EntryChunk?
            do throws(LedgerError) { chunk = try reader.next(maxLines: committed - done) } catch {
                report.failedEntry = reader.nextIndex
                throw error
            }
            guard let chunk else { break }
            // Entries after the trusted prefix are parsed and signature-checked on all cores.
            let fullFrom = max(0, Int(min(Int64(chunk.lines.count), trusted - chunk.firstIndex)))
            let checked = StoreAuditor.checkInParallel(Array(chunk.lines[fullFrom...]))
            for (k, line) in chunk.lines.enumerated() {
                let i = chunk.firstIndex + Int64(k)
                // The trusted prefix is decoded by the replay itself (no signature checks).
                var decoded: Result<Replay<Rules>.Decoded, LedgerError>?
                if k >= fullFrom {
                    let c = checked[k - fullFrom]
                    if let e = c.error {
                        decoded = .failure(e)
                    } else {
                        decoded = .success(.init(entry: c.entry!, leafHash: c.leafHash, statementHash: c.statementHash))
                        report.verifiedSignatures += 1
                    }
                }
                do throws(LedgerError) {
                    try replay.apply(
                        line, at: i, decoded: decoded,
                        didApply: { step, replay throws(LedgerError) in
                            try checkApplied(step, replay, end: chunk.ends[k], report: &report)
                        })
                } catch {
                    report.failedEntry = i
                    throw error
                }
                done = i + 1
            }
            options.progress?(done, commit?.size ?? 0)
        }
        if pendingZero { try checkCheckpoint(size: 0, root: MerkleHash.emptyRoot, logKey: logKey, report: &report) }
        report.entries = done
        report.root = replay.range.root
        report.logKey = logKey?.description

        // What was acknowledged must all be there, and agree with the commit record.
        if let commit {
            guard done == commit.size else {
                report.failedEntry = done
                throw .chainBroken(
                    "\(entriesPath): holds \(done) complete entries, but the commit record acknowledges "
                        + "\(commit.size): acknowledged entries are missing"
                )
            }
            guard reader.offset == commit.entriesEnd, commit.lastLeafHash == replay.chain.prev,
                commit.root == replay.range.root
            else {
                throw .chainBroken(
                    "\(store.location)/\(names.commit): disagrees with the entries (it records"
                        + " \(commit.size) entries in \(commit.entriesEnd) bytes with root \(commit.root.base64)"
                        + "; the entries end at byte \(reader.offset) with root \(replay.range.root.base64))"
                )
            }
        }
        // The rest of the file: complete lines past the committed size, then a torn line.
        let tailStart = reader.offset
        while let chunk = try? reader.next(maxLines: .max) { report.uncommittedEntries += Int64(chunk.lines.count) }
        report.uncommittedBytes = reader.offset - tailStart
        report.tornBytes = reader.remainingBytes
        if report.uncommittedEntries > 0 {
            report.notes.append(
                "\(report.uncommittedEntries) complete lines (\(report.uncommittedBytes) bytes) after the \(done) "
                    + "committed entries: an unacknowledged tail, not audited; the next append or `ledger repair` cuts "
                    + "it"
            )
        }
        if report.tornBytes > 0 {
            report.notes.append(
                "\(report.tornBytes) bytes after the last complete line: a torn write, not audited; the next append or "
                    + "`ledger repair` cuts it"
            )
        }
        if trusted > done {
            throw .fork("the trusted checkpoint has size \(trusted) but the log has only \(done) entries")
        }
        if derived.hasIndex, records.recordCount < done {
            throw .chainBroken(
                "\(names.index): holds \(records.recordCount) records for \(done) entries; \(store.repairAdvice)")
        }
        if derived.hasHashes, records.storedHashCount < StoredHashIndex.count(size: done) {
            throw .chainBroken(
                "\(names.hashes): holds \(records.storedHashCount) hashes, \(StoredHashIndex.count(size: done)) needed "
                    + "for \(done) entries; \(store.repairAdvice)"
            )
        }
        if nextCheckpoint < checkpointFiles.count {
            let s = checkpointFiles[nextCheckpoint]
            throw .fork("stored checkpoint of size \(s) is beyond the log's \(done) entries")
        }
        try checkCosignatures(logKey: logKey, checkpointSizes: checkpointFiles, report: &report)
    }

    /// For each stored checkpoint that carries cosignatures from the auditor's witnesses, the
    /// earliest cosignature time: no entry it covers may be later (beyond the tolerance).
    func witnessBounds(_ sizes: [UInt64]) -> [(size: UInt64, earliest: Timestamp, witness: String)] {
        guard !options.witnesses.isEmpty else { return [] }
        var out = [(size: UInt64, earliest: Timestamp, witness: String)]()
        for s in sizes {
            guard let text = try? store.checkpointText(size: s),
                let cp = try? SignedCheckpoint(parsing: text, logKey: nil)
            else { continue }
            let cosigners = cp.cosigners(among: options.witnesses).filter { $0.time <= UInt64(Int64.max) }
            guard let first = cosigners.min(by: { $0.time < $1.time }) else { continue }
            out.append((s, Timestamp(secondsSinceEpoch: Int64(first.time)), first.key.name))
        }
        return out
    }

    func checkCheckpoint(size: UInt64, root: Digest, logKey: NoteVerifierKey?, report: inout Report) throws(LedgerError)
    {
        guard let text = try store.checkpointText(size: size) else { return }
        guard let logKey else {
            throw LedgerError.checkpointInvalid(
                "checkpoint \(size): no log key to check its signature against (the ledger has no genesis entry)"
            ).concerning(.logKey)
        }
        let cp: SignedCheckpoint
        do throws(LedgerError) { cp = try SignedCheckpoint(parsing: text, logKey: logKey) } catch {
            throw error.prefixed("checkpoint \(size): ")
        }
        guard cp.checkpoint.size == size else {
            throw .checkpointInvalid(
                "checkpoint \(size): the file for size \(size) holds a checkpoint of size \(cp.checkpoint.size)")
        }
        guard cp.checkpoint.root == root else {
            throw .fork(
                "checkpoint \(size): signed root \(cp.checkpoint.root.base64) differs from the recomputed root "
                    + "\(root.base64) (evidence of a fork or of tampering)"
            )
        }
        report.checkpointsChecked += 1
    }

    /// Parses, canonical-checks, signature-verifies and hashes lines on all cores.
    static func checkInParallel(_ lines: [ArraySlice<UInt8>]) -> [Checked] {
        Parallel.map(lines.count) { k in check(lines[k]) }
    }

    static func check(_ line: ArraySlice<UInt8>) -> Checked {
        var c = Checked()
        do throws(LedgerError) {
            let entry = try line.withUnsafeBytes { raw in Result { () throws(LedgerError) in try Entry(leaf: raw) } }
                .get()
            // The line is canonical, so the statement's canonical bytes are a slice of it.
            var msg = Statement.domain
            if let st = Entry.statementBytes(inCanonicalLeaf: line) {
                msg.append(contentsOf: st)
            } else {
                msg = entry.statement.signingMessage
            }
            guard entry.statement.signer.publicKey.isValidSignature(entry.signed.signature, for: msg) else {
                throw .badSignature("signature does not verify for signer \(entry.statement.signer.name)")
            }
            c.leafHash = line.withUnsafeBytes { MerkleHash.leaf($0) }
            c.statementHash = SHA256.hash(msg)
            c.entry = entry
        } catch {
            c.error = error
        }
        return c
    }
}
