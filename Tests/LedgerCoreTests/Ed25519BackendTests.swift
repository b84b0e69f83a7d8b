import Foundation
import LedgerCrypto
import Testing

/// Ed25519 has two backends, libsodium (loaded at run time) and OpenSSL (the fallback); both
/// must accept exactly the same signatures, libsodium 1.0.18's strict checks included. Every
/// case here runs through every backend available in this process, whatever `LEDGER_ED25519`
/// says (that variable only picks the backend the rest of the suite uses).
@Suite struct Ed25519BackendTests {
    static let backends = Ed25519Backend.allCases.filter(Ed25519.isAvailable)
    static let bothAvailable = Ed25519.isAvailable(.libsodium)

    struct Case: CustomStringConvertible {
        let name: String
        let publicKey: [UInt8]
        let message: [UInt8]
        let signature: [UInt8]
        let valid: Bool
        var description: String { name }
    }

    // MARK: Known answers

    /// RFC 8032 §7.1, tests 1–3: the same public key and signature from either backend.
    static let rfc8032: [(seed: String, publicKey: String, message: String, signature: String)] = [
        (
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        ),
        (
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        ),
        (
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
                + "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        ),
    ]

    @Test(arguments: backends)
    func rfc8032KnownAnswers(_ backend: Ed25519Backend) throws {
        for v in Self.rfc8032 {
            let key = try #require(SigningKey(seed: hex(v.seed), backend: backend))
            #expect(key.verifyingKey.rawRepresentation == hex(v.publicKey))
            #expect(key.signature(for: hex(v.message)) == hex(v.signature))
            #expect(
                Ed25519.verify(
                    signature: hex(v.signature), message: hex(v.message), publicKey: hex(v.publicKey), backend: backend)
            )
        }
    }

    // MARK: Strict cases

    /// L, the order of the base point, little-endian (RFC 8032's name for it).
    // swift-format-ignore: AlwaysUseLowerCamelCase
    static let L: [UInt8] = hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")

    /// libsodium 1.0.18's small-order blocklist (sign bit clear).
    static let smallOrder: [[UInt8]] = [
        hex("0000000000000000000000000000000000000000000000000000000000000000"),
        hex("0100000000000000000000000000000000000000000000000000000000000000"),
        hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
        hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
        hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    ]

