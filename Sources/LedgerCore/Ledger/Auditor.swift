import Dispatch
import LedgerCrypto

/// The full audit of a ledger directory, trusting nothing the operator wrote.
///
/// It re-parses every line (which must be canonical), re-verifies every signature in
/// parallel, checks indices, the `prev` chain, integration times, claimed-time tolerance,
/// replays, the rules (write rights and everything above them), the stored tree hashes and
/// statement hashes, and every stored checkpoint against the recomputed roots.
public struct Auditor<Rules: LedgerRules> {
    /// What the auditor trusts and requires.
    public struct Options: Sendable {
        /// The log's verifier key. Without it the genesis entry's operator key is used, and the
        /// report says so.
        public var logKey: NoteVerifierKey?
        /// Witness keys (type 0x04 cosigner keys, or 0x01 keys).
        public var witnesses: [NoteVerifierKey] = []
        /// Cosignatures from `witnesses` required on the latest checkpoint.
        public var minCosignatures = 0
        /// A checkpoint the auditor already trusts: entries up to its size are only replayed
        /// for state, after a consistency proof from it to the current tree.
        public var since: SignedCheckpoint?
        /// Called after each chunk with (entries done, total).
        public var progress: (@Sendable (Int64, Int64) -> Void)?

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
        /// The first failure: the entry (when one is to blame) and what is wrong.
        public var failure: LedgerError?
        public var failedEntry: Int64?

        public var isValid: Bool { failure == nil }
    }

    public let store: FileStore
    public let options: Options

    public init(store: FileStore, options: Options) {
        self.store = store
        self.options = options
    }

    struct Checked {
        var entry: Entry?
        var leafHash = Digest.zero
        var statementHash = Digest.zero
        var error: LedgerError?
    }

    /// Runs the audit. Errors about a specific entry end up in ``Report/failure`` with
    /// ``Report/failedEntry``; the function itself throws only on I/O errors.
    public func run() -> Report {
        var report = Report()
        do throws(LedgerError) {
            try audit(&report)
        } catch {
            report.failure = error
        }
        return report
    }

