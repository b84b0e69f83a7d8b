import LedgerCrypto

/// Who may write: the origin, the operator key and every registered signer, as of the entries
/// replayed so far.
public struct Authority: Sendable {
    /// One signer key's record.
    public struct KeyRecord: Sendable, Hashable {
        public let key: NoteVerifierKey
        /// A free-form role, for example `operator`, `secretariat` or `delegation`.
        public let role: String
        /// Extra attributes given at registration (for a delegation: forum and party).
        public let attributes: [String: String]
        public let registeredAt: UInt64
        public let registeredBy: NoteVerifierKey?
        public internal(set) var revokedAt: UInt64?

        /// Whether the key may sign entry `index`: registered before it, and not revoked before it.
        public func isActive(at index: UInt64) -> Bool {
            registeredAt < index && (revokedAt.map { index < $0 } ?? true)
        }
    }

    public private(set) var origin: String?
    public private(set) var operatorKey: NoteVerifierKey?
    public private(set) var keys: [NoteVerifierKey: KeyRecord] = [:]
    /// How many keys have been revoked: lets a layer that mirrors key records (for example
    /// the consensus engine's delegation index) see cheaply that it must look again.
    public private(set) var revocations = 0
    /// When each key may sign: entries after `registeredAt` and before `revokedAt` (or
    /// UInt64.max). Kept apart from ``keys`` so that the check made for every entry copies
    /// no strings; every change to ``keys`` updates it.
    private var spans: [NoteVerifierKey: (UInt64, UInt64)] = [:]
    /// Every Ed25519 public key ever registered (the operator's included), by its 32 bytes,
    /// with the key it was registered as. A public key is registered under one name only, and
    /// once revoked never again: the name is part of the vkey, not of the key pair, so a
    /// revoked key pair under a new name would otherwise sign again.
    private var publicKeys: [[UInt8]: NoteVerifierKey] = [:]

    /// The longest key name, in UTF-8 bytes (specs/ledger-format.md §3). C2SP signed-note sets
    /// no limit; this ledger does, so that every name fits in one line of a message and in a
    /// checkpoint's origin line.
    public static let maxKeyNameBytes = 255

    public init() {}

    /// The record of `key`, if it was ever registered.
    public func record(for key: NoteVerifierKey) -> KeyRecord? { keys[key] }

    /// Throws unless `key` may sign entry `index`.
    public func checkActive(_ key: NoteVerifierKey, at index: UInt64) throws(LedgerError) {
        if let (from, until) = spans[key], from < index && index < until { return }
        guard let r = keys[key] else {
            throw .unauthorized("signer \(key.name)+\(NoteName.hex8(key.keyID)) is not registered")
        }
        guard r.isActive(at: index) else {
            throw .unauthorized("signer \(key.name)+\(NoteName.hex8(key.keyID)) was revoked at entry \(r.revokedAt!)")
        }
    }

    mutating func setGenesis(origin: String, operatorKey: NoteVerifierKey) {
        self.origin = origin
        self.operatorKey = operatorKey
        keys[operatorKey] = KeyRecord(
            key: operatorKey, role: "operator", attributes: [:], registeredAt: 0, registeredBy: nil, revokedAt: nil)
        spans[operatorKey] = (0, UInt64.max)
        publicKeys[operatorKey.publicKey.rawRepresentation] = operatorKey
    }

    /// Registers `key` at entry `index`. A key can be registered once; a revoked key stays revoked.
    public mutating func register(
        _ key: NoteVerifierKey, role: String, attributes: [String: String] = [:], at index: UInt64,
        by signer: NoteVerifierKey
    ) throws(LedgerError) {
        guard key.type == .ed25519 else { throw .invalidBody("only Ed25519 (type 0x01) keys can be registered") }
        guard key.name.utf8.count <= Authority.maxKeyNameBytes else {
            throw .invalidBody(
                "key name is \(key.name.utf8.count) bytes, over the \(Authority.maxKeyNameBytes)-byte limit")
        }
        if let r = keys[key] {
            throw .refused(
                r.revokedAt == nil
                    ? "key \(key.name) is already registered (entry \(r.registeredAt))"
                    : "key \(key.name) was revoked at entry \(r.revokedAt!) and cannot be registered again")
        }
        if let other = publicKeys[key.publicKey.rawRepresentation], let r = keys[other] {
            let previous = "as \(other.name)+\(NoteName.hex8(other.keyID))"
            throw .refused(
                r.revokedAt == nil
                    ? "the public key of \(key.name) is already registered \(previous) (entry \(r.registeredAt))"
                    : "the public key of \(key.name) was revoked \(previous) at entry \(r.revokedAt!) "
                        + "and cannot be registered again under any name")
        }
        keys[key] = KeyRecord(
            key: key, role: role, attributes: attributes, registeredAt: index, registeredBy: signer, revokedAt: nil)
        spans[key] = (index, UInt64.max)
        publicKeys[key.publicKey.rawRepresentation] = key
    }

    /// Revokes `key` at entry `index`: it may not sign any later entry.
    public mutating func revoke(_ key: NoteVerifierKey, at index: UInt64) throws(LedgerError) {
        guard var r = keys[key] else { throw .refused("key \(key.name) is not registered") }
        guard r.revokedAt == nil else { throw .refused("key \(key.name) is already revoked (entry \(r.revokedAt!))") }
        guard key != operatorKey else { throw .refused("the operator key cannot be revoked") }
        r.revokedAt = index
        keys[key] = r
        revocations += 1
        spans[key] = (r.registeredAt, index)
    }
}