    /// The cases built from one fixed key and message: each strict check, both ways.
    static func strictCases() -> [Case] {
        let key = SigningKey(seed: [UInt8](repeating: 7, count: 32), backend: .openssl)!
        let pk = key.verifyingKey.rawRepresentation
        let msg = Array("strict-check vectors for both backends".utf8)
        let sig = key.signature(for: msg)
        let r = Array(sig[0..<32])
        let s = Array(sig[32..<64])
        var cases = [Case(name: "valid", publicKey: pk, message: msg, signature: sig, valid: true)]
        cases.append(
            Case(
                name: "valid, empty message", publicKey: pk, message: [], signature: key.signature(for: []), valid: true
            ))

        // S: S + L verifies under a check that reduces S first, but is not canonical.
        cases.append(Case(name: "S + L", publicKey: pk, message: msg, signature: r + add(s, L), valid: false))
        cases.append(Case(name: "S = L", publicKey: pk, message: msg, signature: r + L, valid: false))
        cases.append(
            Case(
                name: "S = L - 1 (canonical, wrong)", publicKey: pk, message: msg, signature: r + sub1(L), valid: false)
        )
        var high = sig
        high[63] |= 0xe0
        cases.append(
            Case(name: "S with its top 3 bits set", publicKey: pk, message: msg, signature: high, valid: false))

        // R and the public key on libsodium's small-order list, sign bit clear and set.
        for (i, bad) in smallOrder.enumerated() {
            for signBit: UInt8 in [0, 0x80] {
                var enc = bad
                enc[31] |= signBit
                cases.append(
                    Case(
                        name: "R small-order #\(i) sign \(signBit)", publicKey: pk, message: msg, signature: enc + s,
                        valid: false))
                cases.append(
                    Case(
                        name: "key small-order #\(i) sign \(signBit)", publicKey: enc, message: msg, signature: sig,
                        valid: false))
                // The classic forgery: a small-order key and R with S = 0.
                cases.append(
                    Case(
                        name: "key and R small-order #\(i) sign \(signBit), S = 0", publicKey: enc, message: msg,
                        signature: enc + [UInt8](repeating: 0, count: 32), valid: false))
            }
        }
        // Forgeries a verifier without the small-order checks accepts: the identity as key
        // with R = B and S = 1 (B − h·0 = R for any message), and small-order key and R with
        // S = 0 (R = −h·A holds for some messages).
        let basePoint = hex("5866666666666666666666666666666666666666666666666666666666666666")
        let one = [UInt8(1)] + [UInt8](repeating: 0, count: 31)
        cases.append(
            Case(
                name: "identity key, R = B, S = 1", publicKey: smallOrder[1], message: msg, signature: basePoint + one,
                valid: false))
        let variants = smallOrder.flatMap { [$0, Array($0[0..<31]) + [$0[31] | 0x80]] }
        for (i, key) in variants.enumerated() {
            for (j, rEnc) in variants.enumerated() {
                for k in 0..<4 {
                    cases.append(
                        Case(
                            name: "key #\(i), R #\(j), S = 0, message \(k)", publicKey: key,
                            message: Array("forge \(k)".utf8),
                            signature: rEnc + [UInt8](repeating: 0, count: 32), valid: false))
                }
            }
        }
        // Public keys and R whose y is p + k, non-canonical but not on the small-order list.
        for k: UInt8 in 2...18 {
            for signBit: UInt8 in [0, 0x80] {
                let enc = [0xed &+ k] + [UInt8](repeating: 0xff, count: 30) + [0x7f | signBit]
                cases.append(
                    Case(
                        name: "key y = p + \(k) sign \(signBit)", publicKey: enc, message: msg, signature: sig,
                        valid: false))
                cases.append(
                    Case(
                        name: "R y = p + \(k) sign \(signBit)", publicKey: pk, message: msg, signature: enc + s,
                        valid: false))
            }
        }
        // A key that is not on the curve (y = 2 has no x).
        cases.append(
            Case(
                name: "key off the curve", publicKey: [2] + [UInt8](repeating: 0, count: 31), message: msg,
                signature: sig, valid: false))
        // Flipped bits anywhere.
        for bit in stride(from: 0, to: 512, by: 37) {
            var t = sig
            t[bit / 8] ^= 1 << (bit % 8)
            cases.append(
                Case(name: "signature bit \(bit) flipped", publicKey: pk, message: msg, signature: t, valid: false))
        }
        for bit in stride(from: 0, to: 256, by: 29) {
            var t = pk
            t[bit / 8] ^= 1 << (bit % 8)
            cases.append(Case(name: "key bit \(bit) flipped", publicKey: t, message: msg, signature: sig, valid: false))
        }
        var m = msg
        m[0] ^= 1
        cases.append(Case(name: "message changed", publicKey: pk, message: m, signature: sig, valid: false))
        cases.append(
            Case(
                name: "signature too short", publicKey: pk, message: msg, signature: Array(sig.dropLast()), valid: false
            ))
        cases.append(Case(name: "signature too long", publicKey: pk, message: msg, signature: sig + [0], valid: false))
        cases.append(
            Case(name: "key too short", publicKey: Array(pk.dropLast()), message: msg, signature: sig, valid: false))
        return cases
    }

