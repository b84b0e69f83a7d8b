#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// libsodium, loaded at run time.
///
/// The machines the project runs on have libsodium's run-time library but not its headers
/// (`libsodium-dev`), so nothing here includes `<sodium.h>` or links `-lsodium`: the few
/// functions used are declared below with the C prototypes of libsodium's public API
/// (stable across the `libsodium.so.23` soname) and looked up with `dlsym`.
///
/// `@unchecked Sendable`: every stored property is a `let` (the `dlopen` handle, never closed,
/// and C function pointers from `dlsym`); libsodium's functions are thread-safe once
/// `sodium_init` has returned, which loading does before the value exists.
struct Libsodium: @unchecked Sendable {
    // int sodium_init(void);
    typealias InitFn = @convention(c) () -> Int32
    // const char *sodium_version_string(void);
    typealias VersionFn = @convention(c) () -> UnsafePointer<CChar>?
    // int crypto_sign_verify_detached(const unsigned char *sig, const unsigned char *m,
    //                                 unsigned long long mlen, const unsigned char *pk);
    typealias VerifyFn =
        @convention(c) (
            UnsafePointer<UInt8>, UnsafePointer<UInt8>, UInt64, UnsafePointer<UInt8>
        ) -> Int32
    // int crypto_sign_seed_keypair(unsigned char *pk, unsigned char *sk, const unsigned char *seed);
    typealias SeedKeyPairFn =
        @convention(c) (
            UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt8>, UnsafePointer<UInt8>
        ) -> Int32
    // int crypto_sign_detached(unsigned char *sig, unsigned long long *siglen_p,
    //                          const unsigned char *m, unsigned long long mlen, const unsigned char *sk);
    typealias SignFn =
        @convention(c) (
            UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt64>?, UnsafePointer<UInt8>, UInt64,
            UnsafePointer<UInt8>
        ) -> Int32
    // void randombytes_buf(void * const buf, const size_t size);
    typealias RandomFn = @convention(c) (UnsafeMutableRawPointer, Int) -> Void

    let handle: UnsafeMutableRawPointer
    let versionString: String
    let verifyFn: VerifyFn
    let seedKeyPairFn: SeedKeyPairFn
    let signFn: SignFn
    let randomFn: RandomFn

    /// The library's file name: the soname of libsodium 1.0.x.
    #if canImport(Darwin)
        static let libraryNames = [
            "libsodium.23.dylib", "/opt/homebrew/lib/libsodium.23.dylib", "/usr/local/lib/libsodium.23.dylib",
        ]
    #else
        static let libraryNames = ["libsodium.so.23"]
    #endif

    /// The loaded library, or nil when it is absent or unusable (see ``loadError``).
    static let api: Libsodium? = loaded.0
    /// Why libsodium could not be loaded, if it could not.
    static let loadError: String? = loaded.1
    private static let loaded: (Libsodium?, String?) = load()

    /// The loaded library; only called once a libsodium backend has been chosen.
    static func require() -> Libsodium {
        guard let api else { preconditionFailure("libsodium is not loaded: \(loadError ?? "")") }
        return api
    }

    private static func load() -> (Libsodium?, String?) {
        var why = ""
        for name in libraryNames {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
                why = dlerror().map { String(cString: $0) } ?? "dlopen(\(name)) failed"
                continue
            }
            func symbol<T>(_ s: String, as: T.Type) -> T? {
                guard let p = dlsym(handle, s) else { return nil }
                return unsafeBitCast(p, to: T.self)
            }
            guard let initFn = symbol("sodium_init", as: InitFn.self),
                let versionFn = symbol("sodium_version_string", as: VersionFn.self),
                let verifyFn = symbol("crypto_sign_verify_detached", as: VerifyFn.self),
                let seedKeyPairFn = symbol("crypto_sign_seed_keypair", as: SeedKeyPairFn.self),
                let signFn = symbol("crypto_sign_detached", as: SignFn.self),
                let randomFn = symbol("randombytes_buf", as: RandomFn.self)
            else {
                dlclose(handle)
                why = "\(name) lacks a needed function"
                continue
            }
            // sodium_init is idempotent and thread-safe; -1 means it failed.
            guard initFn() >= 0 else {
                dlclose(handle)
                why = "sodium_init failed"
                continue
            }
            let version = versionFn().map { String(cString: $0) } ?? "?"
            return (
                Libsodium(
                    handle: handle, versionString: version, verifyFn: verifyFn,
                    seedKeyPairFn: seedKeyPairFn, signFn: signFn, randomFn: randomFn), nil
            )
        }
        return (nil, why)
    }

    /// `crypto_sign_verify_detached`: libsodium 1.0.18's strict verification.
    func verify(signature: [UInt8], message: UnsafeRawBufferPointer, publicKey: [UInt8]) -> Bool {
        signature.withUnsafeBufferPointer { sig in
            publicKey.withUnsafeBufferPointer { pk in
                withMessagePointer(message) { m in
                    verifyFn(sig.baseAddress!, m, UInt64(message.count), pk.baseAddress!) == 0
                }
            }
        }
    }

    /// `crypto_sign_seed_keypair`: (public key, 64-byte secret key).
    func seedKeyPair(_ seed: [UInt8]) -> ([UInt8], [UInt8])? {
        var pk = [UInt8](repeating: 0, count: 32)
        var sk = [UInt8](repeating: 0, count: 64)
        let rc = seed.withUnsafeBufferPointer { s in
            pk.withUnsafeMutableBufferPointer { p in
                sk.withUnsafeMutableBufferPointer { k in seedKeyPairFn(p.baseAddress!, k.baseAddress!, s.baseAddress!) }
            }
        }
        return rc == 0 ? (pk, sk) : nil
    }

    /// `crypto_sign_detached`.
    func sign(_ message: UnsafeRawBufferPointer, secretKey: [UInt8]) -> [UInt8] {
        var sig = [UInt8](repeating: 0, count: 64)
        sig.withUnsafeMutableBufferPointer { s in
            secretKey.withUnsafeBufferPointer { sk in
                withMessagePointer(message) { m in
                    _ = signFn(s.baseAddress!, nil, m, UInt64(message.count), sk.baseAddress!)
                }
            }
        }
        return sig
    }

    /// `randombytes_buf`.
    func randomBytes(_ buffer: UnsafeMutableRawPointer, _ count: Int) {
        randomFn(buffer, count)
    }
}

/// Calls `body` with a non-null pointer to the message bytes (a dummy one for an empty message).
@inline(__always)
func withMessagePointer<R>(_ message: UnsafeRawBufferPointer, _ body: (UnsafePointer<UInt8>) -> R) -> R {
    if let base = message.baseAddress, message.count > 0 {
        return body(base.assumingMemoryBound(to: UInt8.self))
    }
    var empty: UInt8 = 0
    return withUnsafePointer(to: &empty) { body($0) }
}
