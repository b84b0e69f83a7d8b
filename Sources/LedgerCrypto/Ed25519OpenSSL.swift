import CLibcrypto
import Synchronization

/// Ed25519 through OpenSSL's EVP interface: the fallback when libsodium is absent.
///
/// OpenSSL's verification is RFC 8032's cofactorless equation, as libsodium's is, but it
/// does not refuse what libsodium 1.0.18 refuses before computing it; ``Ed25519Strict``
/// adds those checks, so the two backends accept exactly the same signatures.
enum OpenSSLEd25519 {
    /// "3.0.13" from "OpenSSL 3.0.13 30 Jan 2024".
    static let versionString: String = {
        guard let p = OpenSSL_version(OPENSSL_VERSION) else { return "?" }
        let words = String(cString: p).split(separator: " ")
        return words.count > 1 ? String(words[1]) : String(cString: p)
    }()

    /// An `EVP_PKEY` holding an Ed25519 public key; freed when the last reference goes.
    ///
    /// `@unchecked Sendable`: `pkey` is a `let`, never modified after `init`; OpenSSL 3 allows
    /// one `EVP_PKEY` to be used by many threads at once for verification as long as each
    /// uses its own `EVP_MD_CTX`, which ``verify(signature:message:publicKey:)`` creates per call.
    final class PublicKey: @unchecked Sendable {
        let pkey: OpaquePointer
        init?(raw: [UInt8]) {
            guard
                let k = raw.withUnsafeBufferPointer({
                    EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32)
                })
            else {
                ERR_clear_error()
                return nil
            }
            pkey = k
        }
        deinit { EVP_PKEY_free(pkey) }
    }

    /// One `EVP_PKEY` per public key, made on first use: a ledger has few signers and many
    /// signatures. Bounded so that a stream of distinct keys cannot grow it without limit.
    private static let cache = Mutex<[[UInt8]: PublicKey]>([:])
    private static let cacheLimit = 4096

    static func publicKey(_ raw: [UInt8]) -> PublicKey? {
        if let k = cache.withLock({ $0[raw] }) { return k }
        guard let k = PublicKey(raw: raw) else { return nil }
        cache.withLock { c in
            if c.count >= cacheLimit { c.removeAll(keepingCapacity: true) }
            c[raw] = k
        }
        return k
    }

    /// Verifies with libsodium 1.0.18's strict checks first, then OpenSSL's `EVP_DigestVerify`.
    static func verify(signature: [UInt8], message: UnsafeRawBufferPointer, publicKey raw: [UInt8]) -> Bool {
        guard Ed25519Strict.passes(signature: signature, publicKey: raw), let key = publicKey(raw) else { return false }
        guard let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        let ok = signature.withUnsafeBufferPointer { sig in
            withMessagePointer(message) { m in
                EVP_DigestVerifyInit(ctx, nil, nil, nil, key.pkey) == 1
                    && EVP_DigestVerify(ctx, sig.baseAddress, 64, m, message.count) == 1
            }
        }
        if !ok { ERR_clear_error() }
        return ok
    }

    /// An `EVP_PKEY` holding an Ed25519 private key (its seed) and the derived public key.
    ///
    /// `@unchecked Sendable`: both properties are `let`s set in `init`; signing creates its own
    /// `EVP_MD_CTX` per call, so concurrent signers share only the read-only key.
    final class PrivateKey: @unchecked Sendable {
        let pkey: OpaquePointer
        let publicKey: [UInt8]

        init?(seed: [UInt8]) {
            guard seed.count == 32,
                let k = seed.withUnsafeBufferPointer({
                    EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32)
                })
            else {
                ERR_clear_error()
                return nil
            }
            var pk = [UInt8](repeating: 0, count: 32)
            var len = 32
            guard EVP_PKEY_get_raw_public_key(k, &pk, &len) == 1, len == 32 else {
                EVP_PKEY_free(k)
                ERR_clear_error()
                return nil
            }
            pkey = k
            publicKey = pk
        }

        deinit { EVP_PKEY_free(pkey) }

        /// `EVP_DigestSign`: the 64-byte detached signature (deterministic, as libsodium's).
        func sign(_ message: UnsafeRawBufferPointer) -> [UInt8] {
            var sig = [UInt8](repeating: 0, count: 64)
            guard let ctx = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed") }
            defer { EVP_MD_CTX_free(ctx) }
            var len = 64
            let ok = sig.withUnsafeMutableBufferPointer { s in
                withMessagePointer(message) { m in
                    EVP_DigestSignInit(ctx, nil, nil, nil, pkey) == 1
                        && EVP_DigestSign(ctx, s.baseAddress, &len, m, message.count) == 1
                }
            }
            guard ok, len == 64 else { fatalError("OpenSSL Ed25519 signing failed") }
            return sig
        }
    }

    /// `RAND_bytes`.
    static func randomBytes(_ buffer: UnsafeMutableRawPointer, _ count: Int) {
        guard RAND_bytes(buffer.assumingMemoryBound(to: UInt8.self), Int32(count)) == 1 else {
            fatalError("RAND_bytes failed")
        }
    }
}

