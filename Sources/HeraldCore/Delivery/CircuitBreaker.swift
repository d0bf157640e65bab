import Foundation

/// One channel's circuit breaker, as a pure state machine driven by the caller's clock.
///
/// - closed: deliveries flow; `openAfter` consecutive channel failures (connection errors, timeouts,
///   5xx) open it.
/// - open: the channel is passed over, so messages move to the next channel of their route at once
///   instead of each waiting out its own timeouts; after `cooldown` it turns half-open.
/// - half-open: up to `probes` deliveries at a time test the channel; a success closes the circuit,
///   a channel failure opens it again for another cooldown.
public struct CircuitBreaker: Sendable, Equatable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case closed, open
        case halfOpen = "half_open"
    }

    public private(set) var state: State = .closed
    public private(set) var consecutiveFailures = 0
    public private(set) var openedAt: Date?
    private var probesInFlight = 0
    public let openAfter: Int
    public let cooldown: Duration
    public let probes: Int

    public init(openAfter: Int, cooldown: Duration, probes: Int = 2) {
        self.openAfter = openAfter
        self.cooldown = cooldown
        self.probes = probes
    }

    /// Asks to send one delivery now. In half-open state this takes one of the probe slots, which
    /// `record` gives back.
    public mutating func admit(now: Date) -> Bool {
        switch state {
        case .closed:
            return true
        case .open:
            guard let openedAt, now.timeIntervalSince(openedAt) >= cooldown.timeInterval else { return false }
            state = .halfOpen
            probesInFlight = 1
            return true
        case .halfOpen:
            guard probesInFlight < probes else { return false }
            probesInFlight += 1
            return true
        }
    }

    /// When an open circuit lets probes through again.
    public var reopensAt: Date? {
        guard state == .open, let openedAt else { return nil }
        return openedAt + cooldown.timeInterval
    }

    /// Gives back an admitted slot that was not used (the message could not be rendered for the channel).
    public mutating func release() {
        if state == .halfOpen { probesInFlight = max(0, probesInFlight - 1) }
    }

    /// The outcome of an admitted delivery: `nil` when the channel accepted it; a failure counts only
    /// if it says the channel itself is unhealthy (a 4xx rejection shows a working channel).
    public mutating func record(_ failure: DeliveryError?, now: Date) {
        if state == .halfOpen { probesInFlight = max(0, probesInFlight - 1) }
        guard let failure, failure.isChannelFailure else {
            if failure?.reason != .rateLimited {
                state = .closed
                consecutiveFailures = 0
                openedAt = nil
            }
            return
        }
        consecutiveFailures += 1
        if state == .halfOpen || consecutiveFailures >= openAfter {
            state = .open
            openedAt = now
            probesInFlight = 0
        }
    }
}
