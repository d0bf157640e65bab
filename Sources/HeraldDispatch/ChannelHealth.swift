import Foundation
import HeraldCore
import HeraldStore
import Synchronization

/// The circuit breakers of every channel, shared by all workers of a process, and — for channels —
/// by every node of a fleet through the store.
///
/// A breaker is keyed by a channel's name, or for a webhook sent to a recipient's own URL by the
/// channel and that URL's `host:port` (see `key(channel:destination:)`): one tenant's broken receiver
/// opens its own circuit, never the channel's. Destination breakers live in memory only, at most
/// `maximumDestinations` of them. Channel breakers' changes are stored, and `sync(with:now:)` brings
/// in what other nodes stored and claims the half-open probe in the store, so one node probes a
/// recovering channel and every node acts on the result.
public final class ChannelHealth: Sendable {
    private let breakers: Mutex<[String: CircuitBreaker]>
    private let channels: Set<String>
    private let settings: CircuitSettings
    /// The services channels depend on, as the store's open incidents last said; and which channels that held back.
    private let fateNow = Mutex<(fate: SharedFate, heldBack: Set<String>)>((.clear, []))
    /// Each channel with `depends_on`, by name.
    private let dependents: [String: ChannelSettings]
    /// Past this many destination breakers, the closed ones are forgotten.
    static let maximumDestinations = 10_000

