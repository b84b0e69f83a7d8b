import LedgerCrypto

/// A type that holds the state derived from the entries replayed so far and decides whether
/// the next entry is allowed.
///
/// The log calls ``apply(_:leafHash:)`` for every entry, on append and again on verify, after
/// it has checked the entry's encoding, chain link, time and signature. An implementation must
/// be deterministic: the same entries always give the same state.
public protocol LedgerRules: Sendable {
    init()
    /// The signer set.
    var authority: Authority { get }
    /// Checks `entry` against the state and, if it is allowed, applies it. On a throw the
    /// state must be unchanged.
    mutating func apply(_ entry: Entry, leafHash: Digest) throws(LedgerError)
    /// The error that ``apply(_:leafHash:)`` gives every entry `index` signed by `signer`,
    /// whatever its kind, when `authority` (the signer set after entries `0..<index`) does not
    /// let that key sign it; nil when it may, or when the kind could matter. A server uses it
    /// to refuse statements by unknown keys before it queues them.
    ///
    /// The default refuses unregistered and revoked keys as ``CoreRules/checkSigner(_:)``
    /// does (and nothing for entry 0, the genesis); a rules type whose entries may be signed
    /// by keys outside its ``authority`` returns nil.
    static func signerRefusal(_ signer: NoteVerifierKey, at index: UInt64, in authority: Authority) -> LedgerError?
}

extension LedgerRules {
    public static func signerRefusal(_ signer: NoteVerifierKey, at index: UInt64, in authority: Authority)
        -> LedgerError?
    {
        guard index > 0 else { return nil }
        do throws(LedgerError) {
            try authority.checkActive(signer, at: index)
            return nil
        } catch {
            return error
        }
    }
}

/// The ledger core's own rules: genesis, signer registration and revocation, and notes.
///
/// | kind | body | who may sign |
/// |---|---|---|
/// | `genesis` | `{"origin": s, "operator": vkey}` | the operator key (entry 0 only) |
/// | `key.register` | `{"vkey": vkey, "role"?: s}` | the operator |
/// | `key.revoke` | `{"vkey": vkey}` | the operator |
/// | `note` | `{"text": s}` | any registered signer |
public struct CoreRules: LedgerRules {
    public private(set) var authority = Authority()

    public init() {}

    /// The kinds these rules handle.
    public static let kinds: Set<String> = ["genesis", "key.register", "key.revoke", "note"]

    public mutating func apply(_ entry: Entry, leafHash: Digest) throws(LedgerError) {
        try checkSigner(entry)
        guard try applyCoreKind(entry) else { throw .unknownKind("unknown kind \"\(entry.statement.kind)\"") }
    }

    /// Checks the genesis rule for entry 0 and the signer's rights for every other entry.
    public func checkSigner(_ entry: Entry) throws(LedgerError) {
        let st = entry.statement
        if entry.index == 0 {
            guard st.kind == "genesis" else { throw .refused("entry 0 must be the genesis entry") }
        } else {
            guard st.kind != "genesis" else { throw .refused("only entry 0 may be a genesis entry") }
            try authority.checkActive(st.signer, at: entry.index)
        }
    }

    /// Applies a core kind; returns false when the kind is not one of ``kinds``.
    public mutating func applyCoreKind(_ entry: Entry) throws(LedgerError) -> Bool {
        let st = entry.statement
        let body = BodyReader(st)
        switch st.kind {
        case "genesis":
            let origin = try body.string("origin")
            let op = try NoteVerifierKey(parsing: try body.string("operator"))
            try body.only(["origin", "operator"])
            guard op == st.signer else { throw .unauthorized("genesis must be signed by the operator key it names") }
            // Compared as bytes: `String` equality is canonical equivalence.
            guard op.name.utf8.elementsEqual(origin.utf8) else {
                throw .invalidBody("operator key name \"\(op.name)\" must equal the origin \"\(origin)\"")
            }
            guard op.type == .ed25519 else { throw .invalidBody("operator key must be Ed25519 (type 0x01)") }
            guard origin.utf8.count <= Authority.maxKeyNameBytes else {
                throw .invalidBody(
                    "origin is \(origin.utf8.count) bytes, over the \(Authority.maxKeyNameBytes)-byte key name limit")
            }
            authority.setGenesis(origin: origin, operatorKey: op)
        case "key.register":
            try requireOperator(st)
            let key = try body.verifierKey("vkey")
            let role = try body.optionalString("role") ?? "signer"
            try body.only(["vkey", "role"])
            try authority.register(key, role: role, at: entry.index, by: st.signer)
        case "key.revoke":
            try requireOperator(st)
            let key = try body.verifierKey("vkey")
            try body.only(["vkey"])
            try authority.revoke(key, at: entry.index)
        case "note":
            let text = try body.string("text")
            try body.only(["text"])
            guard !text.isEmpty else { throw .invalidBody("note.text must not be empty") }
        default:
            return false
        }
        return true
    }

