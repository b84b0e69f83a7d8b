#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which implementation of Ed25519 a process uses.
///
/// libsodium is about twice as fast at verifying as OpenSSL 3.0, but only its run-time
/// library (`libsodium.so.23`) is found on the machines the project runs on, not its headers;
/// so it is loaded with `dlopen` when present, and OpenSSL's Ed25519 (which `libssl-dev`
/// always provides) is used when it is not. Both give the same answer on every input: the
/// OpenSSL path adds the strict checks libsodium 1.0.18 makes before verifying (canonical S,
/// no small-order R, canonical and not small-order public keys; see `Ed25519Strict`).
///
/// `LEDGER_ED25519=openssl` forces the fallback; `LEDGER_ED25519=libsodium` requires
/// libsodium (the process stops with a message if it cannot be loaded).
package enum Ed25519Backend: String, Sendable, CaseIterable {
    case libsodium
    case openssl
}

/// The Ed25519 backend in use and the operations that take an explicit backend (for tests
/// that run every case through both).
public enum Ed25519 {
    /// The backend this process uses, chosen once from `LEDGER_ED25519` and what is installed.
    package static let backend: Ed25519Backend = chooseBackend()

    /// The backend in use and its version, e.g. "libsodium 1.0.18" or "openssl 3.0.13".
    public static var backendName: String { name(of: backend) }

    /// Whether `backend` can be used in this process (libsodium: its library was loaded).
    package static func isAvailable(_ backend: Ed25519Backend) -> Bool {
        switch backend {
        case .libsodium: return Libsodium.api != nil
        case .openssl: return true
        }
    }

    /// The name and version of `backend`.
    package static func name(of backend: Ed25519Backend) -> String {
        switch backend {
        case .libsodium: return "libsodium " + (Libsodium.api?.versionString ?? "(not loaded)")
        case .openssl: return "openssl " + OpenSSLEd25519.versionString
        }
    }

    /// Verifies a detached signature with `backend`, libsodium-strict either way.
    package static func verify(
        signature: [UInt8], message: UnsafeRawBufferPointer, publicKey: [UInt8], backend: Ed25519Backend
    ) -> Bool {
        guard signature.count == 64, publicKey.count == 32 else { return false }
        switch backend {
        case .libsodium:
            return Libsodium.require().verify(signature: signature, message: message, publicKey: publicKey)
        case .openssl:
            return OpenSSLEd25519.verify(signature: signature, message: message, publicKey: publicKey)
        }
    }

    /// Verifies a detached signature over a byte array with `backend`.
    package static func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8], backend: Ed25519Backend)
        -> Bool
    {
        message.withUnsafeBytes { verify(signature: signature, message: $0, publicKey: publicKey, backend: backend) }
    }

    /// Looks up a libsodium symbol (nil without libsodium); tests use it to build edge cases.
    package static func libsodiumSymbol(_ name: String) -> UnsafeMutableRawPointer? {
        guard let api = Libsodium.api else { return nil }
        return dlsym(api.handle, name)
    }

    private static func chooseBackend() -> Ed25519Backend {
        let wanted = getenv("LEDGER_ED25519").map { String(cString: $0) } ?? ""
        switch wanted {
        case "", "auto":
            return Libsodium.api != nil ? .libsodium : .openssl
        case "openssl":
            return .openssl
        case "libsodium":
            if Libsodium.api != nil { return .libsodium }
            fatal(
                "LEDGER_ED25519=libsodium, but libsodium could not be loaded: \(Libsodium.loadError ?? "unknown error")"
            )
        default:
            fatal("LEDGER_ED25519 must be libsodium, openssl or auto, not \"\(wanted)\"")
        }
    }

    private static func fatal(_ message: String) -> Never {
        let line = Array("ledger: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(2)
    }
}

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
    /// no small-order R, canonical and not small-order keys), whichever backend is in use.
    public func isValidSignature(_ signature: [UInt8], for message: UnsafeRawBufferPointer) -> Bool {
        Ed25519.verify(signature: signature, message: message, publicKey: rawRepresentation, backend: Ed25519.backend)
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
    /// The backend's form of the key.
    private let secret: Secret
    /// The matching public key.
    public let verifyingKey: VerifyingKey

    private enum Secret: Sendable {
        /// libsodium's 64-byte secret key (seed || public key).
        case libsodium([UInt8])
        /// An OpenSSL `EVP_PKEY` holding the seed.
        case openssl(OpenSSLEd25519.PrivateKey)
    }

    /// Derives the key pair from a 32-byte seed (the same derivation as Go's `ed25519.NewKeyFromSeed`).
    public init?(seed: [UInt8]) {
        self.init(seed: seed, backend: Ed25519.backend)
    }

    /// Derives the key pair from a 32-byte seed with `backend`.
    package init?(seed: [UInt8], backend: Ed25519Backend) {
        guard seed.count == 32 else { return nil }
        switch backend {
        case .libsodium:
            guard let (pk, sk) = Libsodium.require().seedKeyPair(seed) else { return nil }
            secret = .libsodium(sk)
            verifyingKey = VerifyingKey(rawRepresentation: pk)!
        case .openssl:
            guard let key = OpenSSLEd25519.PrivateKey(seed: seed) else { return nil }
            secret = .openssl(key)
            verifyingKey = VerifyingKey(rawRepresentation: key.publicKey)!
        }
        self.seed = seed
    }

    /// Generates a new key from the operating system's random source.
    public static func generate() -> SigningKey {
        SigningKey(seed: SecureRandom.bytes(32))!
    }

    /// Signs a message, returning the 64-byte detached signature.
    public func signature(for message: UnsafeRawBufferPointer) -> [UInt8] {
        switch secret {
        case .libsodium(let sk): return Libsodium.require().sign(message, secretKey: sk)
        case .openssl(let key): return key.sign(message)
        }
    }

    /// Signs a byte array.
    public func signature(for message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { signature(for: $0) }
    }
}

/// Cryptographically secure random bytes (libsodium's `randombytes_buf`, or OpenSSL's
/// `RAND_bytes` when OpenSSL is the Ed25519 backend).
public enum SecureRandom {
    /// Returns `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return out }
        out.withUnsafeMutableBytes { buf in
            switch Ed25519.backend {
            case .libsodium: Libsodium.require().randomBytes(buf.baseAddress!, count)
            case .openssl: OpenSSLEd25519.randomBytes(buf.baseAddress!, count)
            }
        }
        return out
    }
}
