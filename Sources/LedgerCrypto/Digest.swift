import CLibcrypto

/// A SHA-256 digest: 32 bytes, stored as four words so that equality and hashing are cheap.
public struct Digest: Hashable, Sendable, Comparable {
    @usableFromInline var w0: UInt64
    @usableFromInline var w1: UInt64
    @usableFromInline var w2: UInt64
    @usableFromInline var w3: UInt64

    /// The digest whose 32 bytes are all zero (the `prev` of entry 0).
    public static let zero = Digest(w0: 0, w1: 0, w2: 0, w3: 0)

    @usableFromInline init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// Creates a digest from exactly 32 bytes; returns nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self = bytes.withUnsafeBytes { Digest(unsafeBytes: $0) }
    }

    /// Creates a digest from exactly 32 bytes; returns nil for any other length.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 32 else { return nil }
        var d = Digest.zero
        withUnsafeMutableBytes(of: &d) { raw in
            _ = raw.copyBytes(from: bytes)
        }
        self = d
    }

    /// Creates a digest from raw memory holding at least 32 bytes.
    public init(unsafeBytes raw: UnsafeRawBufferPointer) {
        precondition(raw.count >= 32)
        var d = Digest.zero
        withUnsafeMutableBytes(of: &d) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<32]))
        }
        self = d
    }

    /// The 32 bytes of the digest.
    public var bytes: [UInt8] {
        withUnsafeBytes(of: self) { Array($0) }
    }

    /// Calls `body` with the 32 bytes of the digest.
    @inlinable
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: self) { try body($0) }
    }

    /// The digest in standard base64 (44 characters).
    public var base64: String { Base64.encode(bytes) }

    /// The digest in lowercase hex (64 characters).
    public var hex: String { Hex.encode(bytes) }

    /// Parses a standard-base64 digest; returns nil unless it decodes to exactly 32 bytes.
    /// Parses a standard-base64 digest from UTF-8 bytes; nil unless it decodes to exactly 32 bytes.
    public init?(base64UTF8 s: UnsafeBufferPointer<UInt8>) {
        guard Base64.decodedCount(utf8: s) == 32 else { return nil }
        var d = Digest.zero
        let ok = withUnsafeMutableBytes(of: &d) {
            Base64.decode(utf8: s, into: $0.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        guard ok else { return nil }
        self = d
    }

    public init?(base64: String) {
        guard let raw = Base64.decode(base64), let d = Digest(bytes: raw) else { return nil }
        self = d
    }

    public static func < (lhs: Digest, rhs: Digest) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}

extension Digest: CustomStringConvertible {
    public var description: String { hex }
}

/// SHA-256 on OpenSSL's fastest path for small inputs (`SHA256_Init/Update/Final`).
public enum SHA256 {
    /// Hashes one buffer.
    @inlinable
    public static func hash(_ data: UnsafeRawBufferPointer) -> Digest {
        var ctx = SHA256_CTX()
        SHA256_Init(&ctx)
        SHA256_Update(&ctx, data.baseAddress, data.count)
        return finish(&ctx)
    }

    /// Hashes a byte array.
    public static func hash(_ data: [UInt8]) -> Digest {
        data.withUnsafeBytes { hash($0) }
    }

    /// Hashes the UTF-8 bytes of a string.
    public static func hash(_ string: String) -> Digest {
        var s = string
        return s.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    /// Hashes a one-byte prefix followed by a buffer: the RFC 9162 leaf hash when `prefix` is 0.
    @inlinable
    public static func hash(prefix: UInt8, _ data: UnsafeRawBufferPointer) -> Digest {
        var ctx = SHA256_CTX()
        SHA256_Init(&ctx)
        var p = prefix
        SHA256_Update(&ctx, &p, 1)
        SHA256_Update(&ctx, data.baseAddress, data.count)
        return finish(&ctx)
    }

    /// Hashes two buffers, one after the other (a domain prefix and a message, say).
    @inlinable
    public static func hash(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> Digest {
        var ctx = SHA256_CTX()
        SHA256_Init(&ctx)
        SHA256_Update(&ctx, first.baseAddress, first.count)
        SHA256_Update(&ctx, second.baseAddress, second.count)
        return finish(&ctx)
    }

    /// The RFC 9162 interior node hash `SHA-256(0x01 || left || right)`, hashed as one
    /// 65-byte buffer (one update call, as fast as a raw 65-byte hash).
    @inlinable
    public static func node(_ left: Digest, _ right: Digest) -> Digest {
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { buf in
            buf[0] = 1
            withUnsafeBytes(of: left) {
                buf.baseAddress!.advanced(by: 1).copyMemory(from: $0.baseAddress!, byteCount: 32)
            }
            withUnsafeBytes(of: right) {
                buf.baseAddress!.advanced(by: 33).copyMemory(from: $0.baseAddress!, byteCount: 32)
            }
            var ctx = SHA256_CTX()
            SHA256_Init(&ctx)
            SHA256_Update(&ctx, buf.baseAddress, 65)
            return finish(&ctx)
        }
    }

    @inlinable
    static func finish(_ ctx: inout SHA256_CTX) -> Digest {
        var out = Digest.zero
        withUnsafeMutableBytes(of: &out) { raw in
            _ = SHA256_Final(raw.baseAddress!.assumingMemoryBound(to: UInt8.self), &ctx)
        }
        return out
    }
}