    @Test(arguments: backends)
    func strictChecks(_ backend: Ed25519Backend) {
        for c in Self.strictCases() {
            #expect(
                Ed25519.verify(signature: c.signature, message: c.message, publicKey: c.publicKey, backend: backend)
                    == c.valid,
                "\(c.name) with \(Ed25519.name(of: backend))")
        }
    }

    /// The project's strict vectors (specs/vectors/ed25519-strict.json) through every backend.
    @Test(arguments: backends)
    func strictVectorFile(_ backend: Ed25519Backend) throws {
        let cases = try #require(
            try JSONSerialization.jsonObject(with: Data(vectorFile("ed25519-strict.json").utf8)) as? [[String: Any]])
        #expect(cases.count >= 14)
        for c in cases {
            let ok = Ed25519.verify(
                signature: hex(c["signature"] as! String), message: hex(c["message"] as! String),
                publicKey: hex(c["publicKey"] as! String), backend: backend)
            #expect(ok == (c["valid"] as! Bool), "\(c["why"]!) with \(Ed25519.name(of: backend))")
        }
    }

    /// The vector generator's own SHA-512 and reduction mod L agree with libsodium's.
    @Test(.enabled(if: bothAvailable, "needs libsodium.so.23 to compare with"))
    func scalarReductionMatchesLibsodium() throws {
        typealias Reduce = @convention(c) (UnsafeMutablePointer<UInt8>, UnsafePointer<UInt8>) -> Void
        typealias SHA512 = @convention(c) (UnsafeMutablePointer<UInt8>, UnsafePointer<UInt8>, UInt64) -> Int32
        let reduce = unsafeBitCast(
            try #require(Ed25519.libsodiumSymbol("crypto_core_ed25519_scalar_reduce")), to: Reduce.self)
        let sha512 = unsafeBitCast(try #require(Ed25519.libsodiumSymbol("crypto_hash_sha512")), to: SHA512.self)
        var inputs: [[UInt8]] = [
            [UInt8](repeating: 0, count: 64), [UInt8](repeating: 0xff, count: 64),
            Self.L + [UInt8](repeating: 0, count: 32),
        ]
        for _ in 0..<500 { inputs.append(SecureRandom.bytes(64)) }
        for x in inputs {
            var expected = [UInt8](repeating: 0, count: 32)
            reduce(&expected, x)
            #expect(Ed25519Scalar.reduce(x) == expected, "\(Hex.encode(x))")
            var h = [UInt8](repeating: 0, count: 64)
            _ = sha512(&h, x, UInt64(x.count))
            #expect(Ed25519Scalar.sha512(x) == h)
        }
    }

    // MARK: Mixed-order keys and R (built with libsodium's point arithmetic)

    /// Cases where a cofactored verifier and a cofactorless one disagree: libsodium checks
    /// the cofactorless equation, and so must the fallback.
    @Test(.enabled(if: bothAvailable, "needs libsodium.so.23 for point arithmetic"))
    func mixedOrderKeysAndR() throws {
        let cases = try MixedOrder().cases()
        #expect(cases.count == 5)
        for backend in Self.backends {
            for c in cases {
                #expect(
                    Ed25519.verify(signature: c.signature, message: c.message, publicKey: c.publicKey, backend: backend)
                        == c.valid,
                    "\(c.name) with \(Ed25519.name(of: backend))")
            }
        }
    }

    // MARK: Differential

    /// Random keys and messages, then random damage: both backends sign alike and agree.
    @Test(.enabled(if: bothAvailable, "needs both backends"))
    func backendsAgreeOnRandomInputs() {
        var rng = SystemRandomNumberGenerator()
        for i in 0..<1500 {
            let seed = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let sodiumKey = SigningKey(seed: seed, backend: .libsodium)!
            let opensslKey = SigningKey(seed: seed, backend: .openssl)!
            #expect(sodiumKey.verifyingKey == opensslKey.verifyingKey)
            let msg = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let sig = sodiumKey.signature(for: msg)
            #expect(opensslKey.signature(for: msg) == sig)
            var pk = sodiumKey.verifyingKey.rawRepresentation
            var t = sig
            switch i % 6 {
            case 0: break
            case 1: t[Int.random(in: 0..<64, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            case 2: pk[Int.random(in: 0..<32, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            case 3: t[63] = UInt8.random(in: 0x10...0xff, using: &rng)  // S near or above L
            case 4: pk = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }  // often off the curve
            default: t = Self.smallOrder[i % 7] + Array(t[32...])
            }
            let a = Ed25519.verify(signature: t, message: msg, publicKey: pk, backend: .libsodium)
            let b = Ed25519.verify(signature: t, message: msg, publicKey: pk, backend: .openssl)
            #expect(a == b, "case \(i): key \(Hex.encode(pk)) sig \(Hex.encode(t)) msg \(Hex.encode(msg))")
            if i % 6 == 0 { #expect(a) }
        }
    }

    // MARK: Speed

    /// Not a timed test: prints each backend's raw single-core verify rate.
    @Test func verifyRates() {
        let key = SigningKey(seed: [UInt8](repeating: 9, count: 32), backend: .openssl)!
        let msg = Array("raw verify rate ................................................".utf8)
        let sig = key.signature(for: msg)
        let pk = key.verifyingKey.rawRepresentation
        for backend in Self.backends {
            var n = 0
            var ok = true
            let t0 = Date()
            while Date().timeIntervalSince(t0) < 0.5 {
                for _ in 0..<32 {
                    ok = Ed25519.verify(signature: sig, message: msg, publicKey: pk, backend: backend) && ok
                }
                n += 32
            }
            #expect(ok)
            print(
                "Ed25519 verify, \(Ed25519.name(of: backend)): \(Int(Double(n) / Date().timeIntervalSince(t0)))/s on "
                    + "one core"
            )
        }
        if !Self.bothAvailable { print("Ed25519: libsodium.so.23 not found; only the OpenSSL backend was tested") }
    }
}

// MARK: Helpers

private func hex(_ s: String) -> [UInt8] { Hex.decode(s)! }

/// a + b for 32-byte little-endian integers (the sum must fit).
private func add(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 32)
    var carry = 0
    for i in 0..<32 {
        let v = Int(a[i]) + Int(b[i]) + carry
        out[i] = UInt8(v & 0xff)
        carry = v >> 8
    }
    precondition(carry == 0)
    return out
}

/// a − 1 for a 32-byte little-endian integer a > 0.
private func sub1(_ a: [UInt8]) -> [UInt8] {
    var out = a
    var i = 0
    while out[i] == 0 {
        out[i] = 0xff
        i += 1
    }
    out[i] -= 1
    return out
}

/// Builds signatures with a torsion component from libsodium's `crypto_core_ed25519_*`.
private struct MixedOrder {
    typealias ScalarRandom = @convention(c) (UnsafeMutablePointer<UInt8>) -> Void
    typealias ScalarOp =
        @convention(c) (UnsafeMutablePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>) -> Void
    typealias Reduce = @convention(c) (UnsafeMutablePointer<UInt8>, UnsafePointer<UInt8>) -> Void
    typealias PointAdd =
        @convention(c) (UnsafeMutablePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>) -> Int32
    typealias BaseMul = @convention(c) (UnsafeMutablePointer<UInt8>, UnsafePointer<UInt8>) -> Int32
    typealias SHA512 = @convention(c) (UnsafeMutablePointer<UInt8>, UnsafePointer<UInt8>, UInt64) -> Int32

    let random: ScalarRandom, mul: ScalarOp, addScalar: ScalarOp, reduce: Reduce
    let addPoint: PointAdd, baseMul: BaseMul, sha512: SHA512

    struct Missing: Error { let name: String }

    init() throws {
        func f<T>(_ name: String, _: T.Type) throws -> T {
            guard let p = Ed25519.libsodiumSymbol(name) else { throw Missing(name: name) }
            return unsafeBitCast(p, to: T.self)
        }
        random = try f("crypto_core_ed25519_scalar_random", ScalarRandom.self)
        mul = try f("crypto_core_ed25519_scalar_mul", ScalarOp.self)
        addScalar = try f("crypto_core_ed25519_scalar_add", ScalarOp.self)
        reduce = try f("crypto_core_ed25519_scalar_reduce", Reduce.self)
        addPoint = try f("crypto_core_ed25519_add", PointAdd.self)
        baseMul = try f("crypto_scalarmult_ed25519_base_noclamp", BaseMul.self)
        sha512 = try f("crypto_hash_sha512", SHA512.self)
    }

    func scalar() -> [UInt8] {
        var s = [UInt8](repeating: 0, count: 32)
        random(&s)
        return s
    }
    func point(_ k: [UInt8]) -> [UInt8] {
        var p = [UInt8](repeating: 0, count: 32)
        precondition(baseMul(&p, k) == 0)
        return p
    }
    func plus(_ p: [UInt8], _ q: [UInt8]) -> [UInt8] {
        var o = [UInt8](repeating: 0, count: 32)
        precondition(addPoint(&o, p, q) == 0)
        return o
    }
    /// H(R || A || M) reduced mod L.
    func challenge(_ r: [UInt8], _ a: [UInt8], _ m: [UInt8]) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 64)
        let input = r + a + m
        _ = sha512(&h, input, UInt64(input.count))
        var out = [UInt8](repeating: 0, count: 32)
        reduce(&out, h)
        return out
    }
    /// r + h·a mod L.
    func response(_ r: [UInt8], _ h: [UInt8], _ a: [UInt8]) -> [UInt8] {
        var ha = [UInt8](repeating: 0, count: 32)
        var s = [UInt8](repeating: 0, count: 32)
        mul(&ha, h, a)
        addScalar(&s, r, ha)
        return s
    }

    func cases() throws -> [Ed25519BackendTests.Case] {
        let torsion = Ed25519BackendTests.smallOrder[2]  // a point of order 8
        let a = scalar()
        let bigA = point(a)
        let mixedA = plus(bigA, torsion)  // a key with a torsion component
        var out = [Ed25519BackendTests.Case]()
        // Mixed-order key: the cofactorless equation holds exactly when 8 divides h.
        var found = (divisible: false, notDivisible: false)
        var n = 0
        while !(found.divisible && found.notDivisible) {
            n += 1
            let m = Array("mixed-order key \(n)".utf8)
            let r = scalar()
            let bigR = point(r)
            let h = challenge(bigR, mixedA, m)
            let sig = bigR + response(r, h, a)
            if h[0] & 7 == 0 && !found.divisible {
                found.divisible = true
                out.append(
                    .init(name: "mixed-order key, 8 | h", publicKey: mixedA, message: m, signature: sig, valid: true))
            } else if h[0] & 7 != 0 && !found.notDivisible {
                found.notDivisible = true
                out.append(
                    .init(name: "mixed-order key, 8 ∤ h", publicKey: mixedA, message: m, signature: sig, valid: false))
            }
        }
        // Mixed-order R: valid for a cofactored verifier only.
        let m = Array("mixed-order R".utf8)
        let r = scalar()
        let mixedR = plus(point(r), torsion)
        let h = challenge(mixedR, bigA, m)
        out.append(
            .init(
                name: "mixed-order R", publicKey: bigA, message: m, signature: mixedR + response(r, h, a), valid: false)
        )
        // R = the identity with S = h·a satisfies the equation (S·B = h·A = R + h·A); only the
        // small-order check on R refuses it.
        let identity = Ed25519BackendTests.smallOrder[1]
        let mi = Array("identity R".utf8)
        out.append(
            .init(
                name: "R = identity, S = h·a", publicKey: bigA, message: mi,
                signature: identity + response([UInt8](repeating: 0, count: 32), challenge(identity, bigA, mi), a),
                valid: false))
        // And the plain signature with the same key, for contrast.
        let r2 = scalar()
        let bigR2 = point(r2)
        out.append(
            .init(
                name: "prime-order key and R", publicKey: bigA, message: m,
                signature: bigR2 + response(r2, challenge(bigR2, bigA, m), a), valid: true))
        return out
    }
}
