import LedgerCrypto

/// What an author signs: a kind, a body, the signer's key, the author's claimed time and a
/// random nonce. It is signed with Ed25519 over ``signingMessage``: the domain separator
/// `minilateral-ledger/statement/v1\n` followed by the statement's RFC 8785 encoding.
public struct Statement: Sendable, Hashable {
    /// The domain-separation prefix of the signed message.
    public static let domain = Array("minilateral-ledger/statement/v1\n".utf8)
    /// Largest canonical body, in bytes.
    public static let maxBodyBytes = 60_000
    /// Longest kind, in bytes.
    public static let maxKindBytes = 64
    static let fields: Set<String> = ["body", "kind", "nonce", "signer", "time"]

    public let kind: String
    /// The body, a JSON object, in canonical form.
    public let canonicalBody: CanonicalObject
    /// The signer's verifier key (type 0x01).
    public let signer: NoteVerifierKey
    /// The author's claimed time.
    public let time: Timestamp
    /// 16 random bytes.
    public let nonce: [UInt8]

    /// The body as a JSON value.
    public var body: JSONValue { canonicalBody.json }

    /// Builds a statement, validating every field.
    public init(kind: String, body: JSONValue, signer: NoteVerifierKey, time: Timestamp, nonce: [UInt8])
        throws(LedgerError)
    {
        guard Statement.isValidKind(kind) else {
            throw .malformed(
                "kind \"\(kind)\" must be 1–64 characters of a–z, 0–9, '.' and '-', starting with a letter")
        }
        guard case .object(let o) = body else { throw .malformed("body must be a JSON object") }
        try self.init(kind: kind, canonicalBody: CanonicalObject(o), signer: signer, time: time, nonce: nonce)
    }

    /// Builds a statement from a body already in canonical form, validating every field.
    public init(kind: String, canonicalBody: CanonicalObject, signer: NoteVerifierKey, time: Timestamp, nonce: [UInt8])
        throws(LedgerError)
    {
        if let why = Statement.problem(kind: kind, bodyBytes: canonicalBody.bytes.count, signer: signer, nonce: nonce) {
            throw why
        }
        self.init(unchecked: kind, canonicalBody: canonicalBody, signer: signer, time: time, nonce: nonce)
    }

    init(
        unchecked kind: String, canonicalBody: CanonicalObject, signer: NoteVerifierKey, time: Timestamp, nonce: [UInt8]
    ) {
        self.kind = kind
        self.canonicalBody = canonicalBody
        self.signer = signer
        self.time = time
        self.nonce = nonce
    }

    /// Why these fields do not make a valid statement, or nil when they do.
    static func problem(kind: String, bodyBytes: Int, signer: NoteVerifierKey, nonce: [UInt8]) -> LedgerError? {
        var kind = kind
        return kind.withUTF8 {
            problem(kind: UnsafeRawBufferPointer($0), bodyBytes: bodyBytes, signer: signer, nonceCount: nonce.count)
        }
    }

    /// As ``problem(kind:bodyBytes:signer:nonce:)``, given the kind's UTF-8 bytes and the
    /// nonce's length.
    static func problem(kind: UnsafeRawBufferPointer, bodyBytes: Int, signer: NoteVerifierKey, nonceCount: Int)
        -> LedgerError?
    {
        guard Statement.isValidKind(kind) else {
            let text = String(decoding: kind.bindMemory(to: UInt8.self), as: UTF8.self)
            return .malformed(
                "kind \"\(text)\" must be 1–64 characters of a–z, 0–9, '.' and '-', starting with a letter")
        }
        guard bodyBytes <= Statement.maxBodyBytes else {
            return .tooLarge("body is \(bodyBytes) bytes, over the \(Statement.maxBodyBytes)-byte limit")
        }
        guard signer.type == .ed25519 else { return .malformed("signer must be an Ed25519 (type 0x01) key") }
        guard nonceCount == 16 else { return .malformed("nonce must be 16 bytes") }
        return nil
    }

    static func isValidKind(_ k: String) -> Bool {
        var k = k
        return k.withUTF8 { isValidKind(UnsafeRawBufferPointer($0)) }
    }

    static func isValidKind(_ b: UnsafeRawBufferPointer) -> Bool {
        guard !b.isEmpty, b.count <= maxKindBytes, (0x61...0x7a).contains(b[0]) else { return false }
        return b.allSatisfy { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2e || $0 == 0x2d }
    }

