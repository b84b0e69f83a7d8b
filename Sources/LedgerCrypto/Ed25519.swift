import CSodium

/// libsodium must be initialised once before use; `sodium_init` is idempotent and thread-safe.
let sodiumReady: Bool = sodium_init() >= 0

/// An Ed25519 public key (RFC 8032), 32 bytes.
public struct VerifyingKey: Hashable, Sendable {
    /// The 32 raw public-key bytes.
    public let rawRepresentation: [UInt8]

    /// Wraps 32 raw public-key bytes; returns nil for any other length.
    public init?(rawRepresentation: [UInt8]) {
        guard rawRepresentation.count == 32 else { return nil }
        self.rawRepresentation = rawRepresentation
    }

    /// Verifies a detached Ed25519 signature with libsodium's strict checks (canonical S,
    /// no small-order keys).
    public func isValidSignature(_ signature: [UInt8], for message: UnsafeRawBufferPointer) -> Bool {
        precondition(sodiumReady)
        guard signature.count == 64 else { return false }
        return signature.withUnsafeBufferPointer { sig in
            rawRepresentation.withUnsafeBufferPointer { pk in
                crypto_sign_verify_detached(
                    sig.baseAddress!,
                    message.baseAddress?.assumingMemoryBound(to: UInt8.self),
                    UInt64(message.count),
                    pk.baseAddress!
                ) == 0
            }
        }
    }

    /// Verifies a detached signature over a byte array.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        message.withUnsafeBytes { isValidSignature(signature, for: $0) }
    }
}

/// An Ed25519 private key, held as its 32-byte RFC 8032 seed.
public struct SigningKey: Sendable {
    /// The 32-byte seed. Never print or log it.
    public let seed: [UInt8]
    /// libsodium's 64-byte secret key (seed || public key).
    private let secretKey: [UInt8]
    /// The matching public key.
    public let verifyingKey: VerifyingKey

    /// Derives the key pair from a 32-byte seed (the same derivation as Go's `ed25519.NewKeyFromSeed`).
    public init?(seed: [UInt8]) {
        precondition(sodiumReady)
        guard seed.count == 32 else { return nil }
        var pk = [UInt8](repeating: 0, count: 32)
        var sk = [UInt8](repeating: 0, count: 64)
        guard crypto_sign_seed_keypair(&pk, &sk, seed) == 0 else { return nil }
        self.seed = seed
        self.secretKey = sk
        self.verifyingKey = VerifyingKey(rawRepresentation: pk)!
    }

    /// Generates a new key from the operating system's random source.
    public static func generate() -> SigningKey {
        SigningKey(seed: SecureRandom.bytes(32))!
    }

    /// Signs a message, returning the 64-byte detached signature.
    public func signature(for message: UnsafeRawBufferPointer) -> [UInt8] {
        var sig = [UInt8](repeating: 0, count: 64)
        secretKey.withUnsafeBufferPointer { sk in
            _ = crypto_sign_detached(
                &sig, nil,
                message.baseAddress?.assumingMemoryBound(to: UInt8.self),
                UInt64(message.count),
                sk.baseAddress!
            )
        }
        return sig
    }

    /// Signs a byte array.
    public func signature(for message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { signature(for: $0) }
    }
}

/// Cryptographically secure random bytes (libsodium's `randombytes_buf`).
public enum SecureRandom {
    /// Returns `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(sodiumReady)
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) }
        return out
    }
}
