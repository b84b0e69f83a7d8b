import LedgerCrypto

/// A receipt: the log's signed promise that a statement was appended at an index and will be
/// covered by a published checkpoint by a stated time (specs/api.md §Receipts).
///
/// The text of its signed note is exactly seven lines, each ending in a newline:
///
/// ```
/// minilateral-ledger/receipt/v1
/// origin <origin>
/// index <entry index>
/// statement <base64 SHA-256 of the statement's signing message>
/// leaf <base64 RFC 9162 leaf hash of the entry>
/// time <log time, YYYY-MM-DDTHH:MM:SSZ>
/// include-by <YYYY-MM-DDTHH:MM:SSZ>
/// ```
///
/// Every value has one spelling (the parser re-serializes and compares), so a receipt has one
/// encoding. It can never be read as a C2SP checkpoint: a checkpoint's second line is its size,
/// a decimal, and a receipt's second line starts with `origin `.
public struct Receipt: Sendable, Hashable {
    /// The first line.
    public static let header = "minilateral-ledger/receipt/v1"

    /// The log's origin; the receipt is signed by the log key of that name.
    public let origin: String
    /// The index the entry was appended at.
    public let index: UInt64
    /// The statement hash (``Statement/hash``).
    public let statementHash: Digest
    /// The entry's leaf hash, `SHA-256(0x00 ‖ entry line)`: it fixes the whole entry.
    public let leafHash: Digest
    /// The entry's integration time (the log time).
    public let logTime: Timestamp
    /// The latest time by which a published checkpoint covers the entry, as promised.
    public let includeBy: Timestamp

    public init(
        origin: String, index: UInt64, statementHash: Digest, leafHash: Digest, logTime: Timestamp,
        includeBy: Timestamp
    ) {
        self.origin = origin
        self.index = index
        self.statementHash = statementHash
        self.leafHash = leafHash
        self.logTime = logTime
        self.includeBy = includeBy
    }

    /// The note text: seven lines, each ending in a newline.
    public var text: String {
        "\(Receipt.header)\norigin \(origin)\nindex \(index)\nstatement \(statementHash.base64)\n"
            + "leaf \(leafHash.base64)\ntime \(logTime.rfc3339)\ninclude-by \(includeBy.rfc3339)\n"
    }

    /// Parses the text of a receipt note.
    /// - Throws: `.malformed` naming the first line that is not as specified.
    public init(text: String) throws(LedgerError) {
        guard text.hasSuffix("\n") else { throw .malformed("a receipt must end with a newline") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 7, lines[0] == Receipt.header else {
            throw .malformed("not a receipt: expected 7 lines, the first \"\(Receipt.header)\"")
        }
        func value(_ n: Int, _ key: String) throws(LedgerError) -> String {
            guard lines[n].hasPrefix(key + " "), lines[n].count > key.count + 1 else {
                throw .malformed("receipt line \(n + 1) must be \"\(key) <value>\"")
            }
            return String(lines[n].dropFirst(key.count + 1))
        }
        func digest(_ n: Int, _ key: String) throws(LedgerError) -> Digest {
            guard let d = Digest(base64: try value(n, key)) else {
                throw .malformed("receipt line \(n + 1): \(key) is not base64 of 32 bytes")
            }
            return d
        }
        func time(_ n: Int, _ key: String) throws(LedgerError) -> Timestamp {
            guard let t = Timestamp(rfc3339: try value(n, key)) else {
                throw .malformed("receipt line \(n + 1): \(key) is not YYYY-MM-DDTHH:MM:SSZ")
            }
            return t
        }
        let indexText = try value(2, "index")
        guard let index = UInt64(indexText), index <= UInt64(JSONValue.maxSafeInteger) else {
            throw .malformed("receipt line 3: index is not a decimal of at most 2^53 − 1")
        }
        self.init(
            origin: try value(1, "origin"), index: index, statementHash: try digest(3, "statement"),
            leafHash: try digest(4, "leaf"), logTime: try time(5, "time"), includeBy: try time(6, "include-by"))
        guard self.text == text else { throw .nonCanonical("the receipt is not in its one canonical spelling") }
        guard includeBy >= logTime else { throw .malformed("the receipt's include-by is before its log time") }
    }
}

/// A receipt with its signed note, signed by the log key.
public struct SignedReceipt: Sendable, Hashable {
    public let receipt: Receipt
    public let note: SignedNote

    /// Signs `receipt` with the log key, whose name must be the receipt's origin.
    public init(signing receipt: Receipt, with logKey: NoteSignerKey) throws(LedgerError) {
        guard logKey.name == receipt.origin else {
            throw .unauthorized("the receipt's origin \"\(receipt.origin)\" is not the key's name \"\(logKey.name)\"")
        }
        var note = try SignedNote(text: receipt.text)
        note.sign(with: logKey)
        self.receipt = receipt
        self.note = note
    }

    /// Parses a serialized receipt note and checks it under the log key: the origin is the
    /// key's name, and every signature line by the key verifies (at least one).
    /// - Throws: `.malformed`/`.nonCanonical` for text that is no receipt, `.badSignature` for
    ///   a receipt not validly signed by `logKey`, `.unauthorized` for another log's receipt.
    public init(parsing text: String, logKey: NoteVerifierKey) throws(LedgerError) {
        let note = try SignedNote(parsing: text)
        let receipt = try Receipt(text: note.text)
        guard receipt.origin == logKey.name else {
            throw .unauthorized("the receipt is from the log \"\(receipt.origin)\", not \"\(logKey.name)\"")
        }
        guard try note.verifyAll(by: logKey).count > 0 else {
            throw .badSignature("the receipt is not signed by the log key \(logKey)")
        }
        self.receipt = receipt
        self.note = note
    }

    /// The serialized note.
    public var serialized: String { note.serialized }
}
