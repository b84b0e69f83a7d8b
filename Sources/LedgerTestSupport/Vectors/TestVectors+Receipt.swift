import LedgerCore
import LedgerCrypto

extension TestVectors {
    /// The receipt promised for vector entry 2 (`entries.json`), include-by 60 s after its log
    /// time, signed by the vector log key: `receipt.note` (specs/api.md §Receipts).
    static func receiptNote() -> String {
        let entry = vectorEntries()[2]
        let receipt = Receipt(
            origin: origin, index: entry.index, statementHash: entry.signed.statement.hash, leafHash: entry.leafHash,
            logTime: entry.time, includeBy: entry.time.adding(seconds: 60))
        return try! SignedReceipt(signing: receipt, with: logKey()).serialized
    }
}