    func audit(_ report: inout Report) throws(LedgerError) {
        try store.refresh()
        let n = store.size
        report.entries = n
        var rules = Rules()
        var seen = Set<Digest>()
        seen.reserveCapacity(Int(n))
        var range = CompactRange()
        var prev = Digest.zero
        var lastTime = Timestamp(secondsSinceEpoch: 0)
        var storedHashPos: Int64 = 0
        let checkpointSizes = store.checkpointSizes()
        var nextCheckpoint = 0
        var logKey = options.logKey

        // Incremental mode: prove the trusted checkpoint is a prefix of the current tree first.
        var trustedPrefix: Int64 = 0
        if let since = options.since {
            guard let key = logKey else { throw .checkpointInvalid("--since needs the log key (--vkey)") }
            guard since.note.isSigned(by: key) else { throw .badSignature("the --since checkpoint is not signed by the log key") }
            let m = since.checkpoint.size
            guard m <= UInt64(n) else { throw .fork("the trusted checkpoint has size \(m) but the log has only \(n) entries") }
            let tree = store.tree
            let proof = try tree.consistencyProof(oldSize: Int64(m), newSize: n).map(\.bytes)
            let rootN = try tree.root(treeSize: n)
            do throws(LedgerError) {
                try ProofVerifier.verifyConsistency(size1: m, size2: UInt64(n), proof: proof, root1: since.checkpoint.root, root2: rootN)
            } catch {
                throw .fork("the log is not consistent with the trusted checkpoint of size \(m): \(error.message)")
            }
            if m > 0 {
                // Authenticate the last trusted leaf hash, which the next entry's prev must equal.
                let ip = try tree.inclusionProof(index: Int64(m) - 1, treeSize: Int64(m)).map(\.bytes)
                try ProofVerifier.verifyInclusion(
                    index: m - 1, treeSize: m, leafHash: store.leafHash(Int64(m) - 1), proof: ip, root: since.checkpoint.root)
            }
            trustedPrefix = Int64(m)
            report.incrementalFrom = m
        }

        func fail(_ i: Int64, _ e: LedgerError) -> LedgerError {
            report.failedEntry = i
            return e.prefixed("entry \(i): ")
        }

        // Replay the trusted prefix for state only (no signature checks, no hashing).
        if trustedPrefix > 0 {
            var signers = SignerCache()
            try store.forEachChunk(from: 0, to: trustedPrefix) { first, lines throws(LedgerError) in
                for (k, line) in lines.enumerated() {
                    let i = first + Int64(k)
                    do throws(LedgerError) {
                        let e = try line.withUnsafeBytes { raw in
                        Result { () throws(LedgerError) in try Entry(leaf: raw, signers: &signers) }
                    }.get()
                        try rules.apply(e, leafHash: store.leafHash(i))
                        lastTime = e.time
                        seen.insert(store.statementHash(i))
                    } catch { throw fail(i, error) }
                }
            }
            prev = store.leafHash(trustedPrefix - 1)
            nextCheckpoint = checkpointSizes.firstIndex { $0 > UInt64(trustedPrefix) } ?? checkpointSizes.count
        }

        let total = n
        try store.forEachChunk(from: trustedPrefix, to: n) { first, lines throws(LedgerError) in
            let checked = Auditor.checkInParallel(lines)
            for (k, c) in checked.enumerated() {
                let i = first + Int64(k)
                if let e = c.error { throw fail(i, e) }
                let entry = c.entry!
                guard entry.index == UInt64(i) else { throw fail(i, .chainBroken("index field is \(entry.index), expected \(i)")) }
                guard entry.prev == prev else { throw fail(i, .chainBroken("prev is \(entry.prev.base64), expected the leaf hash of entry \(i - 1), \(prev.base64)")) }
                guard entry.time >= lastTime else { throw fail(i, .chainBroken("integration time \(entry.time) is before the previous entry's \(lastTime)")) }
                let skew = entry.statement.time.secondsSinceEpoch - entry.time.secondsSinceEpoch
                guard abs(skew) <= Ledger<Rules>.timeTolerance else {
                    throw fail(i, .timeSkew("claimed time \(entry.statement.time) is \(abs(skew)) s from the integration time \(entry.time)"))
                }
                guard seen.insert(c.statementHash).inserted else { throw fail(i, .replay("statement is a replay of an earlier entry")) }
                guard store.statementHash(i) == c.statementHash else { throw fail(i, .chainBroken("entries.idx holds a wrong statement hash")) }
                do throws(LedgerError) { try rules.apply(entry, leafHash: c.leafHash) } catch { throw fail(i, error) }
                if i == 0, logKey == nil {
                    logKey = rules.authority.operatorKey
                    report.logKeyFromGenesis = true
                }
                // Recompute the stored hashes this leaf adds and compare them with tree.hashes.
                if trustedPrefix == 0 {
                    var mismatch = false
                    range.append(c.leafHash) { h in
                        if store.storedHash(at: storedHashPos) != h { mismatch = true }
                        storedHashPos += 1
                    }
                    if mismatch { throw fail(i, .chainBroken("tree.hashes does not match the entries")) }
                } else {
                    guard store.leafHash(i) == c.leafHash else { throw fail(i, .chainBroken("stored leaf hash does not match the entry")) }
                }
                prev = c.leafHash
                lastTime = entry.time
                report.verifiedSignatures += 1
                // Checkpoints of this size.
                while nextCheckpoint < checkpointSizes.count, checkpointSizes[nextCheckpoint] == UInt64(i + 1) {
                    let root = trustedPrefix == 0 ? range.root : try store.tree.root(treeSize: i + 1)
                    try checkCheckpoint(size: UInt64(i + 1), root: root, logKey: logKey, report: &report)
                    nextCheckpoint += 1
                }
            }
            options.progress?(first + Int64(lines.count), total)
        }
        if nextCheckpoint < checkpointSizes.count {
            let s = checkpointSizes[nextCheckpoint]
            throw .fork("stored checkpoint of size \(s) is beyond the log's \(n) entries")
        }
        report.root = trustedPrefix == 0 ? range.root : try store.tree.root(treeSize: n)
        report.logKey = logKey?.description
        try checkCosignatures(logKey: logKey, checkpointSizes: checkpointSizes, report: &report)
    }

    func checkCheckpoint(size: UInt64, root: Digest, logKey: NoteVerifierKey?, report: inout Report) throws(LedgerError) {
        guard let text = try store.checkpointText(size: size) else { return }
        let cp: SignedCheckpoint
        do throws(LedgerError) { cp = try SignedCheckpoint(parsing: text, logKey: logKey) } catch {
            throw error.prefixed("checkpoint \(size): ")
        }
        guard cp.checkpoint.root == root else {
            throw .fork("checkpoint \(size): signed root \(cp.checkpoint.root.base64) differs from the recomputed root \(root.base64) (evidence of a fork or of tampering)")
        }
        report.checkpointsChecked += 1
    }

    /// Parses, canonical-checks, signature-verifies and hashes lines on all cores.
    static func checkInParallel(_ lines: [ArraySlice<UInt8>]) -> [Checked] {
        var results = [Checked](repeating: Checked(), count: lines.count)
        results.withUnsafeMutableBufferPointer { buf in
            nonisolated(unsafe) let out = buf
            let workers = ProcessInfoLite.activeProcessorCount
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var k = w
                while k < lines.count {
                    out[k] = check(lines[k])
                    k += workers
                }
            }
        }
        return results
    }

    static func check(_ line: ArraySlice<UInt8>) -> Checked {
        var c = Checked()
        do throws(LedgerError) {
            let entry = try line.withUnsafeBytes { raw in Result { () throws(LedgerError) in try Entry(leaf: raw) } }.get()
            // The line is canonical, so the statement's canonical bytes are a slice of it.
            var msg = Statement.domain
            if let st = Entry.statementBytes(inCanonicalLeaf: line) { msg.append(contentsOf: st) } else { msg = entry.statement.signingMessage }
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