    func requireOperator(_ st: Statement) throws(LedgerError) {
        guard st.signer == authority.operatorKey else {
            throw .unauthorized("\(st.kind) must be signed by the operator key")
        }
    }

    /// Gives higher layers write access to the signer set (for example a secretariat
    /// registering delegation keys).
    public mutating func withAuthority<R>(_ body: (inout Authority) throws(LedgerError) -> R) throws(LedgerError) -> R {
        try body(&authority)
    }
}

/// A set of field names, for ``BodyReader/only(_:)-(FieldSet)``: kept as a `Set` and as
/// sorted bytes, so that a canonical body's sorted keys are checked in one merge.
package struct FieldSet: Sendable {
    package let names: Set<String>
    let sorted: [[UInt8]]

    package init(_ names: Set<String>) {
        self.names = names
        sorted = names.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
    }
}

/// Typed access to a statement body (or any JSON object), with one-line errors that name the
/// kind and field.
///
/// A body read from the ledger is a ``CanonicalObject``: fields are found by comparing bytes
/// and only the values asked for become Swift values.
public struct BodyReader: Sendable {
    enum Storage: Sendable {
        case dictionary(JSONObject)
        case canonical(CanonicalObject)
    }

    let storage: Storage
    public let kind: String

    public init(_ body: JSONValue, kind: String) throws(LedgerError) {
        guard case .object(let o) = body else { throw .invalidBody("\(kind): body must be an object") }
        storage = .dictionary(o)
        self.kind = kind
    }

    public init(_ body: CanonicalObject, kind: String) {
        storage = .canonical(body)
        self.kind = kind
    }

    /// Reads a statement's body under the statement's kind.
    public init(_ statement: Statement) {
        self.init(statement.canonicalBody, kind: statement.kind)
    }

    public func fail(_ field: String, _ why: String) -> LedgerError { .invalidBody("\(kind).\(field): \(why)") }

    /// The value of field `f`, if present.
    public func value(_ f: String) -> JSONValue? {
        switch storage {
        case .dictionary(let o): return o[f]
        case .canonical(let c): return c[f]
        }
    }

    /// Whether field `f` is present.
    public func has(_ f: String) -> Bool {
        switch storage {
        case .dictionary(let o): return o[f] != nil
        case .canonical(let c): return c.find(f) != nil
        }
    }

    /// The field names present.
    public var keys: [String] {
        switch storage {
        case .dictionary(let o): return Array(o.keys)
        case .canonical(let c): return c.keys
        }
    }

    public func string(_ f: String) throws(LedgerError) -> String {
        guard let s = try optionalString(f) else { throw fail(f, "is required") }
        return s
    }

    public func optionalString(_ f: String) throws(LedgerError) -> String? {
        switch storage {
        case .dictionary(let o):
            guard let v = o[f] else { return nil }
            guard let s = v.stringValue else { throw fail(f, "must be a string") }
            return s
        case .canonical(let c):
            guard let i = c.find(f) else { return nil }
            guard let s = c.stringValue(at: i) else { throw fail(f, "must be a string") }
            return s
        }
    }

    public func integer(_ f: String) throws(LedgerError) -> Int64 {
        guard let i = try optionalInteger(f) else { throw fail(f, "is required") }
        return i
    }

    public func optionalInteger(_ f: String) throws(LedgerError) -> Int64? {
        switch storage {
        case .dictionary(let o):
            guard let v = o[f] else { return nil }
            guard let i = v.integerValue else { throw fail(f, "must be an integer") }
            return i
        case .canonical(let c):
            guard let k = c.find(f) else { return nil }
            guard let i = c.integerValue(at: k) else { throw fail(f, "must be an integer") }
            return i
        }
    }

    public func array(_ f: String) throws(LedgerError) -> [JSONValue] {
        guard let v = value(f) else { throw fail(f, "is required") }
        guard let a = v.arrayValue else { throw fail(f, "must be an array") }
        return a
    }

    public func optionalArray(_ f: String) throws(LedgerError) -> [JSONValue]? {
        guard let v = value(f) else { return nil }
        guard let a = v.arrayValue else { throw fail(f, "must be an array") }
        return a
    }

    public func stringArray(_ f: String, optional: Bool = false) throws(LedgerError) -> [String] {
        guard let a = optional ? try optionalArray(f) : try array(f) else { return [] }
        var out = [String]()
        for v in a {
            guard let s = v.stringValue else { throw fail(f, "must be an array of strings") }
            out.append(s)
        }
        return out
    }

