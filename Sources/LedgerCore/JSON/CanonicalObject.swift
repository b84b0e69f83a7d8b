/// A JSON object held as its RFC 8785 canonical bytes, with the byte range of each member's
/// key and value.
///
/// Statement bodies are kept in this form: the ledger hashes and signs the canonical bytes
/// anyway, and reading a field is a short scan over at most a few dozen sorted keys instead
/// of building a dictionary of strings for every entry replayed.
public struct CanonicalObject: Sendable, Hashable {
    /// One member: its key's bytes between the quotes, and its value's bytes.
    struct Member: Sendable {
        var keyStart: Int32
        var keyEnd: Int32
        var valueStart: Int32
        var valueEnd: Int32
        /// The key contains a backslash escape, so its bytes are not its UTF-8 text.
        var keyEscaped: Bool
        /// The value is a string without escapes: its text is the bytes between the quotes.
        var plainString: Bool
    }

    /// The canonical encoding of the object.
    public let bytes: [UInt8]
    let members: [Member]

    public static func == (a: CanonicalObject, b: CanonicalObject) -> Bool { a.bytes == b.bytes }
    public func hash(into h: inout Hasher) { h.combine(bytes) }

    init(bytes: [UInt8], members: [Member]) {
        self.bytes = bytes
        self.members = members
    }

    /// Encodes `object` canonically, recording where each member lies.
    public init(_ object: [String: JSONValue]) { self.init(JSONObject(object)) }

    /// Encodes `object` canonically, recording where each member lies.
    public init(_ object: JSONObject) {
        var out = [UInt8]()
        out.reserveCapacity(256)
        var members = [Member]()
        members.reserveCapacity(object.count)
        out.append(UInt8(ascii: "{"))
        for (i, key) in CanonicalJSON.sortedKeys(object.keys).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            let k0 = out.count
            CanonicalJSON.writeString(key, into: &out)
            let k1 = out.count
            out.append(UInt8(ascii: ":"))
            let v0 = out.count
            let value = object[key]!
            CanonicalJSON.write(value, into: &out)
            let plain: Bool
            if case .string = value {
                plain = !out[(v0 + 1)..<(out.count - 1)].contains(UInt8(ascii: "\\"))
            } else {
                plain = false
            }
            members.append(
                Member(
                    keyStart: Int32(k0 + 1), keyEnd: Int32(k1 - 1), valueStart: Int32(v0), valueEnd: Int32(out.count),
                    keyEscaped: out[(k0 + 1)..<(k1 - 1)].contains(UInt8(ascii: "\\")), plainString: plain))
        }
        out.append(UInt8(ascii: "}"))
        self.init(bytes: out, members: members)
    }

    /// The number of members.
    public var count: Int { members.count }

    /// The members' keys, in canonical order.
    public var keys: [String] { members.indices.map(key(at:)) }

    func key(at i: Int) -> String {
        let m = members[i]
        if !m.keyEscaped {
            return bytes.withUnsafeBufferPointer {
                String(decoding: UnsafeBufferPointer(rebasing: $0[Int(m.keyStart)..<Int(m.keyEnd)]), as: UTF8.self)
            }
        }
        let quoted = Array(bytes[Int(m.keyStart - 1)..<Int(m.keyEnd + 1)])
        return (try? JSONParser.parse(quoted))?.stringValue ?? ""
    }

    /// The position of the member named `field`, comparing bytes (field names are plain text,
    /// and a key with an escape never equals one).
    func find(_ field: StaticString) -> Int? {
        let f = UnsafeRawBufferPointer(start: field.utf8Start, count: field.utf8CodeUnitCount)
        return find(f)
    }

    func find(_ field: String) -> Int? {
        var field = field
        return field.withUTF8 { find(UnsafeRawBufferPointer($0)) }
    }

    func find(_ f: UnsafeRawBufferPointer) -> Int? {
        bytes.withUnsafeBytes { b in
            for (i, m) in members.enumerated() where !m.keyEscaped && Int(m.keyEnd - m.keyStart) == f.count {
                if f.count == 0 || memcmp(b.baseAddress! + Int(m.keyStart), f.baseAddress!, f.count) == 0 { return i }
            }
            return nil
        }
    }

    /// Whether the object has a member named `field`.
    public func contains(_ field: String) -> Bool { find(field) != nil }

    /// The value of the member at `i`, parsed.
    func value(at i: Int) -> JSONValue {
        let m = members[i]
        if m.plainString { return .string(plainString(m)) }
        let slice = Array(bytes[Int(m.valueStart)..<Int(m.valueEnd)])
        // The bytes were produced or validated as canonical JSON, so this cannot fail.
        return (try? JSONParser.parse(slice, limits: .ledger)) ?? .null
    }

    func plainString(_ m: Member) -> String {
        bytes.withUnsafeBufferPointer {
            String(
                decoding: UnsafeBufferPointer(rebasing: $0[Int(m.valueStart + 1)..<Int(m.valueEnd - 1)]), as: UTF8.self)
        }
    }

    /// `read` of the UTF-8 text of the member at `i` when it is a string without escapes;
    /// nil otherwise.
    func plainStringBytes<R>(at i: Int, _ read: (UnsafeBufferPointer<UInt8>) -> R?) -> R? {
        let m = members[i]
        guard m.plainString else { return nil }
        return bytes.withUnsafeBufferPointer {
            read(UnsafeBufferPointer(rebasing: $0[Int(m.valueStart + 1)..<Int(m.valueEnd - 1)]))
        }
    }

    /// The value of `field`, parsed, or nil when there is no such member.
    public subscript(field: String) -> JSONValue? { find(field).map(value(at:)) }

    /// The string value of the member at `i`, or nil when it is not a string.
    func stringValue(at i: Int) -> String? {
        let m = members[i]
        if m.plainString { return plainString(m) }
        guard bytes[Int(m.valueStart)] == UInt8(ascii: "\"") else { return nil }
        return value(at: i).stringValue
    }

    /// The integer value of the member at `i`, or nil when it is not an integer.
    func integerValue(at i: Int) -> Int64? {
        bytes.withUnsafeBytes { CanonicalObject.integer(members[i], in: $0) }
    }

    /// The integer value of member `m` of the object in `bytes`, or nil when it is not an
    /// integer. (Canonical JSON in the ledger has only integers: the parser refuses the rest.)
    static func integer(_ m: Member, in bytes: UnsafeRawBufferPointer) -> Int64? {
        let first = bytes[Int(m.valueStart)]
        guard first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return nil }
        var v: Int64 = 0
        for k in Int(first == UInt8(ascii: "-") ? m.valueStart + 1 : m.valueStart)..<Int(m.valueEnd) {
            v = v * 10 + Int64(bytes[k] - UInt8(ascii: "0"))
        }
        return first == UInt8(ascii: "-") ? -v : v
    }

    /// The object as a JSON value.
    public var json: JSONValue {
        var o = JSONObject(minimumCapacity: members.count)
        for i in members.indices { o[key(at: i)] = value(at: i) }
        return .object(o)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
