import Foundation

/// A channel's `rate` as a token bucket: up to one second's worth of deliveries (at least one) may go
/// at once, then one per `1/rate` seconds. Callers reserve a slot and wait until it, so concurrent
/// workers get distinct slots and a recovering channel is fed at its rate, not flooded.
public struct TokenBucket: Sendable, Equatable {
    public let perSecond: Double
    public let capacity: Double
    private var tokens: Double
    private var updatedAt: Date?

    public init(rate: Rate) {
        perSecond = rate.perSecond
        capacity = max(1, perSecond.rounded(.down))
        tokens = capacity
    }

    /// Reserves the next slot and returns when it starts: `now` when a token is available, later otherwise.
    public mutating func reserve(now: Date) -> Date {
        if let updatedAt, now > updatedAt {
            tokens = min(capacity, tokens + now.timeIntervalSince(updatedAt) * perSecond)
        }
        updatedAt = max(updatedAt ?? now, now)
        tokens -= 1
        guard tokens < 0 else { return now }
        return now + (-tokens) / perSecond
    }
}
