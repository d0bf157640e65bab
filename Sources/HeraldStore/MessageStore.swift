import Foundation
import HeraldCore

/// The durable queue: notices, their messages, and every attempt.
///
/// Both backends (SQLite embedded, PostgreSQL for many nodes) keep the same contract, which the store
/// conformance suites test on each:
/// - `enqueue` writes a notice and all its messages in one transaction: whole or nothing.
/// - `claim` hands out messages as leases with an owner and an expiry; an expired lease is claimable again.
/// - every state change (`record`) is one transaction, applied only while the caller still holds the lease.
public protocol MessageStore: RecipientDirectory, IdempotencyLedger, IncidentLog, DigestLedger {
    /// Writes the notice and every message `messages` produces, in batches, atomically. If the source
    /// throws, nothing is kept. Older undelivered messages with the same collapse key and recipient
    /// become `superseded` in the same transaction.
    /// - Returns: how many messages were queued.
    func enqueue(_ notice: Notice, messages: sending some MessageSource) async throws -> Int

    /// Queues a notice with one message (a single send). Concurrent calls may share one transaction
    /// (group commit), each still all or nothing; when this returns, the message is durable.
    func enqueue(_ notice: Notice, message: NewMessage) async throws

    /// Leases up to `limit` due messages to `owner` until `now + lease`: highest priority first,
    /// newest first within a priority. Other owners' leases that expired before `now` are claimable
    /// again; `owner`'s own never are (a live worker is still delivering them, however late).
    func claim(owner: String, limit: Int, now: Date, lease: Duration) async throws -> [QueuedMessage]

    /// Applies delivery results for messages `owner` holds. Results for leases the owner lost are ignored.
    func record(_ results: [DeliveryResult], owner: String, now: Date) async throws

    /// Gives back `owner`'s leases (graceful shutdown) so other workers can take them at once.
    func releaseLeases(owner: String, now: Date) async throws

    /// Extends every lease `owner` still holds to `now + lease`, so a worker that is alive keeps its
    /// messages however long their deliveries take; only a worker that stops renewing loses them.
    func renewLeases(owner: String, now: Date, lease: Duration) async throws

    /// Writes and commits one probe row, so readiness fails when the store cannot take writes: a
    /// read-only file, a full disk, a server that is down or read-only, a write lock held elsewhere.
    func checkWritable(now: Date) async throws

    /// A notice by id.
    func notice(id: String) async throws -> Notice?

    /// Message counts by state for one notice, or for the whole queue when `noticeID` is `nil`.
    func counts(noticeID: String?) async throws -> StateCounts

    /// One message with its attempt ledger.
    func message(id: String) async throws -> MessageDetail?

    /// Messages matching the filter, oldest first.
    func messages(_ filter: MessageFilter) async throws -> [MessageDetail]

    /// A message's state now; workers check it just before sending, so a message superseded or
    /// cancelled after it was claimed is never sent.
    func state(ofMessage id: String) async throws -> MessageState?

    /// Cancels a notice's messages that are queued or waiting to retry; messages in flight finish.
    /// - Returns: how many were cancelled.
    func cancel(noticeID: String, reason: String, now: Date) async throws -> Int

    /// Cancels one message that is queued, waiting to retry, or `sending` under a lease that expired
    /// before `now` (its worker died, or it crash-looped on it); a message a live worker holds finishes.
    /// - Returns: whether it was cancelled.
    func cancel(messageID: String, reason: String, now: Date) async throws -> Bool

    /// Queues final messages again from the first channel of their route, expiring `expiresAt` at the earliest.
    /// - Parameters:
    ///   - ids: these messages (failed, expired or cancelled); or, when `nil`, every failed message of `noticeID`
    ///     (of the whole queue when that is `nil` too) that failed at or after `since`.
    /// - Returns: the ids queued again.
    func requeue(ids: [String]?, failedIn noticeID: String?, since: Date?, expiresAt: Date, now: Date) async throws -> [String]

    /// Records a channel's circuit state so every process (`herald status`, other workers' operators) sees it.
    func saveCircuit(_ circuit: CircuitRecord) async throws

    /// Each channel that has a circuit record or messages: its circuit and delivered/failed counts.
    func channelSummaries() async throws -> [ChannelSummary]

