import LedgerCrypto

/// One leaf of the log: `{"index","prev","sig","statement","time"}` in RFC 8785 canonical form.
///
/// The leaf bytes are exactly ``canonicalBytes``, and the leaf hash is `SHA-256(0x00 || leaf)`.
public struct Entry: Sendable, Hashable {
    /// The largest leaf, in bytes, so that a C2SP tlog-tiles entry bundle can carry it.
    public static let maxBytes = 65_535
    static let fields: Set<String> = ["index", "prev", "sig", "statement", "time"]

    public let index: UInt64
    /// The leaf hash of entry `index − 1`, or 32 zero bytes for entry 0.
    public let prev: Digest
    /// The log's integration time.
    public let time: Timestamp
    public let signed: SignedStatement

    @inlinable public var statement: Statement { signed.statement }

    public init(index: UInt64, prev: Digest, time: Timestamp, signed: SignedStatement) {
        self.index = index
        self.prev = prev
        self.time = time
        self.signed = signed
    }

    public var json: JSONValue {
        .object([
            "index": .integer(Int64(index)), "prev": .string(prev.base64),
            "sig": .string(Base64.encode(signed.signature)),
            "statement": signed.statement.json, "time": .string(time.rfc3339),
        ])
    }

    /// The leaf bytes.
    public var canonicalBytes: [UInt8] { canonicalBytes(statementBytes: signed.statement.canonicalBytes[...]) }

