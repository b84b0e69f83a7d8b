import LedgerCrypto

/// The rule that ties an author's claimed time to the log's integration time
/// (specs/ledger-format.md §5, "Time").
///
/// The log's time never decreases. When the log's clock has moved past the previous entry's
/// time, the entry gets the clock's time and the claimed time must lie within
/// ``toleranceSeconds`` of it. When the clock is behind the previous entry's time (the clock
/// jumped back, or earlier entries were postdated), the entry keeps the previous entry's
/// time, so that log time stays monotonic, and the claimed time is checked against the
/// log's clock on append; a verifier can then only check that the claim is not later than
/// the entry's time plus the tolerance. Witness cosignatures bound the log's time from
/// above (see ``Auditor``).
public enum TimeRule {
    /// How far an author's claimed time may be from the log's time, in seconds.
    public static let toleranceSeconds: Int64 = 600

    /// The integration time of the next entry: the clock's reading, or the previous entry's
    /// time when the clock is behind it.
    public static func integrationTime(clock: Timestamp, previous: Timestamp?) -> Timestamp {
        guard let previous else { return clock }
        return max(clock, previous)
    }

    /// Checks, as a verifier can, an entry's claimed time against its integration time.
    /// - Parameters:
    ///   - previous: the previous entry's integration time (nil for entry 0).
    public static func check(claimed: Timestamp, entryTime: Timestamp, previous: Timestamp?) throws(LedgerError) {
        let ahead = claimed.secondsSinceEpoch - entryTime.secondsSinceEpoch
        guard ahead <= toleranceSeconds else {
            throw .timeSkew(
                "claimed time \(claimed) is \(ahead) s after the integration time \(entryTime), over the "
                    + "\(toleranceSeconds) s tolerance"
            )
        }
        let held = previous.map { $0 == entryTime } ?? false
        guard held || -ahead <= toleranceSeconds else {
            throw .timeSkew(
                "claimed time \(claimed) is \(-ahead) s before the integration time \(entryTime), over the "
                    + "\(toleranceSeconds) s tolerance"
            )
        }
    }

    /// Checks on append a claimed time against the log machine's clock.
    public static func checkOnAppend(claimed: Timestamp, clock: Timestamp) throws(LedgerError) {
        let skew = claimed.secondsSinceEpoch - clock.secondsSinceEpoch
        guard abs(skew) <= toleranceSeconds else {
            throw .timeSkew(
                "claimed time \(claimed) is \(abs(skew)) s from the log's clock \(clock), over the \(toleranceSeconds) "
                    + "s tolerance"
            )
        }
    }
}

extension Entry {
    /// The statement hash of a canonical leaf: `SHA-256(domain || statement bytes)`, the
    /// statement's bytes being a slice of the leaf. Nil when the leaf has no statement.
    public static func statementHash(inCanonicalLeaf leaf: ArraySlice<UInt8>) -> Digest? {
        guard let st = statementBytes(inCanonicalLeaf: leaf) else { return nil }
        return Statement.domain.withUnsafeBytes { d in st.withUnsafeBytes { SHA256.hash(d, $0) } }
    }
}
