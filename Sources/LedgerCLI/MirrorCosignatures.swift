import LedgerCore
import LedgerCrypto

/// What a mirror keeps of a served checkpoint's cosignatures (`ledger sync`, specs/cli.md).
///
/// The served note is never stored as it came: the checkpoint is stored with the log's
/// signature alone, and its cosignatures go through ``StoreLedger/attach(_:witnesses:)``, the
/// path of `ledger checkpoint --attach`. Only lines that verify under a witness key the mirror
/// knows (a key registered with role `witness`, or a `--witness` key) are attached, and only for
/// a witness the mirror holds no verified cosignature of at that size: a served line never
/// replaces a verified one. Every other line (an unknown key, a bad signature, a timestamp
/// too far ahead, a second line of a witness already held) is dropped and counted. Unknown
/// lines are not kept for a later `verify --witness` to judge: a line under a witness's name
/// that does not verify would make that verify reject the whole note.
enum MirrorCosignatures {
    /// The checkpoint note with the log's own signature lines only.
    static func logSigned(_ checkpoint: SignedCheckpoint, logKey: NoteVerifierKey) throws(LedgerError) -> String {
        let own = checkpoint.note.signatures.filter { $0.name == logKey.name && $0.keyID == logKey.keyID }
        return try SignedNote(text: checkpoint.note.text, signatures: own).serialized
    }

    /// Attaches the served cosignatures the mirror keeps to its stored checkpoint of the same
    /// size (which must exist).
    /// - Returns: how many lines were attached, and how many dropped (lines the mirror holds
    ///   already, byte for byte, are neither).
    static func attach(
        _ served: SignedCheckpoint, to ledger: Ledger<RulesInUse>, logKey: NoteVerifierKey,
        witnesses given: [NoteVerifierKey]
    ) throws(LedgerError) -> (added: Int, dropped: Int) {
        var lines = served.note.signatures.filter { !($0.name == logKey.name && $0.keyID == logKey.keyID) }
        guard !lines.isEmpty else { return (0, 0) }
        let known = CosignaturePolicy.cosignerKeys(try ledger.registeredWitnesses() + given, logKey: logKey)
        let size = served.checkpoint.size
        guard let storedText = try ledger.store.checkpointText(size: size) else {
            throw LedgerError.notFound("the mirror holds no checkpoint of size \(size) to attach cosignatures to")
        }
        let stored = try SignedCheckpoint(parsing: storedText, logKey: logKey)
        // The witnesses the mirror already holds a verified cosignature of.
        let held = known.filter { key in
            stored.note.signatures.contains { s in
                s.name == key.name && s.keyID == key.keyID && (try? stored.note.verify(s, by: key)) != nil
            }
        }
        // A line the mirror holds already, byte for byte, is neither attached nor dropped.
        lines.removeAll { stored.note.signatures.contains($0) }
        let now = CosignaturePolicy.now()
        // The store holds at most `maxCosignatures` beside the log's own line, the ones it holds
        // already included: more would make the attach (and so the whole sync) fail.
        let storedCosignatures = stored.note.signatures.filter { !($0.name == logKey.name && $0.keyID == logKey.keyID) }
        let room = max(0, CosignaturePolicy.maxCosignatures - storedCosignatures.count)
        var kept = [SignedNote.Signature]()
        for s in lines {
            guard let key = known.first(where: { $0.name == s.name && $0.keyID == s.keyID }),
                !held.contains(key), !kept.contains(where: { $0.name == s.name && $0.keyID == s.keyID }),
                kept.count < room,
                let time = try? served.note.verify(s, by: key), !CosignaturePolicy.isFuture(time, now: now)
            else { continue }
            kept.append(s)
        }
        if !kept.isEmpty {
            let own = served.note.signatures.filter { $0.name == logKey.name && $0.keyID == logKey.keyID }
            let note = try SignedNote(text: served.note.text, signatures: own + kept)
            _ = try ledger.attach(note.serialized, witnesses: given)
        }
        return (kept.count, lines.count - kept.count)
    }
}
