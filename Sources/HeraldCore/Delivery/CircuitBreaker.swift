import Foundation

/// One channel's circuit breaker, as a pure state machine driven by the caller's clock.
///
/// - closed: deliveries flow; `openAfter` consecutive channel failures (connection errors, timeouts,
///   5xx) open it.
/// - open: the channel is passed over, so messages move to the next channel of their route at once
///   instead of each waiting out its own timeouts; after `cooldown` it turns half-open.
/// - half-open: up to `probes` deliveries at a time test the channel; a success closes the circuit,
///   a channel failure opens it again for another cooldown.
///
/// A breaker shared by a fleet (`claimsProbes`) does not turn half-open by itself after the cooldown:
/// the node that wins the probe in the store is granted it (`grantProbe`), and every node adopts the
/// states the others stored (`adopt`).
public struct CircuitBreaker: Sendable, Equatable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case closed, open
        case halfOpen = "half_open"
    }

    public private(set) var state: State = .closed
    public private(set) var consecutiveFailures = 0
    public private(set) var openedAt: Date?
    /// When the state last changed here or was adopted from the store; `nil` until it first changes.
    public private(set) var changedAt: Date?
    /// When the circuit last closed after being open: a recovering channel's rate ramps up from here.
    public private(set) var recoveredAt: Date?
    private var probesInFlight = 0
    public let openAfter: Int
    public let cooldown: Duration
    public let probes: Int
    /// Whether probes after the cooldown wait for `grantProbe` (a fleet's shared circuit).
    public let claimsProbes: Bool

    public init(openAfter: Int, cooldown: Duration, probes: Int = 2, claimsProbes: Bool = false) {
        self.openAfter = openAfter
        self.cooldown = cooldown
        self.probes = probes
        self.claimsProbes = claimsProbes
    }

    /// Asks to send one delivery now. In half-open state this takes one of the probe slots, which
    /// `record` gives back.
    public mutating func admit(now: Date) -> Bool {
        switch state {
        case .closed:
            return true
        case .open:
            guard !claimsProbes, let openedAt, now.timeIntervalSince(openedAt) >= cooldown.timeInterval else { return false }
            state = .halfOpen
            changedAt = now
            probesInFlight = 1
            return true
        case .halfOpen:
            guard probesInFlight < probes else { return false }
            probesInFlight += 1
            return true
        }
    }

    /// Whether the cooldown of an open circuit has passed, so a probe may be claimed.
    public func awaitsProbe(now: Date) -> Bool {
        guard state == .open, let reopensAt else { return false }
        return now >= reopensAt
    }

    /// Turns an open circuit half-open: this node won the probe.
    public mutating func grantProbe(now: Date) {
        guard state == .open else { return }
        state = .halfOpen
        changedAt = now
        probesInFlight = 0
    }

    /// A channel that was held back by a service it depends on takes traffic again as a recovering
    /// one does: its rate ramps up from `now` (`recoveredAt`). Its circuit, untouched while it was
    /// held back, goes on deciding from the first delivery, as always.
    public mutating func resume(now: Date) {
        recoveredAt = now
    }

    /// Takes the state another node stored, when it is newer than what this breaker knows. Another
    /// node's half-open circuit is open here: that node probes, and its result arrives the same way.
    public mutating func adopt(_ stored: State, since: Date, consecutiveFailures failures: Int) {
        if let changedAt, changedAt >= since { return }
        changedAt = since
        probesInFlight = 0
        switch stored {
        case .closed:
            if state != .closed { recoveredAt = since }
            state = .closed
            consecutiveFailures = 0
            openedAt = nil
        case .open, .halfOpen:
            state = .open
            consecutiveFailures = max(consecutiveFailures, failures)
            openedAt = since
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
                if state != .closed {
                    changedAt = now
                    recoveredAt = now
                }
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
            changedAt = now
            probesInFlight = 0
        }
    }
}
