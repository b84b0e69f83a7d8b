import LedgerCore
import LedgerCrypto

/// The strict Ed25519 vectors (`ed25519-strict.json`): what libsodium's
/// `crypto_sign_verify_detached` (1.0.18) accepts and refuses, and so what every signature check
/// of the ledger accepts (statements, checkpoints, cosignatures).
extension TestVectors {
    /// The encodings libsodium treats as small-order public keys (its blocklist), with their
    /// order. All have an order dividing 8.
    static let smallOrderKeys: [(String, String)] = [
        ("0100000000000000000000000000000000000000000000000000000000000000", "the identity (order 1)"),
        ("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", "y = −1 (order 2)"),
        ("0000000000000000000000000000000000000000000000000000000000000000", "y = 0 (order 4)"),
        ("0000000000000000000000000000000000000000000000000000000000000080", "y = 0 with the sign bit set (order 4)"),
        ("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", "a point of order 8"),
        ("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", "a point of order 8"),
        (
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "y = p, a non-canonical encoding of y = 0 (order 4)"
        ),
        (
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "y = p + 1, a non-canonical encoding of the identity"
        ),
    ]

    /// The group order L, little-endian.
    static let groupOrderL: [UInt8] = Hex.decode("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")!

    /// k = SHA-512(R || A || M) mod L, little-endian (RFC 8032 §5.1.7).
    static func challenge(r: [UInt8], a: [UInt8], m: [UInt8]) -> [UInt8] {
        Ed25519Scalar.reduce(Ed25519Scalar.sha512(r + a + m))
    }

    /// a + b for 32-byte little-endian numbers (no overflow for the values used here).
    static func add256(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var carry = 0
        for i in 0..<32 {
            let s = Int(a[i]) + Int(b[i]) + carry
            out[i] = UInt8(s & 0xff)
            carry = s >> 8
        }
        return out
    }

    static func ed25519Strict() -> String {
        let key = SigningKey(seed: authorSeed)!
        let pk = key.verifyingKey.rawRepresentation
        let msg = Array("minilateral-ledger ed25519 vector".utf8)
        let sig = key.signature(for: msg)
        let emptySig = key.signature(for: [UInt8]())
        var cases = [(pk: [UInt8], msg: [UInt8], sig: [UInt8], valid: Bool, why: String)]()
        cases.append((pk, msg, sig, true, "valid signature (RFC 8032)"))
        cases.append((pk, [], emptySig, true, "valid signature of the empty message"))
        var flipped = msg
        flipped[0] ^= 1
        cases.append((pk, flipped, sig, false, "message changed"))
        cases.append((pk, msg, Array(sig.prefix(63)), false, "signature of 63 bytes"))
        // S + L verifies under the cofactorless equation [S]B = R + [k]A, since [L]B is the
        // identity; RFC 8032 §5.1.7 and libsodium require S < L.
        let sPlusL = Array(sig.prefix(32)) + add256(Array(sig.suffix(32)), groupOrderL)
        cases.append(
            (pk, msg, sPlusL, false, "non-canonical S: S + L (accepted by a verifier without the S < L check)"))
        var highS = sig
        highS[63] |= 0xe0
        cases.append((pk, msg, highS, false, "S with its top three bits set (S ≥ 2^253 > L)"))
        // Small-order keys: with R = the identity and S = 0, the equation [S]B = R + [k]A
        // holds whenever [k]A is the identity, that is when k ≡ 0 mod 8 for every point of
        // order dividing 8. The message is chosen so that k ≡ 0 mod 8 for each key.
        let identity = Hex.decode("0100000000000000000000000000000000000000000000000000000000000000")!
        let forged = identity + [UInt8](repeating: 0, count: 32)
        for (hex, what) in smallOrderKeys {
            let a = Hex.decode(hex)!
            var i = 0
            var m = Array("small-order key 0".utf8)
            while challenge(r: identity, a: a, m: m)[0] & 7 != 0 {
                i += 1
                m = Array("small-order key \(i)".utf8)
            }
            cases.append(
                (
                    a, m, forged, false,
                    "small-order public key: \(what); R = identity, S = 0 and k ≡ 0 mod 8, so [S]B = R + [k]A "
                        + "holds: a verifier without the small-order check (and, for a non-canonical encoding, "
                        + "the canonical-encoding check) accepts it"
                ))
        }
        // A small-order R with an honest key: libsodium also refuses a small-order R.
        cases.append((pk, msg, identity + Array(sig.suffix(32)), false, "R is the identity (a small-order R)"))
        var arr = [JSONValue]()
        for c in cases {
            let ok = VerifyingKey(rawRepresentation: c.pk)!.isValidSignature(c.sig, for: c.msg)
            precondition(ok == c.valid, "ed25519 vector \(c.why): libsodium says \(ok)")
            arr.append([
                "publicKey": .string(Hex.encode(c.pk)), "message": .string(Hex.encode(c.msg)),
                "signature": .string(Hex.encode(c.sig)), "valid": .bool(c.valid), "why": .string(c.why),
            ])
        }
        return pretty(.array(arr))
    }
}
