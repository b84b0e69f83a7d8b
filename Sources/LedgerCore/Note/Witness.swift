import LedgerCrypto

/// A witness: it cosigns a log's checkpoint only after checking the log's signature and, when
/// it keeps state, that the checkpoint is consistent with the last one it cosigned.
public struct Witness {
    public let key: NoteSignerKey
    /// Directory holding the last cosigned checkpoint per log, or nil for a stateless witness.
    public let stateDirectory: String?

    public init(key: NoteSignerKey, stateDirectory: String?) {
        self.key = key
        self.stateDirectory = stateDirectory
    }

    func statePath(origin: String) -> String? {
        guard let stateDirectory else { return nil }
        let safe = String(origin.unicodeScalars.map { c -> Character in
            let ok = (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "." || c == "-" || c == "_"
            return ok ? Character(c) : "_"
        })
        return stateDirectory + "/" + safe + "+" + Hex.encode(SHA256.hash(origin).bytes.prefix(4)) + ".checkpoint"
    }

    /// Verifies and cosigns `noteText`, returning the note with one more cosignature.
    /// - Parameters:
    ///   - logKey: the log's verifier key; the checkpoint must be signed by it.
    ///   - proof: a consistency proof from the last cosigned checkpoint, when the size grew.
    ///   - time: the cosignature timestamp (seconds since the epoch).
    public func cosign(_ noteText: String, logKey: NoteVerifierKey, proof: ConsistencyProof?, time: UInt64) throws(LedgerError) -> SignedNote {
        var cp = try SignedCheckpoint(parsing: noteText, logKey: logKey)
        if let path = statePath(origin: cp.checkpoint.origin), LedgerFiles.exists(path) {
            let oldText = String(decoding: try LedgerFiles.read(path), as: UTF8.self)
            let old = try Checkpoint(text: oldText)
            let new = cp.checkpoint
            if new.size < old.size {
                throw .fork("checkpoint size \(new.size) is smaller than the last cosigned size \(old.size)")
            } else if new.size == old.size {
                guard new.root == old.root else {
                    throw .fork("checkpoint of size \(new.size) has root \(new.root.base64), but this witness cosigned \(old.root.base64) at the same size")
                }
            } else if old.size > 0 {
                guard let proof else {
                    throw .proofInvalid("a consistency proof from size \(old.size) to \(new.size) is required (--proof)")
                }
                guard proof.size1 == old.size, proof.size2 == new.size else {
                    throw .proofInvalid("the proof is from \(proof.size1) to \(proof.size2), not from \(old.size) to \(new.size)")
                }
                do throws(LedgerError) { try proof.verify(root1: old.root, root2: new.root) } catch {
                    throw .fork("checkpoint is not consistent with the last cosigned one (size \(old.size)): \(error.message)")
                }
            }
        }
        cp.note.cosign(with: key, time: time)
        if let path = statePath(origin: cp.checkpoint.origin) {
            try LedgerFiles.makeDirectory(stateDirectory!)
            try LedgerFiles.writeAtomically(Array(cp.checkpoint.text.utf8), to: path)
        }
        return cp.note
    }
}
