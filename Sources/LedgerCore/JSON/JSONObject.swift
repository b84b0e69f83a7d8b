/// A JSON object: members by key, where keys are compared as UTF-8 bytes (RFC 8785).
///
/// `[String: JSONValue]` would compare keys by Unicode canonical equivalence, under which the
/// distinct keys `"\u{E9}"` (NFC é) and `"e\u{301}"` (NFD é) are one key. This type keeps them
/// apart, and offers the dictionary operations the code uses, with `String` keys.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// A member name, equal to another only when their UTF-8 bytes are equal.
    public struct Name: Sendable, Hashable {
        public let string: String

        public init(_ string: String) { self.string = string }

        public static func == (a: Name, b: Name) -> Bool { a.string.utf8.elementsEqual(b.string.utf8) }

        public func hash(into h: inout Hasher) {
            let done: Void? = string.utf8.withContiguousStorageIfAvailable {
                h.combine(bytes: UnsafeRawBufferPointer($0))
            }
            if done == nil { for b in string.utf8 { h.combine(b) } }
            h.combine(string.utf8.count)
        }
    }

    var storage: [Name: JSONValue]

    public init() { storage = [:] }

    public init(minimumCapacity n: Int) { storage = Dictionary(minimumCapacity: n) }

    /// The members of `dictionary` (whose keys are already distinct).
    public init(_ dictionary: [String: JSONValue]) {
        storage = Dictionary(minimumCapacity: dictionary.count)
        for (k, v) in dictionary { storage[Name(k)] = v }
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        storage = Dictionary(minimumCapacity: elements.count)
        for (k, v) in elements { storage[Name(k)] = v }
    }

    /// The member named `key` (by bytes).
    public subscript(key: String) -> JSONValue? {
        get { storage[Name(key)] }
        set { storage[Name(key)] = newValue }
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }

    /// Some member (the first in iteration order), or nil when the object is empty.
    public var first: (key: String, value: JSONValue)? { storage.first.map { (key: $0.key.string, value: $0.value) } }

    /// The member names, in no particular order.
    public var keys: [String] { storage.keys.map(\.string) }

    /// The member values, in no particular order.
    public var values: [JSONValue] { Array(storage.values) }

    /// Sets member `key`; returns its previous value.
    @discardableResult
    public mutating func updateValue(_ value: JSONValue, forKey key: String) -> JSONValue? {
        storage.updateValue(value, forKey: Name(key))
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? { storage.removeValue(forKey: Name(key)) }

    public func makeIterator() -> AnyIterator<(key: String, value: JSONValue)> {
        var it = storage.makeIterator()
        return AnyIterator { it.next().map { (key: $0.key.string, value: $0.value) } }
    }
}
