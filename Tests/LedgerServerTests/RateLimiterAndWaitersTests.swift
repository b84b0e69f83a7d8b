import LedgerServer
import Testing

/// The token buckets of `--rate-limit` and the waits of `?wait=1`, on their own.
@Suite struct RateLimiterAndWaitersTests {
    @Test func aBucketHoldsRateTokensAndRefillsAtRateASecond() {
        let limiter = RateLimiter(rate: 4)
        let t0 = ContinuousClock.now
        let key: [UInt8] = [1, 2, 3]
        for _ in 0..<4 { #expect(limiter.take(key, now: t0) == nil) }
        #expect(limiter.take(key, now: t0) == 1, "empty: retry after a second at most")
        #expect(limiter.take([9], now: t0) == nil, "another key has its own bucket")
        #expect(limiter.take(key, now: t0 + .milliseconds(260)) == nil, "one token back after 1/4 s")
        #expect(limiter.take(key, now: t0 + .milliseconds(270)) != nil)
        // Idle for long, the bucket is full again, never more than full.
        for _ in 0..<4 { #expect(limiter.take(key, now: t0 + .seconds(60)) == nil) }
        #expect(limiter.take(key, now: t0 + .seconds(60)) != nil)
    }

    @Test func idleKeysAreForgottenWithoutChangingTheirBuckets() {
        let limiter = RateLimiter(rate: 1, maxKeys: 10)
        let t0 = ContinuousClock.now
        for k in 0..<10 { #expect(limiter.take([UInt8(k)], now: t0) == nil) }
        // Two seconds later the eleventh key prunes the ten idle, full buckets.
        #expect(limiter.take([100], now: t0 + .seconds(2)) == nil)
        #expect(limiter.trackedKeys == 1)
        #expect(limiter.take([0], now: t0 + .seconds(2)) == nil, "a forgotten key starts with a full bucket")
        #expect(limiter.take([0], now: t0 + .seconds(2)) != nil)
    }

    @Test func waitsEndWhenCoveredAtTheirDeadlineOrOnShutdown() async {
        let waiters = CheckpointWaiters(published: 3)
        #expect(await waiters.wait(for: 2, until: .now), "already covered: at once")
        async let covered = waiters.wait(for: 5, until: .now + .seconds(60))
        async let late = waiters.wait(for: 9, until: .now + .milliseconds(1))
        async let closed = waiters.wait(for: 20, until: .now + .seconds(60))
        while waiters.count < 3 { await Task.yield() }
        waiters.publish(size: 5)
        #expect(waiters.count == 3, "size 5 does not cover entry 5")
        waiters.publish(size: 6)
        #expect(await covered)
        try? await Task.sleep(for: .milliseconds(5))
        waiters.expire()
        #expect(await late == false)
        waiters.close()
        #expect(await closed == false)
        #expect(await waiters.wait(for: 30, until: .now + .seconds(60)) == false, "after shutdown: at once")
    }
}
