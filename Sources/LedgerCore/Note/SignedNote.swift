import Foundation
import LedgerCrypto

/// A C2SP signed note: text ending in a newline, a blank line, then signature lines
/// `— <name> <base64(keyID || signature)>`.
public struct SignedNote: Sendable, Hashable {
    /// One signature line.
    public struct Signature: Sendable, Hashable {
        public let name: String
        public let keyID: UInt32
        /// The bytes after the key ID.
        public let payload: [UInt8]

        public init(name: String, keyID: UInt32, payload: [UInt8]) {
            self.name = name
            self.keyID = keyID
            self.payload = payload
        }

        var line: String {
            let id = [
                UInt8(keyID >> 24 & 0xff), UInt8(keyID >> 16 & 0xff), UInt8(keyID >> 8 & 0xff), UInt8(keyID & 0xff),
            ]
            return "\u{2014} \(name) \(Base64.encode(id + payload))\n"
        }
    }

    /// The signed text, including its final newline.
    public let text: String
    public private(set) var signatures: [Signature]

    public init(text: String, signatures: [Signature] = []) throws(LedgerError) {
        try SignedNote.checkText(text)
        self.text = text
        self.signatures = signatures
    }

    static func checkText(_ text: String) throws(LedgerError) {
        guard text.hasSuffix("\n") else { throw .malformed("note text must end with a newline") }
        // Two newline bytes in a row (no other UTF-8 sequence holds 0x0A): a byte scan, where
        // Foundation's `contains` costs a receipt's signing several microseconds.
        var previous: UInt8 = 0
        for b in text.utf8 {
            guard !(b == 0x0A && previous == 0x0A) else { throw .malformed("note text must not contain a blank line") }
            previous = b
        }
        for s in text.unicodeScalars where s.value < 0x20 && s != "\n" {
            throw .malformed("note text contains a control character")
        }
    }

    /// Most signature lines a parsed note may carry (as Go's `note.Open`).
    public static let maxSignatures = 100

