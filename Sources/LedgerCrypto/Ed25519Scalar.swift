import CLibcrypto

/// The two pieces of Ed25519 arithmetic that building test vectors needs, without libsodium:
/// SHA-512 (OpenSSL) and reduction of a 512-bit number modulo the group order L. Not used to
/// sign or verify; slow and simple on purpose.
package enum Ed25519Scalar {
    /// SHA-512 of `bytes`.
    package static func sha512(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        bytes.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in _ = SHA512(b.baseAddress, b.count, o.baseAddress) }
        }
        return out
    }

    /// L = 2^252 + 27742317777372353535851937790883648493 as 64-bit limbs, little-endian.
    private static let order: [UInt64] = [0x5812_631a_5cf5_d3ed, 0x14de_f9de_a2f7_9cd6, 0, 0x1000_0000_0000_0000]

    /// A 64-byte little-endian number modulo L, as 32 little-endian bytes
    /// (libsodium's `crypto_core_ed25519_scalar_reduce`).
    package static func reduce(_ wide: [UInt8]) -> [UInt8] {
        precondition(wide.count == 64)
        var x = (0..<8).map { i in (0..<8).reduce(UInt64(0)) { $0 | UInt64(wide[8 * i + $1]) << (8 * $1) } }
        // Binary long division: subtract L·2^s whenever it fits, for s from 259 (L < 2^253) down.
        for s in stride(from: 259, through: 0, by: -1) {
            let shifted = shiftLeft(order, by: s)
            if !less(x, shifted) { x = subtract(x, shifted) }
        }
        return (0..<32).map { UInt8(truncatingIfNeeded: x[$0 / 8] >> (8 * ($0 % 8))) }
    }

    private static func shiftLeft(_ a: [UInt64], by s: Int) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: 8)
        let limbs = s / 64
        let bits = s % 64
        for i in 0..<a.count where i + limbs < 8 {
            out[i + limbs] |= a[i] << bits
            if bits > 0 && i + limbs + 1 < 8 { out[i + limbs + 1] |= a[i] >> (64 - bits) }
        }
        return out
    }

    private static func less(_ a: [UInt64], _ b: [UInt64]) -> Bool {
        for i in stride(from: 7, through: 0, by: -1) where a[i] != b[i] { return a[i] < b[i] }
        return false
    }

    private static func subtract(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var out = a
        var borrow: UInt64 = 0
        for i in 0..<8 {
            let (d1, o1) = a[i].subtractingReportingOverflow(b[i])
            let (d2, o2) = d1.subtractingReportingOverflow(borrow)
            out[i] = d2
            borrow = (o1 || o2) ? 1 : 0
        }
        return out
    }
}
