import Foundation

/// One entry of `canaries:`: Herald's own test notice (the shipped `canary` template), sent through
/// one channel to an operator-owned contact point every `every`, so a dead channel opens its circuit
/// before a real notice meets it.
public struct CanarySettings: Sendable, Hashable {
    /// The shipped template canaries and drills send.
    public static let template = "canary"
    /// The shortest period a canary may have.
    public static let shortestPeriod: Duration = .seconds(10)

    public var channel: String
    /// The contact point, in the form the channel's kind needs (an address, a number, a URL); empty
    /// for an outbox, or a webhook channel with its own `url`.
    public var to: String
    public var every: Duration

    public init(channel: String, to: String, every: Duration = .seconds(300)) {
        self.channel = channel
        self.to = to
        self.every = every
    }

    /// The slot a canary belongs to at `now`: the start of the current period, counted from the epoch,
    /// so every node of a fleet computes the same slot.
    public func slot(at now: Date) -> Date {
        let period = every.timeInterval
        return Date(timeIntervalSince1970: (now.timeIntervalSince1970 / period).rounded(.down) * period)
    }

    /// The name its slots are claimed under in the store (`DigestLedger`), so one node sends each slot once.
    public var ledgerName: String { "canary:\(channel)" }

    /// The recipient a canary on a channel of `kind` is sent to.
    public func recipient(kind: ChannelKind) -> Recipient {
        let value = to.isEmpty ? nil : to
        let contacts: ContactPoints =
            switch kind.contact {
            case .email: ContactPoints(email: value)
            case .phone: ContactPoints(phone: value)
            case .webhook: ContactPoints(webhook: value)
            case nil: ContactPoints()
            }
        return Recipient(id: ledgerName, name: "Herald canary", contacts: contacts)
    }
}

/// A canary's last result on its channel, as the store keeps it: the last attempt a `canary` notice
/// made there, delivered or not.
public struct CanaryResult: Sendable, Hashable, Codable {
    public var channel: String
    public var delivered: Bool
    /// The failure in plain words; `nil` when delivered.
    public var detail: String?
    public var at: Date

    public init(channel: String, delivered: Bool, detail: String? = nil, at: Date) {
        self.channel = channel
        self.delivered = delivered
        self.detail = detail
        self.at = at
    }
}

/// A channel's canary as `herald status`, `/v1/channels` and the metrics show it.
public struct CanaryStatus: Sendable, Hashable, Encodable {
    /// `delivered`, `failed`, or `none` before the first result.
    public var result: String
    public var detail: String?
    public var at: Date?
    public var ageSeconds: Int?
    /// Older than three periods (or none yet): the canary says nothing current about the channel.
    public var stale: Bool

    enum CodingKeys: String, CodingKey {
        case result, detail, at, stale
        case ageSeconds = "age_seconds"
    }

    public init(settings: CanarySettings, last: CanaryResult?, now: Date) {
        result = last.map { $0.delivered ? "delivered" : "failed" } ?? "none"
        detail = last?.detail
        at = last?.at
        ageSeconds = last.map { Int(max(0, now.timeIntervalSince($0.at)).rounded(.down)) }
        stale = last.map { now.timeIntervalSince($0.at) > 3 * settings.every.timeInterval } ?? true
    }

    /// `delivered 42 s ago`, `failed 3 m ago (connection refused)`, `none yet`, with `, stale` past three periods.
    public var summary: String {
        guard let ageSeconds else { return "none yet" }
        let age = ageSeconds < 120 ? "\(ageSeconds) s" : ageSeconds < 7200 ? "\(ageSeconds / 60) m" : "\(ageSeconds / 3600) h"
        return "\(result) \(age) ago\(detail.map { " (\($0))" } ?? "")\(stale ? ", stale" : "")"
    }
}