    /// Parses a note. Signature lines must be well formed; unknown keys are kept, not rejected.
    public init(parsing message: String) throws(LedgerError) {
        guard let split = message.range(of: "\n\n", options: .backwards) else {
            throw .malformed("signed note has no blank line before its signatures")
        }
        let text = String(message[..<split.lowerBound]) + "\n"
        let sigBlock = String(message[split.upperBound...])
        try SignedNote.checkText(text)
        guard sigBlock.hasSuffix("\n") else { throw .malformed("signed note must end with a newline") }
        var sigs = [Signature]()
        for line in sigBlock.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("\u{2014} ") else {
                throw .malformed("signature line must start with an em dash and a space")
            }
            let rest = line.dropFirst(2)
            let fields = rest.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, NoteName.isValid(String(fields[0])) else {
                throw .malformed("signature line must be '— name base64'")
            }
            guard let raw = Base64.decode(String(fields[1])), raw.count >= 5 else {
                throw .malformed("signature is not base64 of at least 5 bytes")
            }
            let id = UInt32(raw[0]) << 24 | UInt32(raw[1]) << 16 | UInt32(raw[2]) << 8 | UInt32(raw[3])
            sigs.append(Signature(name: String(fields[0]), keyID: id, payload: Array(raw[4...])))
        }
        guard !sigs.isEmpty else { throw .malformed("signed note has no signatures") }
        guard sigs.count <= SignedNote.maxSignatures else {
            throw .malformed("signed note has more than \(SignedNote.maxSignatures) signatures")
        }
        self.text = text
        self.signatures = sigs
    }

    /// The serialized note.
    public var serialized: String {
        text + "\n" + signatures.map(\.line).joined()
    }

    /// Adds a plain Ed25519 (type 0x01) signature by `signer`, replacing an earlier one by the same key.
    public mutating func sign(with signer: NoteSignerKey) {
        let vk = signer.verifierKey
        let sig = signer.signingKey.signature(for: Array(text.utf8))
        add(Signature(name: vk.name, keyID: vk.keyID, payload: sig))
    }

    /// Adds a C2SP tlog-cosignature/v1 (type 0x04) by `signer` at `time` (seconds since the epoch).
    public mutating func cosign(with signer: NoteSignerKey, time: UInt64) {
        let vk = signer.cosignerKey
        let sig = signer.signingKey.signature(for: SignedNote.cosignedMessage(text: text, time: time))
        var payload = [UInt8]()
        for shift in stride(from: 56, through: 0, by: -8) { payload.append(UInt8(time >> UInt64(shift) & 0xff)) }
        add(Signature(name: vk.name, keyID: vk.keyID, payload: payload + sig))
    }

    mutating func add(_ s: Signature) {
        signatures.removeAll { $0.name == s.name && $0.keyID == s.keyID }
        signatures.append(s)
    }

    /// Removes the signature lines for which `drop` is true.
    mutating func removeSignatures(where drop: (Signature) -> Bool) {
        signatures.removeAll(where: drop)
    }

    /// Merges the signatures of another note over the same text.
    public mutating func merge(_ other: SignedNote) throws(LedgerError) {
        guard other.text == text else { throw .checkpointInvalid("cannot merge signatures of a different note") }
        for s in other.signatures where !signatures.contains(s) { add(s) }
    }

    static func cosignedMessage(text: String, time: UInt64) -> [UInt8] {
        Array("cosignature/v1\ntime \(time)\n".utf8) + Array(text.utf8)
    }

    /// The largest cosignature timestamp C2SP tlog-cosignature allows (2^63 − 1).
    public static let maxTimestamp = UInt64(Int64.max)

    /// Checks one signature line against `key`, which must have the line's name and key ID.
    /// Returns the timestamp for a cosignature (nil for a plain Ed25519 signature), or throws
    /// `.badSignature` saying why the line does not verify.
    public func verify(_ s: Signature, by key: NoteVerifierKey) throws(LedgerError) -> UInt64? {
        switch key.type {
        case .ed25519:
            guard s.payload.count == 64 else { throw .badSignature("signature is \(s.payload.count) bytes, not 64") }
            guard key.publicKey.isValidSignature(s.payload, for: Array(text.utf8)) else {
                throw .badSignature("signature does not verify")
            }
            return nil
        case .cosignatureV1:
            guard s.payload.count == 72 else {
                throw .badSignature("cosignature is \(s.payload.count) bytes, not 8 (timestamp) + 64")
            }
            var ts: UInt64 = 0
            for b in s.payload[0..<8] { ts = ts << 8 | UInt64(b) }
            guard ts <= SignedNote.maxTimestamp else {
                throw .badSignature("cosignature timestamp \(ts) exceeds 2^63-1")
            }
            let msg = SignedNote.cosignedMessage(text: text, time: ts)
            guard key.publicKey.isValidSignature(Array(s.payload[8...]), for: msg) else {
                throw .badSignature("cosignature (timestamp \(ts)) does not verify")
            }
            return ts
        }
    }

    /// The signature lines made by `key` (same name and key ID), with their 1-based line numbers
    /// among the signature lines.
    public func lines(of key: NoteVerifierKey) -> [(line: Int, signature: Signature)] {
        signatures.enumerated().filter { $0.element.name == key.name && $0.element.keyID == key.keyID }
            .map { (line: $0.offset + 1, signature: $0.element) }
    }

    /// Checks every signature line made by `key` (same name and key ID): each one must verify,
    /// as in Go's `note.Open`, which rejects a note carrying a bad signature by a known key.
    /// Returns the number of lines, and the latest timestamp for a cosigner key.
    /// - Throws: `.badSignature` naming the first line by `key` that does not verify.
    public func verifyAll(by key: NoteVerifierKey) throws(LedgerError) -> (count: Int, time: UInt64?) {
        var time: UInt64?
        let mine = lines(of: key)
        for (n, s) in mine {
            do throws(LedgerError) {
                if let t = try verify(s, by: key) { time = max(time ?? 0, t) }
            } catch {
                throw error.prefixed("signature line \(n) (\(key.name)+\(NoteName.hex8(key.keyID))): ")
            }
        }
        return (mine.count, time)
    }

    /// Whether the note carries a signature by `key` and every line by `key` verifies. For a
    /// cosigner key, returns the cosignature's timestamp through `time`.
    public func isSigned(by key: NoteVerifierKey, time: inout UInt64?) -> Bool {
        guard let r = try? verifyAll(by: key), r.count > 0 else { return false }
        time = r.time
        return true
    }

    /// Whether the note carries a signature by `key` and every line by `key` verifies.
    public func isSigned(by key: NoteVerifierKey) -> Bool {
        var t: UInt64?
        return isSigned(by: key, time: &t)
    }
}
