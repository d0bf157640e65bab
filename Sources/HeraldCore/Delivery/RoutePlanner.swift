/// Picks the channel a message goes to: walking its route from the current position, the first
/// channel that can reach the recipient and is available. Channels passed over are reported so the
/// attempt ledger shows the path taken.
public struct RoutePlanner: Sendable {
    public var channels: [String: ChannelSettings]

    /// The reason recorded for a channel passed over because its circuit is open.
    public static let circuitOpen = "circuit open"

    public init(channels: [ChannelSettings]) {
        self.channels = Dictionary(channels.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The outcome of planning one message.
    public struct Plan: Sendable, Equatable {
        /// Route position and channel name to deliver on, or `nil` when the route is exhausted.
        public var target: (index: Int, channel: String)?
        /// Channels passed over, with why.
        public var skipped: [(channel: String, reason: String)]

        public init(target: (index: Int, channel: String)?, skipped: [(channel: String, reason: String)]) {
            self.target = target
            self.skipped = skipped
        }

        public static func == (lhs: Plan, rhs: Plan) -> Bool {
            lhs.target?.index == rhs.target?.index && lhs.target?.channel == rhs.target?.channel
                && lhs.skipped.map(\.channel) == rhs.skipped.map(\.channel) && lhs.skipped.map(\.reason) == rhs.skipped.map(\.reason)
        }
    }

    /// Plans from `start` onward.
    /// - Parameter isAvailable: whether a channel takes traffic now (the circuit breaker's seam).
    public func plan(route: [String], from start: Int, recipient: Recipient, isAvailable: (String) -> Bool = { _ in true }) -> Plan {
        var skipped: [(channel: String, reason: String)] = []
        var index = start
        while index < route.count {
            let name = route[index]
            if let settings = channels[name] {
                if !settings.canReach(recipient) {
                    skipped.append((name, "no \(settings.kind.contact?.rawValue ?? "contact") for recipient \(recipient.id)"))
                } else if !isAvailable(name) {
                    skipped.append((name, Self.circuitOpen))
                } else {
                    return Plan(target: (index, name), skipped: skipped)
                }
            } else {
                skipped.append((name, "channel not configured"))
            }
            index += 1
        }
        return Plan(target: nil, skipped: skipped)
    }

    /// Whether any channel of the route can reach the recipient at all (checked when a message is accepted).
    public func canReach(_ recipient: Recipient, route: [String]) -> Bool {
        route.contains { channels[$0]?.canReach(recipient) ?? false }
    }
}