    /// The leaf bytes, given the statement's canonical bytes: the entry's keys sort as
    /// index, prev, sig, statement, time, so the statement is spliced in unchanged.
    public func canonicalBytes(statementBytes: ArraySlice<UInt8>) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(statementBytes.count + 200)
        out.append(
            contentsOf: ("{\"index\":\(index),\"prev\":\"\(prev.base64)\",\"sig\":\""
                + "\(Base64.encode(signed.signature))\",\"statement\":").utf8)
        out.append(contentsOf: statementBytes)
        out.append(contentsOf: ",\"time\":\"\(time.rfc3339)\"}".utf8)
        return out
    }

    /// The statement's canonical bytes inside canonical leaf bytes (the leaf must already be
    /// known to be canonical): between `,"statement":` and the fixed-length `,"time":"…"}`.
    public static func statementBytes(inCanonicalLeaf leaf: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let marker = Array(",\"statement\":".utf8)
        let suffix = 31  // ,"time":"YYYY-MM-DDTHH:MM:SSZ"}
        guard leaf.count > marker.count + suffix else { return nil }
        var i = leaf.startIndex
        let end = leaf.endIndex - suffix
        while i + marker.count <= end {
            if leaf[i] == marker[0] && leaf[i..<(i + marker.count)].elementsEqual(marker) {
                return leaf[(i + marker.count)..<end]
            }
            i += 1
        }
        return nil
    }

    /// `SHA-256(0x00 || leaf)`.
    public var leafHash: Digest { MerkleHash.leaf(canonicalBytes) }

    /// Parses leaf bytes, which must be canonical and within the size limit.
    public init(leaf raw: UnsafeRawBufferPointer) throws(LedgerError) {
        var signers = SignerCache()
        try self.init(leaf: raw, signers: &signers)
    }

    /// Parses leaf bytes, reusing the signer keys in `signers` (a replay sees few signers
    /// and many entries).
    ///
    /// Well-formed leaves take a fast path that checks the canonical text without building
    /// JSON values; anything it is unsure of goes through the full parser, which gives the
    /// error. Both paths accept the same leaves and give the same entry.
    package init(leaf raw: UnsafeRawBufferPointer, signers: inout SignerCache) throws(LedgerError) {
        guard raw.count <= Entry.maxBytes else {
            throw .tooLarge("entry is \(raw.count) bytes, over \(Entry.maxBytes)")
        }
        if let e = Entry.scan(raw, signers: &signers) {
            self = e
            return
        }
        try self.init(parsing: raw)
    }

    /// The full parser's path, which names what is wrong.
    init(parsing raw: UnsafeRawBufferPointer) throws(LedgerError) {
        guard raw.count <= Entry.maxBytes else {
            throw .tooLarge("entry is \(raw.count) bytes, over \(Entry.maxBytes)")
        }
        let v = try JSONParser.parseCanonical(raw)
        try self.init(json: v)
    }

    /// The fast path: nil unless `raw` is a valid canonical leaf whose field values need no
    /// unescaping.
    static func scan(_ raw: UnsafeRawBufferPointer, signers: inout SignerCache) -> Entry? {
        var members: [CanonicalObject.Member]? = []
        members!.reserveCapacity(8)
        guard let p = scanParts(raw, signers: &signers, members: &members) else { return nil }
        func bytes(_ r: Range<Int>) -> UnsafeBufferPointer<UInt8> {
            UnsafeRawBufferPointer(rebasing: raw[r]).bindMemory(to: UInt8.self)
        }
        guard let sig = Base64.decode(utf8: bytes(p.sig)), let nonce = Base64.decode(utf8: bytes(p.nonce)) else {
            return nil
        }
        let kind = String(decoding: bytes(p.kind), as: UTF8.self)
        let body = CanonicalObject(bytes: Array(raw[p.body]), members: members!)
        let st = Statement(unchecked: kind, canonicalBody: body, signer: p.signer, time: p.statementTime, nonce: nonce)
        return Entry(index: p.index, prev: p.prev, time: p.time, signed: SignedStatement(statement: st, signature: sig))
    }

    /// What the fast path reads from a leaf: the values that need no allocation, and the
    /// ranges of the rest in the leaf.
    struct Parts {
        let index: UInt64
        let prev: Digest
        let time: Timestamp
        let statementTime: Timestamp
        let signer: NoteVerifierKey
        /// The base64 text of the signature and the nonce, known to decode to 64 and 16 bytes.
        let sig: Range<Int>
        let nonce: Range<Int>
        let kind: Range<Int>
        let body: Range<Int>
    }

    /// Checks everything the fast path accepts (canonical form, field values and
    /// ``Statement/problem(kind:bodyBytes:signer:nonceCount:)``) without allocating, except
    /// that the body's members are appended to `members` (offsets relative to the body), which
    /// must not be nil.
    static func scanParts(
        _ raw: UnsafeRawBufferPointer, signers: inout SignerCache, members: inout [CanonicalObject.Member]?
    ) -> Parts? {
        var s = CanonicalScanner(raw)
        guard s.expect("{\"index\":"), let index = s.number(), index >= 0 else { return nil }
        guard s.expect(",\"prev\":"), let prevText = s.string(), !prevText.escaped,
            let prev = Digest(base64UTF8: s.raw(prevText).bindMemory(to: UInt8.self))
        else { return nil }
        guard s.expect(",\"sig\":"), let sigText = s.string(), !sigText.escaped,
            Entry.isBase64(s.raw(sigText), ofCount: 64)
        else { return nil }
        guard s.expect(",\"statement\":{\"body\":") else { return nil }
        let bodyStart = s.pos
        guard s.object(depth: 3, members: &members, base: bodyStart) else { return nil }
        let bodyEnd = s.pos
        guard s.expect(",\"kind\":"), let kindText = s.string(), !kindText.escaped else { return nil }
        guard s.expect(",\"nonce\":"), let nonceText = s.string(), !nonceText.escaped,
            Entry.isBase64(s.raw(nonceText), ofCount: 16)
        else { return nil }
        guard s.expect(",\"signer\":"), let signerText = s.string(), !signerText.escaped,
            let signer = signers.key(s.raw(signerText))
        else { return nil }
        guard s.expect(",\"time\":"), let stTimeText = s.string(), let stTime = Timestamp(rfc3339: s.raw(stTimeText))
        else {
            return nil
        }
        guard s.expect("},\"time\":"), let timeText = s.string(), let time = Timestamp(rfc3339: s.raw(timeText)),
            s.expect("}"), s.pos == s.n
        else { return nil }
        guard
            Statement.problem(kind: s.raw(kindText), bodyBytes: bodyEnd - bodyStart, signer: signer, nonceCount: 16)
                == nil
        else { return nil }
        return Parts(
            index: UInt64(index), prev: prev, time: time, statementTime: stTime, signer: signer,
            sig: sigText.start..<sigText.end, nonce: nonceText.start..<nonceText.end,
            kind: kindText.start..<kindText.end,
            body: bodyStart..<bodyEnd)
    }

    /// Whether `text` is standard padded base64 of exactly `count` (at most 64) bytes.
    static func isBase64(_ text: UnsafeRawBufferPointer, ofCount count: Int) -> Bool {
        let utf8 = text.bindMemory(to: UInt8.self)
        guard count <= 64, Base64.decodedCount(utf8: utf8) == count else { return false }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) {
            Base64.decode(utf8: utf8, into: $0.baseAddress)
        }
    }

    public init(leaf: [UInt8]) throws(LedgerError) {
        self = try leaf.withUnsafeBytes { raw in Result { () throws(LedgerError) in try Entry(leaf: raw) } }.get()
    }

    /// Reads an entry from its JSON object; every field is required and no others are allowed.
    public init(json: JSONValue) throws(LedgerError) {
        guard case .object(let o) = json else { throw .malformed("entry must be a JSON object") }
        if o.count != 5, let extra = o.keys.first(where: { !Entry.fields.contains($0) }) {
            throw .malformed("entry has unknown field \"\(extra)\"")
        }
        guard let index = o["index"]?.integerValue, index >= 0 else {
            throw .malformed("entry.index must be a non-negative integer")
        }
        guard let prevText = o["prev"]?.stringValue, let prev = Digest(base64: prevText) else {
            throw .malformed("entry.prev must be base64 of 32 bytes")
        }
        guard let timeText = o["time"]?.stringValue, let time = Timestamp(rfc3339: timeText) else {
            throw .malformed("entry.time must be RFC 3339 UTC (YYYY-MM-DDTHH:MM:SSZ)")
        }
        guard let sigText = o["sig"]?.stringValue, let sig = Base64.decode(sigText), sig.count == 64 else {
            throw .malformed("entry.sig must be base64 of 64 bytes")
        }
        guard let st = o["statement"] else { throw .malformed("entry.statement is missing") }
        self.init(
            index: UInt64(index), prev: prev, time: time,
            signed: SignedStatement(statement: try Statement(json: st), signature: sig))
    }
}
