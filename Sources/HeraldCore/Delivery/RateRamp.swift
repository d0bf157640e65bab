import Foundation

/// How fast a channel with a `rate` may go: its full rate, or — for `circuit.ramp` after its circuit
/// closed on a recovery — from 10 % of it rising evenly to 100 %, so a channel that just came back
/// is not flooded with the whole backlog at once.
public struct RateRamp: Sendable, Equatable {
    public let rate: Rate
    public let ramp: Duration

    /// The share of the rate a recovering channel starts at.
    public static let startingShare = 0.1

    public init(rate: Rate, ramp: Duration) {
        self.rate = rate
        self.ramp = ramp
    }

    /// Seconds between two slots at `now`, for a channel that recovered at `recoveredAt` (`nil`: never down).
    public func interval(now: Date, recoveredAt: Date?) -> TimeInterval {
        1 / (rate.perSecond * share(now: now, recoveredAt: recoveredAt))
    }

    /// The share of the full rate allowed at `now`.
    public func share(now: Date, recoveredAt: Date?) -> Double {
        guard let recoveredAt, ramp > .zero else { return 1 }
        let elapsed = now.timeIntervalSince(recoveredAt)
        guard elapsed >= 0 else { return Self.startingShare }
        return min(1, Self.startingShare + (1 - Self.startingShare) * elapsed / ramp.timeInterval)
    }
}
