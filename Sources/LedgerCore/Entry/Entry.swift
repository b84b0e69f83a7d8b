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

    public var statement: Statement { signed.statement }

    public init(index: UInt64, prev: Digest, time: Timestamp, signed: SignedStatement) {
        self.index = index
        self.prev = prev
        self.time = time
        self.signed = signed
    }

    public var json: JSONValue {
        .object([
            "index": .integer(Int64(index)), "prev": .string(prev.base64), "sig": .string(Base64.encode(signed.signature)),
            "statement": signed.statement.json, "time": .string(time.rfc3339),
        ])
    }

    /// The leaf bytes.
    public var canonicalBytes: [UInt8] { json.canonicalBytes }

    /// The leaf bytes, given the statement's canonical bytes: the entry's keys sort as
    /// index, prev, sig, statement, time, so the statement is spliced in unchanged.
    public func canonicalBytes(statementBytes: ArraySlice<UInt8>) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(statementBytes.count + 200)
        out.append(contentsOf: "{\"index\":\(index),\"prev\":\"\(prev.base64)\",\"sig\":\"\(Base64.encode(signed.signature))\",\"statement\":".utf8)
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
        guard raw.count <= Entry.maxBytes else { throw .tooLarge("entry is \(raw.count) bytes, over \(Entry.maxBytes)") }
        let v = try JSONParser.parseCanonical(raw)
        try self.init(json: v, textBytes: raw.count)
    }

    public init(leaf: [UInt8]) throws(LedgerError) {
        self = try leaf.withUnsafeBytes { raw in Result { () throws(LedgerError) in try Entry(leaf: raw) } }.get()
    }

    /// Reads an entry from its JSON object; every field is required and no others are allowed.
    public init(json: JSONValue) throws(LedgerError) {
        try self.init(json: json, textBytes: Int.max)
    }

    init(json: JSONValue, textBytes: Int) throws(LedgerError) {
        guard case .object(let o) = json else { throw .malformed("entry must be a JSON object") }
        if o.count != 5, let extra = o.keys.first(where: { !Entry.fields.contains($0) }) {
            throw .malformed("entry has unknown field \"\(extra)\"")
        }
        guard let index = o["index"]?.integerValue, index >= 0 else { throw .malformed("entry.index must be a non-negative integer") }
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
        self.init(index: UInt64(index), prev: prev, time: time, signed: SignedStatement(statement: try Statement(json: st, textBytes: textBytes), signature: sig))
    }
}
