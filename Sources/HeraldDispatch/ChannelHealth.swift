import Foundation
import HeraldCore
import HeraldStore
import Synchronization

/// The circuit breakers of every channel, shared by all workers of a process.
public final class ChannelHealth: Sendable {
    private let breakers: Mutex<[String: CircuitBreaker]>
    private let settings: CircuitSettings

    public init(channels: [String], settings: CircuitSettings) {
        self.settings = settings
        self.breakers = Mutex(
            Dictionary(uniqueKeysWithValues: channels.map { ($0, CircuitBreaker(openAfter: settings.openAfter, cooldown: settings.cooldown)) })
        )
    }

    /// Whether `channel` takes a delivery now (an open circuit does not; a half-open one admits a few probes).
    public func admit(_ channel: String, now: Date) -> Bool {
        breakers.withLock { $0[channel]?.admit(now: now) ?? true }
    }

    /// Feeds an admitted delivery's outcome to the channel's breaker.
    /// - Returns: the new record when the circuit changed state (to be saved), else `nil`.
    public func record(_ channel: String, failure: DeliveryError?, now: Date) -> CircuitRecord? {
        breakers.withLock { breakers in
            guard var breaker = breakers[channel] else { return nil }
            let before = breaker.state
            breaker.record(failure, now: now)
            breakers[channel] = breaker
            guard breaker.state != before else { return nil }
            return CircuitRecord(channel: channel, state: breaker.state, consecutiveFailures: breaker.consecutiveFailures, changedAt: now)
        }
    }

    /// Gives back an admission that was not used for a delivery.
    public func release(_ channel: String) {
        breakers.withLock { $0[channel]?.release() }
    }

    /// The earliest time one of these channels' open circuits lets probes through again.
    public func reopensAt(_ channels: [String]) -> Date? {
        breakers.withLock { breakers in channels.compactMap { breakers[$0]?.reopensAt }.min() }
    }

    /// A channel's current state.
    public func state(of channel: String) -> CircuitBreaker.State {
        breakers.withLock { $0[channel]?.state ?? .closed }
    }
}
