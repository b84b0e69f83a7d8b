import LedgerCrypto

/// A C2SP tlog-checkpoint body: origin, tree size and root hash, plus optional extension lines.
public struct Checkpoint: Sendable, Hashable {
    public let origin: String
    public let size: UInt64
    public let root: Digest
    public let extensions: [String]

    public init(origin: String, size: UInt64, root: Digest, extensions: [String] = []) {
        self.origin = origin
        self.size = size
        self.root = root
        self.extensions = extensions
    }

    /// The note text.
    public var text: String {
        "\(origin)\n\(size)\n\(root.base64)\n" + extensions.map { $0 + "\n" }.joined()
    }

    /// Parses the text of a checkpoint note.
    public init(text: String) throws(LedgerError) {
        guard text.hasSuffix("\n") else { throw .checkpointInvalid("checkpoint must end with a newline") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3 else { throw .checkpointInvalid("checkpoint needs origin, size and root lines") }
        guard !lines[0].isEmpty else { throw .checkpointInvalid("checkpoint origin is empty") }
        let sizeLine = lines[1]
        guard !sizeLine.isEmpty, sizeLine.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            sizeLine == "0" || !sizeLine.hasPrefix("0"), let size = UInt64(sizeLine)
        else { throw .checkpointInvalid("checkpoint size \"\(sizeLine)\" is not a decimal without leading zeros") }
        guard let root = Digest(base64: lines[2]) else {
            throw .checkpointInvalid("checkpoint root is not base64 of 32 bytes")
        }
        for e in lines[3...] where e.isEmpty { throw .checkpointInvalid("checkpoint has an empty extension line") }
        self.init(origin: lines[0], size: size, root: root, extensions: Array(lines[3...]))
    }
}

/// A checkpoint together with the signed note that carries it.
public struct SignedCheckpoint: Sendable, Hashable {
    public let checkpoint: Checkpoint
    public var note: SignedNote

    public init(note: SignedNote) throws(LedgerError) {
        self.checkpoint = try Checkpoint(text: note.text)
        self.note = note
    }

    /// Parses a serialized note and checks that it is signed by the log key `logKey`, whose
    /// name must equal the checkpoint's origin.
    public init(parsing text: String, logKey: NoteVerifierKey?) throws(LedgerError) {
        try self.init(note: SignedNote(parsing: text))
        if let logKey {
            guard logKey.type == .ed25519 else { throw .checkpointInvalid("the log key must be an Ed25519 (0x01) key") }
            guard checkpoint.origin == logKey.name else {
                throw .checkpointInvalid(
                    "checkpoint origin \"\(checkpoint.origin)\" does not match log key \"\(logKey.name)\"")
            }
            // Every line under the log key must verify (a second, bad log signature is rejected).
            guard try note.verifyAll(by: logKey).count > 0 else {
                throw .badSignature("checkpoint is not signed by the log key \(logKey)")
            }
        }
    }

    /// The witnesses among `witnesses` that validly cosigned, with their timestamps: one per
    /// distinct public key, whatever the timestamp (see ``cosignatures(witnesses:logKey:now:)``
    /// for the full rules). Empty when a line by one of them does not verify.
    public func cosigners(among witnesses: [NoteVerifierKey]) -> [(key: NoteVerifierKey, time: UInt64)] {
        guard let set = try? cosignatures(witnesses: witnesses, logKey: nil, now: SignedNote.maxTimestamp) else {
            return []
        }
        return set.counted.map { (key: $0.key, time: $0.time) }
    }
}
