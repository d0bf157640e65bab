import Foundation

/// One notice to one recipient, as a worker sees it after claiming it.
public struct QueuedMessage: Sendable, Hashable {
    /// `msg_…`; also the Message-ID, `webhook-id` and SMS `reference` receivers deduplicate on.
    public var id: String
    public var noticeID: String
    public var recipient: Recipient
    public var state: MessageState
    /// Position in the notice's route of the channel to try next.
    public var routeIndex: Int
    /// Attempts made so far on any channel.
    public var attempts: Int
    /// Consecutive failures on the current channel (picks the backoff step).
    public var failures: Int
    /// When the current channel was first tried (for `failover_after`).
    public var channelSince: Date?
    public var lastError: String?
    public var createdAt: Date
    /// When it expires undelivered (the notice's expiry, pushed out when an operator retries it).
    public var expiresAt: Date

    public init(
        id: String,
        noticeID: String,
        recipient: Recipient,
        state: MessageState = .queued,
        routeIndex: Int = 0,
        attempts: Int = 0,
        failures: Int = 0,
        channelSince: Date? = nil,
        lastError: String? = nil,
        createdAt: Date,
        expiresAt: Date = .distantFuture
    ) {
        self.id = id
        self.noticeID = noticeID
        self.recipient = recipient
        self.state = state
        self.routeIndex = routeIndex
        self.attempts = attempts
        self.failures = failures
        self.channelSince = channelSince
        self.lastError = lastError
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// One delivery attempt in a message's ledger.
public struct Attempt: Sendable, Hashable, Codable {
    public var at: Date
    public var channel: String
    public var outcome: Outcome
    /// The reason and detail of a failure; `nil` when delivered.
    public var error: String?

    /// How an attempt ended.
    public enum Outcome: String, Sendable, Codable {
        case delivered
        /// Failed, will be retried on the same channel.
        case transient
        /// Failed for good on this channel.
        case permanent
        /// The channel was passed over without sending (no contact point, open circuit, ...).
        case skipped
    }

    public init(at: Date, channel: String, outcome: Outcome, error: String? = nil) {
        self.at = at
        self.channel = channel
        self.outcome = outcome
        self.error = error
    }
}

/// Per-state message counts of a broadcast or of the whole queue, as `status --json` prints them.
public struct StateCounts: Sendable, Hashable, Codable {
    public var counts: [MessageState: Int]

    public init(counts: [MessageState: Int] = [:]) { self.counts = counts }

    public subscript(state: MessageState) -> Int {
        get { counts[state, default: 0] }
        set { counts[state] = newValue }
    }

    public var total: Int { counts.values.reduce(0, +) }
    /// Messages in a final state.
    public var finished: Int { MessageState.allCases.filter(\.isFinal).reduce(0) { $0 + self[$1] } }
    public var isFinished: Bool { finished == total }

    enum CodingKeys: String, CodingKey { case total, queued, sending, retrying, delivered, failed, superseded, expired, cancelled, suppressed }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var counts: [MessageState: Int] = [:]
        for state in MessageState.allCases {
            if let key = CodingKeys(stringValue: state.rawValue) { counts[state] = try container.decodeIfPresent(Int.self, forKey: key) ?? 0 }
        }
        self.counts = counts
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(total, forKey: .total)
        for state in MessageState.allCases {
            if let key = CodingKeys(stringValue: state.rawValue) { try container.encode(self[state], forKey: key) }
        }
    }
}