    /// Reads a statement from its JSON object; every field is required and no others are allowed.
    public init(json: JSONValue) throws(LedgerError) {
        guard case .object(let o) = json else { throw .malformed("statement must be a JSON object") }
        if o.count != 5, let extra = o.keys.first(where: { !Statement.fields.contains($0) }) {
            throw .malformed("statement has unknown field \"\(extra)\"")
        }
        guard let kind = o["kind"]?.stringValue else { throw .malformed("statement.kind must be a string") }
        guard let body = o["body"] else { throw .malformed("statement.body is missing") }
        guard let signerText = o["signer"]?.stringValue else { throw .malformed("statement.signer must be a string") }
        let signer = try NoteVerifierKey.cached(signerText)
        guard let timeText = o["time"]?.stringValue, let time = Timestamp(rfc3339: timeText) else {
            throw .malformed("statement.time must be RFC 3339 UTC (YYYY-MM-DDTHH:MM:SSZ)")
        }
        guard let nonceText = o["nonce"]?.stringValue, let nonce = Base64.decode(nonceText) else {
            throw .malformed("statement.nonce must be base64")
        }
        try self.init(kind: kind, body: body, signer: signer, time: time, nonce: nonce)
    }

    /// The statement as a JSON object.
    public var json: JSONValue {
        .object([
            "body": body, "kind": .string(kind), "nonce": .string(Base64.encode(nonce)),
            "signer": .string(signer.description), "time": .string(time.rfc3339),
        ])
    }

    /// The statement's RFC 8785 encoding (keys body, kind, nonce, signer, time).
    public var canonicalBytes: [UInt8] {
        var out = [UInt8]()
        write(into: &out)
        return out
    }

    func write(into out: inout [UInt8]) {
        out.reserveCapacity(out.count + canonicalBody.bytes.count + 200)
        out.append(contentsOf: "{\"body\":".utf8)
        out.append(contentsOf: canonicalBody.bytes)
        out.append(contentsOf: ",\"kind\":".utf8)
        CanonicalJSON.writeString(kind, into: &out)
        out.append(contentsOf: ",\"nonce\":\"\(Base64.encode(nonce))\",\"signer\":".utf8)
        CanonicalJSON.writeString(signer.description, into: &out)
        out.append(contentsOf: ",\"time\":\"\(time.rfc3339)\"}".utf8)
    }

    /// The bytes that are signed and hashed: the domain prefix and the canonical statement.
    public var signingMessage: [UInt8] {
        var out = Statement.domain
        write(into: &out)
        return out
    }

    /// SHA-256 of ``signingMessage``; two statements are the same statement (a replay) when
    /// their hashes are equal.
    public var hash: Digest { SHA256.hash(signingMessage) }

    /// Signs the statement.
    public func signed(by key: NoteSignerKey) throws(LedgerError) -> SignedStatement {
        guard key.verifierKey == signer else { throw .unauthorized("the signing key is not the statement's signer") }
        return SignedStatement(statement: self, signature: key.signingKey.signature(for: signingMessage))
    }

    /// Creates and signs a statement with a fresh random nonce.
    public static func make(kind: String, body: JSONValue, key: NoteSignerKey, time: Timestamp) throws(LedgerError)
        -> SignedStatement
    {
        try Statement(kind: kind, body: body, signer: key.verifierKey, time: time, nonce: SecureRandom.bytes(16))
            .signed(by: key)
    }
}

/// A statement with its author's Ed25519 signature. Its wire form, used for offline
/// signing, is `{"sig":"<base64>","statement":{…}}` in canonical JSON.
public struct SignedStatement: Sendable, Hashable {
    public let statement: Statement
    /// The 64-byte Ed25519 signature over ``Statement/signingMessage``.
    public let signature: [UInt8]

    public init(statement: Statement, signature: [UInt8]) {
        self.statement = statement
        self.signature = signature
    }

    /// Reads the wire form; extra fields are refused.
    public init(json: JSONValue) throws(LedgerError) {
        guard case .object(let o) = json else { throw .malformed("signed statement must be a JSON object") }
        if let extra = o.keys.first(where: { $0 != "sig" && $0 != "statement" }) {
            throw .malformed("signed statement has unknown field \"\(extra)\"")
        }
        guard let sigText = o["sig"]?.stringValue, let sig = Base64.decode(sigText), sig.count == 64 else {
            throw .malformed("sig must be base64 of a 64-byte Ed25519 signature")
        }
        guard let st = o["statement"] else { throw .malformed("statement is missing") }
        self.init(statement: try Statement(json: st), signature: sig)
    }

    public var json: JSONValue {
        .object(["sig": .string(Base64.encode(signature)), "statement": statement.json])
    }

    /// Whether the signature is valid for the statement's signer key.
    public var hasValidSignature: Bool {
        statement.signer.publicKey.isValidSignature(signature, for: statement.signingMessage)
    }
}