    /// - Parameter dependents: the channels with `depends_on`, whose services `sync(with:now:)` follows.
    public init(channels: [String], settings: CircuitSettings, dependents: [ChannelSettings] = []) {
        self.settings = settings
        self.channels = Set(channels)
        self.dependents = Dictionary(dependents.filter { !$0.dependsOn.isEmpty }.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.breakers = Mutex(
            Dictionary(
                uniqueKeysWithValues: channels.map {
                    ($0, CircuitBreaker(openAfter: settings.openAfter, cooldown: settings.cooldown, claimsProbes: true))
                }
            )
        )
    }

    /// The breaker key of a delivery on `channel`, to `destination` (`host:port`) when the recipient chose it.
    public static func key(channel: String, destination: String?) -> String {
        destination.map { "\(channel) \($0)" } ?? channel
    }

    /// Whether the breaker `key` takes a delivery now (an open circuit does not; a half-open one admits a few probes).
    public func admit(_ key: String, now: Date) -> Bool {
        breakers.withLock { breakers in
            if breakers[key] == nil, !channels.contains(key) {
                if breakers.count - channels.count >= Self.maximumDestinations {
                    breakers = breakers.filter { channels.contains($0.key) || $0.value.state != .closed }
                }
                breakers[key] = CircuitBreaker(openAfter: settings.openAfter, cooldown: settings.cooldown)
            }
            return breakers[key]?.admit(now: now) ?? true
        }
    }

    /// Feeds an admitted delivery's outcome to the breaker `key`.
    /// - Returns: the new record when the circuit changed state, else `nil`. A channel's record is
    ///   saved to the store (`isChannel`); a destination's lives in memory only.
    public func record(_ key: String, failure: DeliveryError?, now: Date) -> CircuitRecord? {
        breakers.withLock { breakers in
            guard var breaker = breakers[key] else { return nil }
            let before = breaker.state
            breaker.record(failure, now: now)
            breakers[key] = breaker
            guard breaker.state != before else { return nil }
            return CircuitRecord(channel: key, state: breaker.state, consecutiveFailures: breaker.consecutiveFailures, changedAt: now)
        }
    }

    /// Whether `key` is a channel's breaker (rather than a destination's on a channel).
    public func isChannel(_ key: String) -> Bool { channels.contains(key) }

    /// Gives back an admission that was not used for a delivery.
    public func release(_ key: String) {
        breakers.withLock { $0[key]?.release() }
    }

    /// The earliest time one of these breakers' open circuits lets probes through again.
    public func reopensAt(_ keys: [String]) -> Date? {
        breakers.withLock { breakers in keys.compactMap { breakers[$0]?.reopensAt }.min() }
    }

    /// A breaker's current state.
    public func state(of key: String) -> CircuitBreaker.State {
        breakers.withLock { $0[key]?.state ?? .closed }
    }

    /// When the channel's circuit last closed after being open, here or on another node.
    public func recoveredAt(_ channel: String) -> Date? {
        breakers.withLock { $0[channel]?.recoveredAt }
    }

    /// What open incidents say about the services channels depend on, as last synced.
    public var fate: SharedFate { fateNow.withLock { $0.fate } }

    /// Brings the channels' breakers up to date with the fleet: adopts every state another node
    /// stored more recently than this node knows, then, for each open circuit whose cooldown has
    /// passed, claims the probe in the store; the one node that wins turns half-open and probes.
    /// - Returns: the changes this node made (probes it won), for the log.
    public func sync(with store: any DeliveryQueue, now: Date) async throws -> [CircuitRecord] {
        let stored = try await store.circuits()
        let waiting = breakers.withLock { breakers -> [String] in
            for record in stored where channels.contains(record.channel) {
                breakers[record.channel]?.adopt(record.state, since: record.changedAt, consecutiveFailures: record.consecutiveFailures)
            }
            return channels.sorted().filter { breakers[$0]?.awaitsProbe(now: now) ?? false }
        }
        var granted: [CircuitRecord] = []
        for channel in waiting where try await store.claimProbe(channel: channel, now: now, cooldown: settings.cooldown) {
            let record = breakers.withLock { breakers -> CircuitRecord? in
                guard var breaker = breakers[channel], breaker.awaitsProbe(now: now) else { return nil }
                breaker.grantProbe(now: now)
                breakers[channel] = breaker
                return CircuitRecord(channel: channel, state: .halfOpen, consecutiveFailures: breaker.consecutiveFailures, changedAt: now)
            }
            if let record { granted.append(record) }
        }
        return granted
    }

    /// Reads what the store's open incidents say about the services channels depend on (when some
    /// channel has `depends_on`). A channel no longer held back resumes: its rate ramps up again.
    /// - Returns: the channels newly held back (with why) and those resumed, for the log.
    public func followFate(in store: any DeliveryQueue, now: Date) async throws -> (heldBack: [(channel: String, reason: String)], resumed: [String]) {
        guard !dependents.isEmpty else { return ([], []) }
        let fate = try await store.sharedFate()
        let heldBack = Set(dependents.values.filter { fate.holdingBack($0) != nil }.map(\.name))
        let (newlyHeld, resumed) = fateNow.withLock { current in
            defer { current = (fate, heldBack) }
            return (heldBack.subtracting(current.heldBack), current.heldBack.subtracting(heldBack))
        }
        breakers.withLock { breakers in
            for channel in resumed { breakers[channel]?.resume(now: now) }
        }
        let reasons = newlyHeld.sorted().compactMap { channel -> (channel: String, reason: String)? in
            guard let settings = dependents[channel], let (service, status) = fate.holdingBack(settings) else { return nil }
            return (channel, RoutePlanner.SkipReason.heldBack(service: service, status: status).description)
        }
        return (reasons, resumed.sorted())
    }
}

/// One delivery's admission through a breaker, held for the delivery's length: recorded with the
/// outcome once something was sent, and given back otherwise. It cannot be copied, and dropping it
/// unrecorded gives it back, so no exit path of the pipeline can keep a half-open probe forever.
struct CircuitAdmission: ~Copyable {
    private let health: ChannelHealth
    let key: String
    private var recorded = false

    /// Holds the admission `health.admit(key, now:)` just granted.
    init(adopting key: String, in health: ChannelHealth) {
        self.health = health
        self.key = key
    }

    /// Feeds the delivery's outcome to the breaker.
    /// - Returns: the new record when a channel's circuit changed state (to be saved).
    consuming func record(_ failure: DeliveryError?, now: Date) -> CircuitRecord? {
        recorded = true
        return health.record(key, failure: failure, now: now)
    }

    deinit {
        if !recorded { health.release(key) }
    }
}
