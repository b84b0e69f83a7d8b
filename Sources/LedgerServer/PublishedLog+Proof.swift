import LedgerCore
import LedgerCrypto

extension PublishedLog {
    /// The `c2sp.org/tlog-proof@v1` bundle that proves entry `index` in the checkpoint of
    /// `size` (default: the published one): the inclusion hashes from the recomputed tree and
    /// the stored checkpoint note, as `ledger proof inclusion --format tlog-proof` prints it.
    ///
    /// An older checkpoint must be stored, signed by the log key and agree with the published
    /// tree; a size beyond the published checkpoint is not served.
    package func inclusionProof(index: Int64, size: Int64? = nil) throws(LedgerServerError) -> String {
        let view = self.view
        guard let latest = view.checkpoint else { throw .notFound("no checkpoint has been signed yet") }
        var note = latest.note
        let treeSize = size ?? view.size
        guard treeSize >= 1, treeSize <= view.size else {
            throw .notFound("no published checkpoint of size \(treeSize) (the latest is of size \(view.size))")
        }
        if treeSize != view.size {
            note = try olderCheckpoint(size: treeSize, in: view).note
        }
        guard index < treeSize else {
            throw .notFound("entry \(index) is not covered by the checkpoint of size \(treeSize)")
        }
        do {
            let hashes = try view.tree.inclusionProof(index: index, treeSize: treeSize)
            return TlogProof(index: UInt64(index), hashes: hashes.map(\.bytes), checkpoint: note).serialized
        } catch {
            throw .internalError(error)
        }
    }

    /// The stored checkpoint of `size` (below the published one), checked: signed by the log
    /// key, and of the root the published tree has at that size.
    func olderCheckpoint(size: Int64, in view: View) throws(LedgerServerError) -> SignedCheckpoint {
        let text: String?
        do { text = try store.checkpointText(size: UInt64(size)) } catch { throw .internalError(error) }
        guard let text else { throw .notFound("no checkpoint of size \(size) was signed") }
        do throws(LedgerError) {
            let signed = try SignedCheckpoint(parsing: text, logKey: logKey)
            let root = try view.tree.root(treeSize: size)
            guard signed.checkpoint.size == UInt64(size), signed.checkpoint.root == root else {
                throw .fork("it disagrees with the published tree, whose root there is \(root.base64)")
            }
            return signed
        } catch {
            throw .internalError(error.prefixed("checkpoint \(size): "))
        }
    }
}
