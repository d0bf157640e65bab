import Foundation
import HeraldCore
import Testing

@Suite("Circuit breaker")
struct CircuitBreakerTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)
    let down = DeliveryError(reason: .connection, isRetryable: true, detail: "refused")

    func admit(_ breaker: inout CircuitBreaker, at date: Date) -> Bool { breaker.admit(now: date) }

    @Test func opensAfterConsecutiveChannelFailures() {
        var breaker = CircuitBreaker(openAfter: 3, cooldown: .seconds(15))
        for _ in 0..<2 {
            #expect(admit(&breaker, at: start) == true)
            breaker.record(down, now: start)
        }
        #expect(breaker.state == .closed)
        breaker.record(nil, now: start)
        #expect(breaker.consecutiveFailures == 0, "a success resets the count")
        for _ in 0..<3 { breaker.record(down, now: start) }
        #expect(breaker.state == .open)
        #expect(admit(&breaker, at: start + 14) == false)
        #expect(breaker.reopensAt == start + 15)
    }

    @Test func rejectionsAndRateLimitsDoNotOpenIt() {
        var breaker = CircuitBreaker(openAfter: 1, cooldown: .seconds(15))
        breaker.record(DeliveryError(reason: .rejected, isRetryable: false, detail: "410"), now: start)
        breaker.record(DeliveryError(reason: .rateLimited, isRetryable: true, detail: "429"), now: start)
        #expect(breaker.state == .closed)
    }

    @Test func halfOpenAdmitsAFewProbesThenClosesOnSuccess() {
        var breaker = CircuitBreaker(openAfter: 1, cooldown: .seconds(15), probes: 2)
        breaker.record(down, now: start)
        #expect(admit(&breaker, at: start + 15) == true)
        #expect(breaker.state == .halfOpen)
        #expect(admit(&breaker, at: start + 15) == true)
        #expect(admit(&breaker, at: start + 15) == false, "only two probes at a time")
        breaker.record(nil, now: start + 16)
        #expect(breaker.state == .closed)
        #expect(admit(&breaker, at: start + 16) == true)
    }

    @Test func aFailedProbeReopensForAnotherCooldown() {
        var breaker = CircuitBreaker(openAfter: 1, cooldown: .seconds(15))
        breaker.record(down, now: start)
        #expect(admit(&breaker, at: start + 20) == true)
        breaker.record(down, now: start + 21)
        #expect(breaker.state == .open)
        #expect(admit(&breaker, at: start + 30) == false)
        #expect(admit(&breaker, at: start + 36) == true)
    }
}

@Suite("Token bucket")
struct TokenBucketTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)

    func reserve(_ bucket: inout TokenBucket, at date: Date) -> Date { bucket.reserve(now: date) }

    @Test func allowsOneSecondOfBurstThenSpacesSlotsByTheRate() {
        var bucket = TokenBucket(rate: Rate(count: 4, per: .seconds(1)))
        let slots = (0..<8).map { _ in reserve(&bucket, at: start) }
        #expect(slots.prefix(4).allSatisfy { $0 == start })
        #expect(slots.dropFirst(4).map { $0.timeIntervalSince(start) } == [0.25, 0.5, 0.75, 1.0])
    }

    @Test func slowRatesAllowOneAtATime() {
        var bucket = TokenBucket(rate: Rate(count: 30, per: .seconds(60)))
        #expect(reserve(&bucket, at: start) == start)
        #expect(reserve(&bucket, at: start) == start + 2)
        #expect(reserve(&bucket, at: start + 10) == start + 10, "tokens refill while idle")
    }

    @Test func refillsNeverExceedTheBurst() {
        var bucket = TokenBucket(rate: Rate(count: 2, per: .seconds(1)))
        _ = reserve(&bucket, at: start)
        let later = start + 3600
        let slots = (0..<3).map { _ in reserve(&bucket, at: later) }
        #expect(slots == [later, later, later + 0.5])
    }
}
