import Foundation
import HeraldCore

/// The durable queue: notices, their messages, and every attempt.
///
/// Every backend (SQLite embedded, PostgreSQL for many nodes, memory for tests) keeps the same
/// contract, which the store conformance suites test on each:
/// - `enqueue` writes a notice and all its messages in one transaction: whole or nothing.
/// - `claim` hands out messages as leases with an owner and an expiry; an expired lease is claimable again.
/// - every state change (`record`) is one transaction, applied only while the caller still holds the lease.
///
/// Callers ask for the role they play, not the whole store: a worker for a `DeliveryQueue`, an
/// accept for a `NoticeQueue`, an operator for an `OperatorQueue`.
public protocol MessageStore: DeliveryQueue, NoticeQueue, OperatorQueue, RecipientDirectory, IdempotencyLedger, IncidentLog, DigestLedger,
    SuppressionList
{
    /// Runs the store's background work (PostgreSQL's connection pool) until `close()` or until the
    /// task is cancelled. The embedded stores have none and wait. Run it beside the store's users,
    /// in structured concurrency, as `HeraldRuntime.withStore` does.
    func run() async

    /// Closes connections.
    func close() async throws
}

extension MessageStore {
    /// Waits until the task is cancelled: a store with no background work of its own.
    public func run() async {
        let (idle, wake) = AsyncStream<Never>.makeStream()
        await withTaskCancellationHandler {
            for await _ in idle {}
        } onCancel: {
            wake.finish()
        }
    }
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

/// A message about to be queued.
public struct NewMessage: Sendable, Hashable {
    public var id: String
    public var recipient: Recipient
    /// Why the message is `suppressed` from the start, when the suppression list already rules out
    /// every contact point its route could use; it is queued in that final state with this as its error.
    public var suppression: String?

    public init(id: String, recipient: Recipient, suppression: String? = nil) {
        self.id = id
        self.recipient = recipient
        self.suppression = suppression
    }
}

/// What a worker learned delivering one message, applied by `MessageStore.record`.
public struct DeliveryResult: Sendable, Hashable {
    public var messageID: String
    /// Attempts to append to the ledger, in order (channels skipped, then the one tried).
    public var attempts: [Attempt]
    public var transition: Transition
    /// Contact points the receivers said are dead, added to the suppression list in the same write.
    public var learned: [Suppression]

    public init(messageID: String, attempts: [Attempt], transition: Transition, learned: [Suppression] = []) {
        self.messageID = messageID
        self.attempts = attempts
        self.transition = transition
        self.learned = learned
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
        /// A newer message replaced it, its broadcast was cancelled, or its contact points are suppressed,
        /// before it was sent.
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
