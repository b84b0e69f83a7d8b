import LedgerCrypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The rules for witness cosignatures shared by `checkpoint --attach`, `verify` and the
/// auditor (specs/ledger-format.md §8).
public enum CosignaturePolicy {
    /// Most cosignature lines a stored checkpoint carries besides the log's own signature: a
    /// stored checkpoint has at most `1 + maxCosignatures` signature lines.
    public static let maxCosignatures = 32

    /// How far a cosignature timestamp may be ahead of the verifier's clock, in seconds (the
    /// same tolerance as for an author's claimed time). A later one is flagged and not counted.
    public static let futureTolerance: UInt64 = 600

    /// Whether `time` is more than ``futureTolerance`` ahead of `now`.
    public static func isFuture(_ time: UInt64, now: UInt64) -> Bool {
        time > now && time - now > futureTolerance
    }

    /// The verifier's clock, in seconds since the epoch: `LEDGER_NOW` (an RFC 3339 date-time,
    /// ``Timestamp/init(rfc3339DateTime:)``) when set, as for the command line's log clock,
    /// otherwise the system clock. (`ledger` refuses to start with a `LEDGER_NOW` it cannot read.)
    public static func now() -> UInt64 {
        if let s = getenv("LEDGER_NOW").map({ String(cString: $0) }), let t = Timestamp(rfc3339DateTime: s) {
            return UInt64(max(0, t.secondsSinceEpoch))
        }
        return UInt64(max(0, SystemClock.secondsSinceEpoch()))
    }

    /// The last second RFC 3339's four-digit years can write, 9999-12-31T23:59:59Z.
    public static let lastRFC3339Second: UInt64 = 253_402_300_799

    /// A cosignature timestamp as people read it: RFC 3339 in UTC (`2026-03-01T09:30:00Z`), or,
    /// for a timestamp after year 9999 (which C2SP tlog-cosignature allows up to 2^63 − 1),
    /// the number of seconds said as such.
    public static func timeText(_ time: UInt64) -> String {
        guard time <= lastRFC3339Second else { return "\(time) s after the epoch (after year 9999)" }
        return Timestamp(secondsSinceEpoch: Int64(time)).rfc3339
    }

    /// The witness keys as cosigner keys (``NoteVerifierKey/asCosigner``), without repeats, and
    /// without any key whose public key is the log's: the log cannot witness itself.
    public static func cosignerKeys(_ witnesses: [NoteVerifierKey], logKey: NoteVerifierKey?) -> [NoteVerifierKey] {
        var out = [NoteVerifierKey]()
        for w in witnesses.map(\.asCosigner) where !out.contains(w) {
            if let logKey, w.hasSamePublicKey(as: logKey) { continue }
            out.append(w)
        }
        return out
    }
}

/// The valid cosignatures of a checkpoint from a set of witness keys.
public struct CosignatureSet: Sendable {
    /// One valid cosignature line.
    public struct Cosignature: Sendable, Hashable, CustomStringConvertible {
        /// The witness's cosigner (type 0x04) key.
        public let key: NoteVerifierKey
        /// The cosignature's timestamp, seconds since the epoch.
        public let time: UInt64
        /// The 1-based number of the line among the note's signature lines.
        public let line: Int

        /// ``time`` in RFC 3339 (``CosignaturePolicy/timeText(_:)``).
        public var timeText: String { CosignaturePolicy.timeText(time) }

        /// `<witness name> at <RFC 3339 time>`, as `verify` prints it.
        public var description: String { "\(key.name) at \(timeText)" }
    }

    /// The cosignatures that count: valid, timestamped at most ``CosignaturePolicy/futureTolerance``
    /// ahead of the verifier's clock, and one per distinct Ed25519 public key (the first line).
    public internal(set) var counted: [Cosignature] = []
    /// Valid cosignatures timestamped too far in the future: flagged, never counted.
    public internal(set) var future: [Cosignature] = []
    /// Valid cosignatures by a public key that already counts (the same key under another
    /// name, or a repeated line): not counted again.
    public internal(set) var repeated: [Cosignature] = []
}

extension SignedCheckpoint {
    /// The cosignatures of this checkpoint by `witnesses` (0x01 keys stand for their 0x04
    /// cosigner keys), classified by ``CosignatureSet``. Lines by other keys are ignored.
    /// - Parameters:
    ///   - logKey: the log's key; a witness key with the same public key is ignored.
    ///   - now: the verifier's clock (seconds since the epoch).
    /// - Throws: `.badSignature` naming the line when a line under a witness's name and key ID
    ///   does not verify (wrong length, a timestamp above 2^63 − 1, or a bad signature): the
    ///   note is rejected, as Go's `note.Open` rejects a bad signature by a known key.
    public func cosignatures(witnesses: [NoteVerifierKey], logKey: NoteVerifierKey?, now: UInt64)
        throws(LedgerError) -> CosignatureSet
    {
        let keys = CosignaturePolicy.cosignerKeys(witnesses, logKey: logKey)
        var valid = [CosignatureSet.Cosignature]()
        for (i, s) in note.signatures.enumerated() {
            guard let key = keys.first(where: { $0.name == s.name && $0.keyID == s.keyID }) else { continue }
            do throws(LedgerError) {
                let t = try note.verify(s, by: key) ?? 0
                valid.append(CosignatureSet.Cosignature(key: key, time: t, line: i + 1))
            } catch {
                throw error.prefixed("signature line \(i + 1) (witness \(key.name)+\(NoteName.hex8(key.keyID))): ")
            }
        }
        var set = CosignatureSet()
        for c in valid {
            if CosignaturePolicy.isFuture(c.time, now: now) {
                set.future.append(c)
            } else if set.counted.contains(where: { $0.key.hasSamePublicKey(as: c.key) }) {
                set.repeated.append(c)
            } else {
                set.counted.append(c)
            }
        }
        return set
    }
}
