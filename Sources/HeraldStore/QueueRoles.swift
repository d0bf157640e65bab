import Foundation
import HeraldCore
import NIOPosix

/// What a delivery worker needs: leases, results, the notice a message belongs to, its state just
/// before sending, and the circuits it opens and closes.
public protocol DeliveryQueue: SuppressionLookup, OpenIncidentSource, CanaryLedger {
    /// Leases up to `limit` due messages to `owner` until `now + lease`: highest priority first,
    /// newest first within a priority. Other owners' leases that expired before `now` are claimable
    /// again; `owner`'s own never are (a live worker is still delivering them, however late).
    func claim(owner: String, limit: Int, now: Date, lease: Duration) async throws -> [QueuedMessage]

    /// Applies delivery results for messages `owner` holds. Results for leases the owner lost are ignored.
    /// A delivery on a channel whose stored circuit is not closed closes it: a channel that delivers
    /// is not down, whatever a process that has since stopped last saved.
    func record(_ results: [DeliveryResult], owner: String, now: Date) async throws

    /// Gives back `owner`'s leases (graceful shutdown) so other workers can take them at once.
    func releaseLeases(owner: String, now: Date) async throws

    /// When the first lease of another owner ends, among messages being sent; `nil` when there is none.
    /// A draining worker waits for it: the owner may have died holding the message.
    func nextLeaseExpiry(notOwnedBy owner: String) async throws -> Date?

    /// Extends every lease `owner` still holds to `now + lease`, so a worker that is alive keeps its
    /// messages however long their deliveries take; only a worker that stops renewing loses them.
    func renewLeases(owner: String, now: Date, lease: Duration) async throws

    /// A notice by id.
    func notice(id: String) async throws -> Notice?

    /// A message's state now; workers check it just before sending, so a message superseded or
    /// cancelled after it was claimed is never sent.
    func state(ofMessage id: String) async throws -> MessageState?

    /// Records a channel's circuit state so every process (`herald status`, other workers' operators) sees it.
    func saveCircuit(_ circuit: CircuitRecord) async throws

    /// Makes every message waiting to retry on `channel` due at `now`: the channel recovered, so the
    /// backlog drains by priority, then newest first, instead of each message's own backoff deciding.
    /// - Returns: how many were woken.
    @discardableResult
    func wakeRetrying(channel: String, now: Date) async throws -> Int

    /// Every channel's stored circuit, for the nodes of a fleet to act on each other's transitions.
    func circuits() async throws -> [CircuitRecord]

    /// Claims the half-open probe of a channel whose stored circuit has been open (or half-open, its
    /// prober silent) for at least `cooldown`: stores it half-open as of `now`. Exactly one of any
    /// number of concurrent callers wins.
    /// - Returns: whether this caller won, and probes.
    func claimProbe(channel: String, now: Date, cooldown: Duration) async throws -> Bool

    /// Leases `count` consecutive send slots of a channel's fleet-wide timeline, `interval` apart:
    /// they start at the channel's next free slot, or `now` if that has passed, and the next free slot
    /// moves past them. Every node leasing from the same store gets slots no other node has, so the
    /// fleet together keeps the channel's rate.
    /// - Returns: when the first of the leased slots starts.
    func leaseSlots(channel: String, count: Int, interval: TimeInterval, now: Date) async throws -> Date
}

/// What an accept needs: a notice written with all its messages, or not at all.
public protocol NoticeQueue: SuppressionLookup, OpenIncidentSource {
    /// Writes the notice and every message `messages` produces, in batches, atomically. If the source
    /// throws, nothing is kept. Older undelivered messages with the same collapse key and recipient
    /// become `superseded` in the same transaction.
    /// - Returns: how many messages were queued.
    func enqueue(_ notice: Notice, messages: sending some BatchSource<NewMessage>) async throws -> Int

    /// Queues a notice with one message (a single send). Concurrent calls may share one transaction
    /// (group commit), each still all or nothing; when this returns, the message is durable.
    func enqueue(_ notice: Notice, message: NewMessage) async throws
}

/// What `herald status`, `messages` and the API's read routes need.
public protocol QueueQueries: OpenIncidentSource, CanaryLedger {
    /// A notice by id.
    func notice(id: String) async throws -> Notice?

    /// Message counts by state for one notice, or for the whole queue when `noticeID` is `nil`.
    func counts(noticeID: String?) async throws -> StateCounts

    /// One message with its attempt ledger.
    func message(id: String) async throws -> MessageDetail?

    /// Messages matching the filter, newest first.
    func messages(_ filter: MessageFilter) async throws -> [MessageDetail]

    /// The newest `limit` broadcasts, newest first, each with its counts by state.
    func broadcasts(limit: Int) async throws -> [BroadcastSummary]

    /// The commonest last errors of a notice's messages that are not delivered (waiting to retry,
    /// failed or expired), most frequent first, at most `limit` of them.
    func failureReasons(noticeID: String, limit: Int) async throws -> [FailureReason]

    /// Each channel that has a circuit record or messages: its circuit and delivered/failed counts.
    func channelSummaries() async throws -> [ChannelSummary]

    /// Writes and commits one probe row, so readiness fails when the store cannot take writes: a
    /// read-only file, a full disk, a server that is down or read-only, a write lock held elsewhere.
    func checkWritable(now: Date) async throws
}

/// What an operator's actions need besides the queries: cancel and queue again.
public protocol OperatorQueue: QueueQueries {
    /// Cancels a notice's messages that are queued or waiting to retry; messages in flight finish.
    /// - Returns: how many were cancelled.
    func cancel(noticeID: String, reason: String, now: Date) async throws -> Int

    /// Cancels one message that is queued, waiting to retry, or `sending` under a lease that expired
    /// before `now` (its worker died, or it crash-looped on it); a message a live worker holds finishes.
    /// - Returns: whether it was cancelled.
    func cancel(messageID: String, reason: String, now: Date) async throws -> Bool

    /// Queues the selected final messages again from the first channel of their route, expiring
    /// `expiresAt` at the earliest.
    /// - Returns: the ids queued again, oldest first.
    func requeue(_ selection: RequeueSelection, expiresAt: Date, now: Date) async throws -> [String]
}

/// The one boundary for work that may block — reading an audience file: it runs on NIO's thread pool
/// for blocking work, never on the event loops that serve HTTP and deliveries.
public enum BlockingWork {
    /// `body`, run on the blocking thread pool.
    public static func run<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}
