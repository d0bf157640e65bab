import Foundation
import HeraldCore

/// Counts by state for a broadcast or the whole queue, as `status --json` and `GET /v1/broadcasts/{id}`
/// print them: `{"id":…,"total":N,"queued":…,…}`, with `"channels"` for the whole queue.
public struct StatusReport: Encodable, Sendable {
    public var id: String?
    public var counts: StateCounts
    public var channels: [ChannelStatus]?

    public init(id: String?, counts: StateCounts, channels: [ChannelStatus]? = nil) {
        self.id = id
        self.counts = counts
        self.channels = channels
    }

    public func encode(to encoder: any Encoder) throws {
        try counts.encode(to: encoder)
        var container = encoder.container(keyedBy: NamedCodingKey.self)
        try container.encodeIfPresent(id, forKey: NamedCodingKey("id"))
        try container.encodeIfPresent(channels, forKey: NamedCodingKey("channels"))
    }
}

/// A message as `messages --json` and `GET /v1/messages/{id}` print it: state, channel and the attempt ledger.
extension MessageDetail: Encodable {
    enum CodingKeys: String, CodingKey { case id, broadcast_id, recipient, state, channel, attempts, last_error, next_attempt_at }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(message.id, forKey: .id)
        try container.encode(message.noticeID, forKey: .broadcast_id)
        try container.encode(message.recipient.id, forKey: .recipient)
        try container.encode(message.state.rawValue, forKey: .state)
        try container.encodeIfPresent(channel, forKey: .channel)
        try container.encode(attemptLog, forKey: .attempts)
        try container.encodeIfPresent(message.lastError, forKey: .last_error)
        try container.encodeIfPresent(message.state.isFinal ? nil : nextAttemptAt, forKey: .next_attempt_at)
    }
}

/// A configured channel as `herald status`, `GET /v1/channels` and `/metrics` show it: its circuit
/// and the messages whose last attempt was on it.
public struct ChannelStatus: Encodable, Sendable, Hashable {
    public var name: String
    public var kind: ChannelKind
    public var circuit: CircuitBreaker.State
    public var delivered: Int
    public var failed: Int
    public var queued: Int
    /// Why routes pass the channel over now, when a service it depends on is impaired: `depends on Messenger (outage)`.
    public var heldBack: String?
    /// The channel's canary, when `canaries:` has one for it.
    public var canary: CanaryStatus?

    enum CodingKeys: String, CodingKey { case name, kind, circuit, delivered, failed, queued, canary, heldBack = "held_back" }
}

extension QueueQueries {
    /// Every configured channel in configuration order, with its saved circuit state and counts
    /// (closed and zero when it has none yet), whether an impaired service holds it back, and its
    /// canary's last result and age at `now`.
    public func channelReport(for configuration: HeraldConfiguration, now: Date) async throws -> [ChannelStatus] {
        let saved = Dictionary(uniqueKeysWithValues: try await channelSummaries().map { ($0.name, $0) })
        let fate = configuration.channels.contains { !$0.dependsOn.isEmpty } ? try await sharedFate() : .clear
        let proofs = configuration.canaries.isEmpty ? [:] : Dictionary(try await canaryResults().map { ($0.channel, $0) }, uniquingKeysWith: { $1 })
        return configuration.channels.map { channel in
            let summary = saved[channel.name] ?? ChannelSummary(name: channel.name, circuit: .closed, delivered: 0, failed: 0)
            return ChannelStatus(
                name: channel.name, kind: channel.kind, circuit: summary.circuit, delivered: summary.delivered, failed: summary.failed,
                queued: summary.queued, heldBack: fate.holdingBack(channel).map { RoutePlanner.SkipReason.heldBack(service: $0.service, status: $0.status).description },
                canary: configuration.canaries.first { $0.channel == channel.name }.map { CanaryStatus(settings: $0, last: proofs[channel.name], now: now) }
            )
        }
    }
}
