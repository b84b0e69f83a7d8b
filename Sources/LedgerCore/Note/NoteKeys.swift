import LedgerCrypto
import Synchronization

let vkeyCache = Mutex<[String: NoteVerifierKey]>([:])

/// The signature algorithms a note key may have (C2SP signed-note §Signature types).
public enum NoteKeyType: UInt8, Sendable {
    /// Plain Ed25519 over the note text (C2SP signed-note).
    case ed25519 = 0x01
    /// A timestamped Ed25519 witness cosignature (C2SP tlog-cosignature).
    case cosignatureV1 = 0x04
}

/// Rules for note key names shared by signers and verifiers (as in `golang.org/x/mod/sumdb/note`).
enum NoteName {
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("+")
            && !name.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 }
    }

    /// `SHA-256(name || "\n" || type || key)[:4]` as a big-endian integer.
    static func keyID(name: String, type: NoteKeyType, publicKey: [UInt8]) -> UInt32 {
        var msg = Array(name.utf8)
        msg.append(0x0a)
        msg.append(type.rawValue)
        msg.append(contentsOf: publicKey)
        let h = SHA256.hash(msg).bytes
        return UInt32(h[0]) << 24 | UInt32(h[1]) << 16 | UInt32(h[2]) << 8 | UInt32(h[3])
    }

    static func hex8(_ id: UInt32) -> String {
        let h = String(id, radix: 16)
        return String(repeating: "0", count: 8 - h.count) + h
    }
}

/// A verifier key: `name+hex8(keyID)+base64(type || publicKey)`.
public struct NoteVerifierKey: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let type: NoteKeyType
    public let publicKey: VerifyingKey
    public let keyID: UInt32

    public init(name: String, type: NoteKeyType, publicKey: VerifyingKey) throws(LedgerError) {
        guard NoteName.isValid(name) else { throw .malformed("invalid key name \"\(name)\"") }
        self.name = name
        self.type = type
        self.publicKey = publicKey
        self.keyID = NoteName.keyID(name: name, type: type, publicKey: publicKey.rawRepresentation)
    }

    /// Parses a vkey string. The key ID must match the one computed from the name and key.
    public init(parsing vkey: String) throws(LedgerError) {
        let parts = vkey.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("vkey must be name+hex8+base64, got \(parts.count) fields") }
        let name = String(parts[0])
        guard parts[1].utf8.count == 8, let idBytes = Hex.decode(String(parts[1])), parts[1].lowercased() == parts[1]
        else { throw .malformed("vkey key ID must be 8 lowercase hex digits") }
        guard let raw = Base64.decode(String(parts[2])), raw.count == 33 else {
            throw .malformed("vkey key data must be base64 of 33 bytes (type + Ed25519 key)")
        }
        guard let type = NoteKeyType(rawValue: raw[0]) else {
            throw .malformed("vkey has unsupported key type 0x\(String(raw[0], radix: 16))")
        }
        try self.init(name: name, type: type, publicKey: VerifyingKey(rawRepresentation: Array(raw[1...]))!)
        let claimed = UInt32(idBytes[0]) << 24 | UInt32(idBytes[1]) << 16 | UInt32(idBytes[2]) << 8 | UInt32(idBytes[3])
        guard claimed == keyID else { throw .malformed("vkey key ID \(parts[1]) does not match its name and key") }
    }

    /// Parses a vkey, reusing earlier results: a ledger has few signers and many entries.
    public static func cached(_ vkey: String) throws(LedgerError) -> NoteVerifierKey {
        if let k = vkeyCache.withLock({ $0[vkey] }) { return k }
        let k = try NoteVerifierKey(parsing: vkey)
        vkeyCache.withLock { cache in
            if cache.count > 100_000 { cache.removeAll() }
            cache[vkey] = k
        }
        return k
    }

    public static func == (a: NoteVerifierKey, b: NoteVerifierKey) -> Bool {
        a.keyID == b.keyID && a.type == b.type && a.name.utf8.elementsEqual(b.name.utf8)
            && a.publicKey.rawRepresentation.withUnsafeBytes { x in
                b.publicKey.rawRepresentation.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, 32) == 0 }
            }
    }

    /// Hashes the key ID and the first key bytes: equal keys agree on both, and they are
    /// cheap to hash for every entry replayed.
    public func hash(into h: inout Hasher) {
        h.combine(keyID)
        h.combine(publicKey.rawRepresentation.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
    }

    /// The key as a witness cosigner (§8 of specs/ledger-format.md): a type-0x01 vkey stands
    /// for the type-0x04 tlog-cosignature key with the same name and public key (its key ID
    /// recomputed for type 0x04); a type-0x04 key is itself.
    public var asCosigner: NoteVerifierKey {
        type == .cosignatureV1 ? self : try! NoteVerifierKey(name: name, type: .cosignatureV1, publicKey: publicKey)
    }

    /// Whether both keys have the same 32-byte Ed25519 public key (whatever their names and types).
    public func hasSamePublicKey(as other: NoteVerifierKey) -> Bool {
        publicKey.rawRepresentation == other.publicKey.rawRepresentation
    }

    /// The vkey string.
    public var description: String {
        "\(name)+\(NoteName.hex8(keyID))+\(Base64.encode([type.rawValue] + publicKey.rawRepresentation))"
    }
}

