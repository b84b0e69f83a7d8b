import Synchronization

/// A token bucket per key: each key may spend `rate` tokens a second, with bursts of up to
/// `rate` (a full bucket). A key whose bucket is empty is told how long to wait.
///
/// Memory stays bounded: when more than ``maxKeys`` keys are tracked, the buckets that have
/// refilled (keys idle for a second or more) are forgotten, which changes nothing for them.
package final class RateLimiter: Sendable {
    private struct Bucket: Sendable {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    /// Tokens a second per key (also the burst size).
    package let rate: Int
    /// Keys tracked before full buckets are pruned.
    package let maxKeys: Int
    private let buckets = Mutex<[[UInt8]: Bucket]>([:])
    /// The monotonic clock (in tests, one they set).
    private let clock: @Sendable () -> ContinuousClock.Instant

    package init(
        rate: Int, maxKeys: Int = 10_000, clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        precondition(rate >= 1)
        self.rate = rate
        self.maxKeys = maxKeys
        self.clock = clock
    }

    /// The number of keys tracked now.
    package var trackedKeys: Int { buckets.withLock { $0.count } }

    /// Takes one token for `key`: nil when there was one, else the whole seconds to wait
    /// until there is (at least 1), for `Retry-After`.
    package func take(_ key: [UInt8], now given: ContinuousClock.Instant? = nil) -> Int? {
        let capacity = Double(rate)
        let now = given ?? clock()
        return buckets.withLock { map -> Int? in
            var b = map[key] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = now - b.updated
            let seconds = elapsed / .seconds(1)
            b.tokens = min(capacity, b.tokens + max(0, seconds) * capacity)
            b.updated = now
            defer {
                if map.count > maxKeys { RateLimiter.prune(&map, now: now) }
            }
            guard b.tokens >= 1 else {
                map[key] = b
                return max(1, Int(((1 - b.tokens) / capacity).rounded(.up)))
            }
            b.tokens -= 1
            map[key] = b
            return nil
        }
    }

    /// Gives back the token that `take` took for `key` (never beyond a full bucket): a
    /// statement the ledger refused costs its signer nothing, so that re-posting a key's old
    /// statements (all public) cannot spend that key's budget.
    package func refund(_ key: [UInt8]) {
        let capacity = Double(rate)
        buckets.withLock { map in
            guard var b = map[key] else { return }
            b.tokens = min(capacity, b.tokens + 1)
            map[key] = b
        }
    }

    /// Drops the buckets that would be full by `now`.
    private static func prune(_ map: inout [[UInt8]: Bucket], now: ContinuousClock.Instant) {
        map = map.filter { _, b in now - b.updated < .seconds(1) }
    }
}