/// The checks libsodium 1.0.18's `crypto_sign_verify_detached` makes before it computes
/// anything (`_crypto_sign_ed25519_verify_detached` in
/// `src/libsodium/crypto_sign/ed25519/ref10/open.c`, built without `ED25519_COMPAT`):
///
/// 1. S (the signature's second half) is canonical: S < L (`sc25519_is_canonical`);
/// 2. R (the first half) is not one of the small-order encodings (`ge25519_has_small_order`);
/// 3. the public key is a canonical encoding: its y is below p = 2^255 − 19
///    (`ge25519_is_canonical`);
/// 4. the public key is not one of the small-order encodings.
///
/// The rest of libsodium's verification (decode the key, refuse it if not on the curve,
/// check the cofactorless equation by comparing encodings of R) is what OpenSSL does too.
enum Ed25519Strict {
    /// L = 2^252 + 27742317777372353535851937790883648493, little-endian.
    static let order: [UInt8] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    ]

    /// The encodings libsodium 1.0.18 refuses as small-order points, compared with the sign bit
    /// (the top bit of byte 31) cleared: y = 0 and y = 1, the two y of the points of order 8,
    /// y = p − 1 (order 2), and the non-canonical y = p and y = p + 1 (0 and 1 again).
    static let smallOrder: [[UInt8]] = [
        // 0 (order 4)
        [UInt8](repeating: 0, count: 32),
        // 1 (order 1)
        [0x01] + [UInt8](repeating: 0, count: 31),
        // order 8
        [
            0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
            0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05,
        ],
        // order 8
        [
            0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
            0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a,
        ],
        // p - 1 (order 2)
        [0xec] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
        // p (= 0, order 4)
        [0xed] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
        // p + 1 (= 1, order 1)
        [0xee] + [UInt8](repeating: 0xff, count: 30) + [0x7f],
    ]

    /// Whether a 64-byte signature and a 32-byte key pass all four checks.
    static func passes(signature: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == 64, publicKey.count == 32 else { return false }
        return signature.withUnsafeBufferPointer { sig in
            publicKey.withUnsafeBufferPointer { pk in
                isCanonicalScalar(UnsafeBufferPointer(rebasing: sig[32..<64]))
                    && !hasSmallOrder(UnsafeBufferPointer(rebasing: sig[0..<32]))
                    && isCanonicalPoint(pk)
                    && !hasSmallOrder(pk)
            }
        }
    }

    /// S < L, comparing from the most significant byte.
    static func isCanonicalScalar(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 31
        while i >= 0 {
            if s[i] != order[i] { return s[i] < order[i] }
            i -= 1
        }
        return false  // S == L
    }

    /// libsodium's `ge25519_is_canonical`: false exactly when, sign bit aside, the encoding
    /// is at least p = 2^255 − 19, i.e. bytes 1...30 are 0xff, byte 31 is 0x7f or 0xff and
    /// byte 0 is at least 0xed.
    static func isCanonicalPoint(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        guard s[31] & 0x7f == 0x7f, s[0] >= 0xed else { return true }
        for i in 1...30 where s[i] != 0xff { return true }
        return false
    }

    /// libsodium's `ge25519_has_small_order`: the encoding, sign bit cleared, is on the list.
    static func hasSmallOrder(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        for bad in smallOrder {
            var same = s[31] & 0x7f == bad[31]
            var i = 0
            while same && i < 31 {
                same = s[i] == bad[i]
                i += 1
            }
            if same { return true }
        }
        return false
    }
}