    public func verifierKey(_ f: String) throws(LedgerError) -> NoteVerifierKey {
        let s = try string(f)
        do { return try NoteVerifierKey(parsing: s) } catch { throw fail(f, error.message) }
    }

    public func timestamp(_ f: String) throws(LedgerError) -> Timestamp {
        let s = try string(f)
        guard let t = Timestamp(rfc3339: s) else { throw fail(f, "must be RFC 3339 UTC (YYYY-MM-DDTHH:MM:SSZ)") }
        return t
    }

    public func digest(_ f: String) throws(LedgerError) -> Digest {
        let s = try string(f)
        guard let d = Digest(base64: s) else { throw fail(f, "must be base64 of 32 bytes") }
        return d
    }

    /// Calls `read` with a view of the members of a canonical body, in canonical key order,
    /// for hot paths that walk a known layout once; nil when the body is held as a dictionary.
    /// The view is valid only during the call.
    package func withMembers<R>(_ read: (MemberView) -> R) -> R? {
        guard case .canonical(let c) = storage else { return nil }
        return c.bytes.withUnsafeBytes { bytes in
            c.members.withUnsafeBufferPointer { members in read(MemberView(bytes: bytes, members: members)) }
        }
    }

    /// The digest that string field `f` holds as base64 of 32 bytes, or nil when it holds
    /// some other string. Throws as ``string(_:)`` when `f` is missing or not a string.
    public func base64Digest(_ f: String) throws(LedgerError) -> Digest? {
        if case .canonical(let c) = storage, let i = c.find(f),
            let d = c.plainStringBytes(at: i, Digest.init(base64UTF8:))
        {
            return d
        }
        return Digest(base64: try string(f))
    }

    /// Refuses fields outside `allowed`.
    public func only(_ allowed: Set<String>) throws(LedgerError) {
        try only(FieldSet(allowed))
    }

    /// Refuses fields outside `allowed`.
    package func only(_ allowed: FieldSet) throws(LedgerError) {
        if case .canonical(let c) = storage, BodyReader.keysWithin(c, allowed) { return }
        // Sort (for a deterministic message) only when there is something to report.
        let keys = self.keys
        guard keys.contains(where: { !allowed.names.contains($0) }) else { return }
        if let extra = keys.sorted().first(where: { !allowed.names.contains($0) }) {
            throw .invalidBody("\(kind): unknown field \"\(extra)\"")
        }
    }

    /// Whether every key of `c` is in `allowed`, by merging the two sorted byte lists. False
    /// means "not shown", and the caller checks again by name.
    static func keysWithin(_ c: CanonicalObject, _ allowed: FieldSet) -> Bool {
        c.bytes.withUnsafeBytes { b in
            var j = 0
            let names = allowed.sorted
            for m in c.members {
                guard !m.keyEscaped else { return false }
                let key = UnsafeRawBufferPointer(rebasing: b[Int(m.keyStart)..<Int(m.keyEnd)])
                while true {
                    guard j < names.count else { return false }
                    let equal =
                        names[j].count == key.count
                        && names[j].withUnsafeBytes {
                            key.count == 0 || memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0
                        }
                    if equal {
                        j += 1
                        break
                    }
                    // Skip allowed names that sort before the key; a key that sorts before the
                    // next allowed name is not allowed.
                    guard names[j].lexicographicallyPrecedes(key) else { return false }
                    j += 1
                }
            }
            return true
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The members of a canonical body, as ``BodyReader/withMembers(_:)`` shows them.
package struct MemberView {
    let bytes: UnsafeRawBufferPointer
    let members: UnsafeBufferPointer<CanonicalObject.Member>

    /// The number of members.
    package var count: Int { members.count }

    /// Whether member `i` exists and its key is `key` (a key with an escape never is).
    package func key(_ i: Int, is key: StaticString) -> Bool {
        guard i < members.count else { return false }
        let m = members[i]
        let n = Int(m.keyEnd - m.keyStart)
        return !m.keyEscaped && n == key.utf8CodeUnitCount
            && (n == 0 || memcmp(bytes.baseAddress! + Int(m.keyStart), key.utf8Start, n) == 0)
    }

    /// The UTF-8 text of member `i`'s value when it is a string without escapes; nil
    /// otherwise.
    package func plainString(_ i: Int) -> UnsafeBufferPointer<UInt8>? {
        let m = members[i]
        guard m.plainString else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[Int(m.valueStart + 1)..<Int(m.valueEnd - 1)])
            .bindMemory(to: UInt8.self)
    }

    /// Member `i`'s value when it is an integer; nil otherwise.
    package func integer(_ i: Int) -> Int64? { CanonicalObject.integer(members[i], in: bytes) }
}
