import Foundation

/// When a transiently failed message is tried again: the configured backoff step for the attempt
/// number (the last step repeats), spread by ±`jitter` so a recovering receiver is not hit by a
/// synchronised wave, and never earlier than a receiver's `Retry-After`.
public struct RetryPolicy: Sendable {
    public var backoff: [Duration]
    /// Fraction of the step added or removed at random (0.2 → ±20 %).
    public var jitter: Double

    public init(backoff: [Duration], jitter: Double = 0.2) {
        precondition(!backoff.isEmpty, "backoff needs at least one step")
        self.backoff = backoff
        self.jitter = jitter
    }

    /// The un-jittered delay after the `failures`-th consecutive failure (1-based).
    public func step(afterFailure failures: Int) -> Duration {
        backoff[min(max(failures, 1), backoff.count) - 1]
    }

    /// The delay before the next attempt.
    /// - Parameters:
    ///   - failures: consecutive failures so far on this channel (1 after the first).
    ///   - retryAfter: what the receiver asked for; the result is never shorter.
    public func delay(afterFailure failures: Int, retryAfter: Duration? = nil, using generator: inout some RandomNumberGenerator) -> Duration {
        let base = step(afterFailure: failures)
        let factor = jitter > 0 ? Double.random(in: (1 - jitter)...(1 + jitter), using: &generator) : 1
        let jittered = base * factor
        guard let retryAfter else { return jittered }
        return max(jittered, retryAfter)
    }

    public func delay(afterFailure failures: Int, retryAfter: Duration? = nil) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterFailure: failures, retryAfter: retryAfter, using: &generator)
    }
}

extension Duration {
    /// Seconds as a `TimeInterval`.
    public var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