/// A private note key in the signer-key text format of Go's `golang.org/x/mod/sumdb/note`:
/// `PRIVATE+KEY+name+hex8+base64(0x01 || 32-byte Ed25519 seed)`.
public struct NoteSignerKey: Sendable {
    public let name: String
    public let signingKey: SigningKey
    /// The Ed25519 (type 0x01) verifier key, made once: every signature line names its key ID
    /// (a SHA-256), and the server signs a receipt for every append.
    public let verifierKey: NoteVerifierKey

    public init(name: String, signingKey: SigningKey) throws(LedgerError) {
        guard NoteName.isValid(name) else { throw .malformed("invalid key name \"\(name)\" (no '+', no spaces)") }
        self.name = name
        self.signingKey = signingKey
        verifierKey = try NoteVerifierKey(name: name, type: .ed25519, publicKey: signingKey.verifyingKey)
    }

    /// Generates a fresh random key.
    public static func generate(name: String) throws(LedgerError) -> NoteSignerKey {
        try NoteSignerKey(name: name, signingKey: .generate())
    }

    /// Parses the private key text (surrounding whitespace is ignored).
    public init(parsing text: String) throws(LedgerError) {
        let t = text.trimmingSpaces
        let parts = t.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY" else {
            throw .malformed("not a PRIVATE+KEY+name+hex8+base64 signer key")
        }
        guard let raw = Base64.decode(String(parts[4])), raw.count == 33, raw[0] == NoteKeyType.ed25519.rawValue,
            let key = SigningKey(seed: Array(raw[1...]))
        else { throw .malformed("signer key data must be base64 of 0x01 followed by a 32-byte Ed25519 seed") }
        try self.init(name: String(parts[2]), signingKey: key)
        guard parts[3].utf8.count == 8, NoteName.hex8(verifierKey.keyID) == parts[3] else {
            throw .malformed("signer key ID \(parts[3]) does not match its name and key")
        }
    }

    /// The witness cosignature (type 0x04) verifier key for the same key pair.
    public var cosignerKey: NoteVerifierKey {
        try! NoteVerifierKey(name: name, type: .cosignatureV1, publicKey: signingKey.verifyingKey)
    }

    /// The private key text. Write it only to a mode-0600 file; never print or log it.
    public var privateKeyText: String {
        "PRIVATE+KEY+\(name)+\(NoteName.hex8(verifierKey.keyID))+"
            + "\(Base64.encode([NoteKeyType.ed25519.rawValue] + signingKey.seed))"
    }
}

extension String {
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}

/// Verifier keys already parsed during one pass over a ledger, by their vkey text: a ledger
/// has few signers and many entries.
package struct SignerCache: Sendable {
    struct Slot: Sendable {
        let text: [UInt8]
        let key: NoteVerifierKey
    }
    private var slots: [UInt64: [Slot]] = [:]

    package init() {}

    /// The key whose vkey text is `raw`, or nil when it is not a valid vkey.
    package mutating func key(_ raw: UnsafeRawBufferPointer) -> NoteVerifierKey? {
        let h = SignerCache.fingerprint(raw)
        if let bucket = slots[h] {
            for s in bucket where s.text.count == raw.count {
                if s.text.withUnsafeBytes({ memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 }) {
                    return s.key
                }
            }
        }
        guard let k = try? NoteVerifierKey.cached(String(decoding: raw.bindMemory(to: UInt8.self), as: UTF8.self))
        else {
            return nil
        }
        if slots.count > 100_000 { slots.removeAll() }
        slots[h, default: []].append(Slot(text: Array(raw), key: k))
        return k
    }

    /// The length and the first and last eight bytes (a vkey ends in base64 key material).
    static func fingerprint(_ raw: UnsafeRawBufferPointer) -> UInt64 {
        let n = raw.count
        guard n >= 8 else {
            var w = UInt64(n)
            for b in raw { w = w << 8 | UInt64(b) }
            return w
        }
        let first = raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
        let last = raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        return last ^ (first &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(n)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
