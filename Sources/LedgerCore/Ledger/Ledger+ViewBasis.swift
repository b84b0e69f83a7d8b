import LedgerCrypto

/// What a read view (board, status, history, conflicts) rests on, in one line
/// (specs/cli.md, "What a view rests on").
///
/// The views replay the entries without re-checking every signature (that is
/// ``StoreAuditor``'s job). What they do check, cheaply: the latest stored checkpoint's
/// signature against the log key of the genesis entry, and that the first `size` entries, as
/// they stand in the store and read by their newlines (no cache believed), hash to the
/// checkpoint's root. A mismatch is an error, never a view.
public struct ViewBasis: Sendable {
    /// Committed entries.
    public let size: Int64
    /// The latest signed checkpoint, checked, or nil when none has been signed.
    public let checkpoint: SignedCheckpoint?
    /// The key the checkpoint verified under (the genesis entry's operator key).
    public let logKey: NoteVerifierKey
    /// Cosignatures on it by witnesses registered in the ledger that verify (name, time).
    public let cosigners: [(name: String, time: UInt64)]

    /// Entries no checkpoint covers yet.
    public var uncovered: Range<Int64> { Int64(checkpoint?.checkpoint.size ?? 0)..<size }

    static func hex8(_ v: UInt32) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: 8 - h.count) + h
    }

    /// The line a view prints.
    public var line: String {
        var s: String
        if let cp = checkpoint?.checkpoint {
            s =
                "rests on: entries 0–\(Int64(cp.size) - 1) hash to signed checkpoint \(cp.size) (root "
                + "\(cp.root.base64.prefix(12))…, log key \(logKey.name)+\(ViewBasis.hex8(logKey.keyID))"
            s +=
                cosigners.isEmpty
                ? ", no cosignatures)" : ", cosigned by " + cosigners.map(\.name).joined(separator: ", ") + ")"
            if cp.size == 0 { s = "rests on: signed checkpoint 0 (empty)" }
        } else {
            s = "rests on: no signed checkpoint yet"
        }
        if !uncovered.isEmpty {
            s +=
                uncovered.count == 1
                ? "; entry \(uncovered.lowerBound) is not yet covered by a checkpoint"
                : "; entries \(uncovered.lowerBound)–\(uncovered.upperBound - 1) are not yet covered by a checkpoint"
        }
        return s + "; signatures not re-checked (ledger verify checks them)"
    }
}

extension StoreLedger {
    /// Checks the latest stored checkpoint against the entries and returns what a view rests
    /// on. Throws `.badSignature` when the checkpoint does not verify under the genesis
    /// entry's log key, `.chainBroken` when the entries do not hash to its root (the copy was
    /// altered after it was signed), `.malformed` for a checkpoint that does not parse.
    public func viewBasis(now: UInt64 = CosignaturePolicy.now()) throws(LedgerError) -> ViewBasis {
        try store.refresh()
        let snap = store.snapshot
        let logKey = try operatorKey()
        guard let last = try store.checkpointSizes().last else {
            return ViewBasis(size: snap.size, checkpoint: nil, logKey: logKey, cosigners: [])
        }
        guard let text = try store.checkpointText(size: last) else {
            throw .notFound("checkpoint \(last) is listed but cannot be read")
        }
        let cp: SignedCheckpoint
        do {
            cp = try SignedCheckpoint(parsing: text, logKey: logKey)
        } catch {
            throw error.prefixed("checkpoint \(last): ")
        }
        // As `verify` and the server: the file for size N must hold the checkpoint of size N, or an
        // older checkpoint under a larger name would hide the latest one from the check.
        guard cp.checkpoint.size == last else {
            throw .checkpointInvalid(
                "checkpoint \(last): the file for size \(last) holds a checkpoint of size \(cp.checkpoint.size)")
        }
        guard let covered = Int64(exactly: last), covered <= snap.size else {
            throw .chainBroken(
                "checkpoint \(last) covers \(last) entries, but the ledger holds \(snap.size): entries were removed")
        }
        // The hash-only pass: the first cp.size lines, read by their newlines, into the tree.
        guard try hashOnlyRoot(count: Int64(cp.checkpoint.size)) == cp.checkpoint.root else {
            throw .chainBroken(
                "the entries do not hash to signed checkpoint \(last)'s root: this copy was altered "
                    + "after it was signed;"
                    + " ledger verify finds where")
        }
        let witnesses = StoreLedger.registeredWitnesses(try currentState().authority)
        let valid = try cp.cosignatures(witnesses: witnesses, logKey: logKey, now: now).counted
        return ViewBasis(
            size: snap.size, checkpoint: cp, logKey: logKey, cosigners: valid.map { ($0.key.name, $0.time) })
    }
}

extension ViewBasis {
    /// What a view of exactly the entries that `cp` covers rests on, for a checkpoint already
    /// checked against those entries (the server checks before it publishes): the cosignatures
    /// on it by the witnesses registered in `authority` that verify.
    package static func published(
        _ cp: SignedCheckpoint, logKey: NoteVerifierKey, authority: Authority, now: UInt64 = CosignaturePolicy.now()
    ) throws(LedgerError) -> ViewBasis {
        let witnesses = StoreLedger<CoreRules, MemoryStore>.registeredWitnesses(authority)
        let valid = try cp.cosignatures(witnesses: witnesses, logKey: logKey, now: now).counted
        return ViewBasis(
            size: Int64(cp.checkpoint.size), checkpoint: cp, logKey: logKey,
            cosigners: valid.map { ($0.key.name, $0.time) })
    }
}
