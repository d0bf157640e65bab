/// Picks the channel a message goes to: walking its route from the current position, the first
/// channel that can reach the recipient and is available. Channels passed over are reported so the
/// attempt ledger shows the path taken.
public struct RoutePlanner: Sendable {
    public var channels: [String: ChannelSettings]

    public init(channels: [ChannelSettings]) {
        self.channels = Dictionary(channels.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Why a channel of the route was passed over; its description is what the attempt ledger says.
    public enum SkipReason: Sendable, Hashable, CustomStringConvertible {
        /// The route names a channel the config does not have.
        case notConfigured
        /// The recipient has no contact point of the kind the channel needs.
        case noContact(ContactKind?, recipient: String)
        /// The channel's circuit (or the recipient's destination's) is open.
        case circuitOpen
        /// The message has waited on the channel longer than `failover_after`.
        case failoverAfter(Duration)
        /// The contact point the channel would use is on the suppression list.
        case suppressed(ContactPoint, SuppressionReason)
        /// The channel depends on a service an open incident marks `outage` or `degraded`.
        case heldBack(service: String, status: Incident.ServiceStatus)

        public var description: String {
            switch self {
            case .notConfigured: "channel not configured"
            case .noContact(let kind, let recipient): "no \(kind?.rawValue ?? "contact") for recipient \(recipient)"
            case .circuitOpen: "circuit open"
            case .failoverAfter(let wait): "undelivered for \(DurationParser.format(wait)) (failover_after)"
            case .suppressed(let contact, let reason): "\(contact) is suppressed (\(reason.rawValue))"
            case .heldBack(let service, let status): "depends on \(service) (\(status.rawValue))"
            }
        }

        /// Whether an impaired service it depends on holds the channel back.
        public var isHeldBack: Bool {
            if case .heldBack = self { true } else { false }
        }
    }

    /// A channel passed over, and why.
    public struct Skip: Sendable, Hashable {
        public var channel: String
        public var reason: SkipReason

        public init(channel: String, reason: SkipReason) {
            self.channel = channel
            self.reason = reason
        }
    }

    /// The channel to deliver on: its position in the route and its name.
    public struct Target: Sendable, Hashable {
        public var index: Int
        public var channel: String

        public init(index: Int, channel: String) {
            self.index = index
            self.channel = channel
        }
    }

    /// The outcome of planning one message.
    public struct Plan: Sendable, Hashable {
        /// Where to deliver, or `nil` when the route is exhausted.
        public var target: Target?
        /// Channels passed over, with why, in route order.
        public var skipped: [Skip]

        public init(target: Target?, skipped: [Skip]) {
            self.target = target
            self.skipped = skipped
        }

        /// Why the message ends `suppressed` when the plan has no target: the walk stopped at a
        /// contact point whose person said no, or every contact point it could have used is suppressed.
        /// `nil` when something else (no contact, an open circuit) left it without a channel.
        public var suppression: String? {
            guard target == nil else { return nil }
            var reasons: [String] = []
            for skip in skipped {
                switch skip.reason {
                case .suppressed: reasons.append(skip.reason.description)
                case .noContact, .notConfigured: continue
                case .circuitOpen, .failoverAfter, .heldBack: return nil
                }
            }
            return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
        }
    }

    /// Plans from `start` onward. A channel whose contact point is suppressed is passed over; one whose
    /// person said no (unsubscribed, complained) ends the walk: the message goes nowhere else either.
    /// - Parameter consent: the suppressed contact points and the notice's category.
    /// - Parameter fate: the impaired services channels depend on; a channel held back by one is passed
    ///   over before its circuit breaker is asked, so it takes no probe and no failure.
    /// - Parameter isAvailable: whether a channel takes traffic now (the circuit breaker's seam).
    public func plan(
        route: [String], from start: Int, recipient: Recipient, consent: Consent = .unrestricted, fate: SharedFate = .clear,
        isAvailable: (String) -> Bool = { _ in true }
    ) -> Plan {
        var skipped: [Skip] = []
        for index in route.indices where index >= start {
            let name = route[index]
            guard let settings = channels[name] else {
                skipped.append(Skip(channel: name, reason: .notConfigured))
                continue
            }
            if !settings.canReach(recipient) {
                skipped.append(Skip(channel: name, reason: .noContact(settings.kind.contact, recipient: recipient.id)))
            } else if !consent.suppressed.isEmpty, let contact = settings.contactPoint(for: recipient), let reason = consent.block(contact) {
                skipped.append(Skip(channel: name, reason: .suppressed(contact, reason)))
                if reason.endsMessage { return Plan(target: nil, skipped: skipped) }
            } else if let (service, status) = fate.holdingBack(settings) {
                skipped.append(Skip(channel: name, reason: .heldBack(service: service, status: status)))
            } else if !isAvailable(name) {
                skipped.append(Skip(channel: name, reason: .circuitOpen))
            } else {
                return Plan(target: Target(index: index, channel: name), skipped: skipped)
            }
        }
        return Plan(target: nil, skipped: skipped)
    }

    /// Why the message ends `suppressed` whatever the circuits do, or `nil`: planned from the start of
    /// the route as if every channel were available.
    public func suppression(route: [String], recipient: Recipient, consent: Consent) -> String? {
        guard !consent.suppressed.isEmpty else { return nil }
        return plan(route: route, from: 0, recipient: recipient, consent: consent).suppression
    }

    /// The contact points of `recipient` that the channels of `route` would use, for looking up suppressions.
    public func contactPoints(of recipient: Recipient, route: [String]) -> [ContactPoint] {
        route.compactMap { channels[$0]?.contactPoint(for: recipient) }
    }

    /// Whether any channel of the route can reach the recipient at all (checked when a message is accepted).
    public func canReach(_ recipient: Recipient, route: [String]) -> Bool {
        route.contains { channels[$0]?.canReach(recipient) ?? false }
    }
}
