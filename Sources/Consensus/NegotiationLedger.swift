import LedgerCore

/// When a question is asked: the latest state, after a given entry, or at a given log time.
public enum AsOf: Sendable, Hashable {
    case latest
    /// After entry `index` (entries `0...index`), at that entry's log time.
    case index(UInt64)
    /// After every entry whose log time is at or before `time`, at `time`.
    case time(Timestamp)

    /// Parses `--as-of`: a decimal entry index or an RFC 3339 time.
    public init?(argument s: String) {
        if let i = UInt64(s) {
            self = .index(i)
        } else if let t = Timestamp(rfc3339: s) {
            self = .time(t)
        } else if let t = Timestamp(date: s) {
            self = .time(t)
        } else {
            return nil
        }
    }
}

extension Ledger where Rules == NegotiationRules {
    /// The negotiation state as of `asOf`, and the instant the answer refers to.
    ///
    /// For ``AsOf/latest`` the instant is `now` if given (the log clock), but never earlier than
    /// the last entry's log time.
    public func negotiationState(asOf: AsOf, now: Timestamp? = nil) throws(LedgerError) -> (NegotiationRules, Timestamp)
    {
        switch asOf {
        case .latest:
            let s = try parallelState()
            return (s, max(now ?? s.lastTime, s.lastTime))
        case .index(let i):
            guard let n = Int64(exactly: i), n < size else {
                throw LedgerError.notFound("entry \(i) does not exist (the ledger has \(size) entries)")
                    .concerning(.asOf)
            }
            let s = try parallelState(upTo: n + 1)
            return (s, s.lastTime)
        case .time(let t):
            // Log times never decrease, so the entries at or before t form a prefix.
            var lo: Int64 = 0
            var hi = size
            while lo < hi {
                let mid = (lo + hi) / 2
                if try entry(mid).time <= t { lo = mid + 1 } else { hi = mid }
            }
            return (try parallelState(upTo: lo), t)
        }
    }
}
