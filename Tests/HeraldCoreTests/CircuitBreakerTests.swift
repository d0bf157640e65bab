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

@Suite("Rate ramp")
struct RateRampTests {
    let start = Date(timeIntervalSince1970: 1_790_000_000)
    let ramp = RateRamp(rate: Rate(count: 20, per: .seconds(1)), ramp: .seconds(60))

    @Test func aChannelThatNeverWentDownGoesAtItsRate() {
        #expect(ramp.interval(now: start, recoveredAt: nil) == 0.05)
    }

    @Test func aRecoveredChannelRampsFromATenthToAllOfItsRate() {
        #expect(ramp.share(now: start, recoveredAt: start) == 0.1)
        #expect(abs(ramp.share(now: start + 30, recoveredAt: start) - 0.55) < 1e-9)
        #expect(ramp.share(now: start + 60, recoveredAt: start) == 1)
        #expect(ramp.share(now: start + 3600, recoveredAt: start) == 1)
        #expect(abs(ramp.interval(now: start, recoveredAt: start) - 0.5) < 1e-9, "2 per second at first")
    }
}