    /// Closes connections.
    func close() async throws
}

/// A channel's circuit breaker state as last saved.
public struct CircuitRecord: Sendable, Hashable {
    public var channel: String
    public var state: CircuitBreaker.State
    public var consecutiveFailures: Int
    public var changedAt: Date

    public init(channel: String, state: CircuitBreaker.State, consecutiveFailures: Int, changedAt: Date) {
        self.channel = channel
        self.state = state
        self.consecutiveFailures = consecutiveFailures
        self.changedAt = changedAt
    }
}

/// What `herald status` shows per channel.
public struct ChannelSummary: Sendable, Hashable, Codable {
    public var name: String
    public var circuit: CircuitBreaker.State
    /// Messages whose last attempt was on this channel, by final outcome.
    public var delivered: Int
    public var failed: Int
    /// Messages not final whose last attempt was on this channel (waiting to retry, or in flight).
    public var queued: Int

    public init(name: String, circuit: CircuitBreaker.State, delivered: Int, failed: Int, queued: Int = 0) {
        self.name = name
        self.circuit = circuit
        self.delivered = delivered
        self.failed = failed
        self.queued = queued
    }
}

/// Produces a notice's messages in batches, e.g. while streaming an audience file, so a broadcast of
/// any size is written without holding all its messages in memory. Throwing aborts the whole enqueue.
public protocol MessageSource: AnyObject {
    /// The next batch of at most `limit` messages, or `nil` when done.
    func nextBatch(limit: Int) throws -> [NewMessage]?
}

/// A message about to be queued.
public struct NewMessage: Sendable, Hashable {
    public var id: String
    public var recipient: Recipient

    public init(id: String, recipient: Recipient) {
        self.id = id
        self.recipient = recipient
    }
}

/// A `MessageSource` over messages already in memory (single sends, tests, inline API recipients).
public final class ArrayMessageSource: MessageSource {
    private var remaining: ArraySlice<NewMessage>

    public init(_ messages: [NewMessage]) { self.remaining = messages[...] }

    public func nextBatch(limit: Int) throws -> [NewMessage]? {
        guard !remaining.isEmpty else { return nil }
        let batch = remaining.prefix(limit)
        remaining = remaining.dropFirst(limit)
        return Array(batch)
    }
}

/// What a worker learned delivering one message, applied by `MessageStore.record`.
public struct DeliveryResult: Sendable, Hashable {
    public var messageID: String
    /// Attempts to append to the ledger, in order (channels skipped, then the one tried).
    public var attempts: [Attempt]
    public var transition: Transition

    public init(messageID: String, attempts: [Attempt], transition: Transition) {
        self.messageID = messageID
        self.attempts = attempts
        self.transition = transition
    }

    /// The message's next state.
    public enum Transition: Sendable, Hashable {
        /// A channel accepted it.
        case delivered(channel: String)
        /// Try again at `at`, on the channel at `routeIndex` of the route.
        /// `failures` counts consecutive failures on that channel (0 after moving to a new channel).
        case retry(at: Date, routeIndex: Int, failures: Int, channelSince: Date?, error: String)
        /// Final failure with its last error.
        case failed(error: String)
        /// It expired undelivered, with its last error.
        case expired(error: String)
        /// A newer message replaced it, or its broadcast was cancelled, before it was sent.
        case dropped(MessageState, reason: String)
    }
}

/// A message with everything `herald messages` and `GET /v1/messages/{id}` show.
public struct MessageDetail: Sendable, Hashable {
    public var message: QueuedMessage
    /// The channel of the last attempt.
    public var channel: String?
    public var nextAttemptAt: Date?
    public var attemptLog: [Attempt]

    public init(message: QueuedMessage, channel: String?, nextAttemptAt: Date?, attemptLog: [Attempt]) {
        self.message = message
        self.channel = channel
        self.nextAttemptAt = nextAttemptAt
        self.attemptLog = attemptLog
    }
}

/// Which messages `MessageStore.messages` returns.
public struct MessageFilter: Sendable, Hashable {
    public var noticeID: String?
    public var state: MessageState?
    public var limit: Int

    public init(noticeID: String? = nil, state: MessageState? = nil, limit: Int = 1000) {
        self.noticeID = noticeID
        self.state = state
        self.limit = limit
    }
}
