import Foundation
import HeraldCore
import Synchronization

/// The whole store contract held in memory: what the Dispatch and API tests run on, and the
/// reference a new backend is compared with, since it passes the same conformance suites as SQLite
/// and PostgreSQL. Nothing survives the process.
///
/// Every change takes one lock, so each call is one transaction: an enqueue stages the source's
/// messages first (pulled off the event loops, like the other backends) and applies them whole or not at all.
///
/// ```swift
/// let store = MemoryMessageStore()
/// ```
public final class MemoryMessageStore: MessageStore {
    let queue = Mutex(MemoryQueue())

    public init() {}

    /// Closing keeps the data: a test that "reopens" the store gets the same instance back.
    public func close() async throws {}

    /// Messages pulled from a source per batch, as the other backends pull them.
    static let batchSize = 2000

    public func enqueue(_ notice: Notice, messages: sending some BatchSource<NewMessage>) async throws -> Int {
        var staged: [NewMessage] = []
        while let batch = try await messages.nextBatch(limit: Self.batchSize) { staged += batch }
        try queue.withLock { try $0.insert(notice, messages: staged) }
        return staged.count
    }

    public func enqueue(_ notice: Notice, message: NewMessage) async throws {
        try queue.withLock { try $0.insert(notice, messages: [message]) }
    }

    public func checkWritable(now: Date) async throws {}
}

/// A write the memory store refuses, as a database refuses a duplicate primary key.
public struct MemoryStoreError: Error, CustomStringConvertible {
    public var description: String
}

/// One message as the memory store keeps it: what `QueuedMessage` carries plus its place in the queue.
struct MemoryMessage {
    var message: QueuedMessage
    var priority: Int
    var collapseKey: String?
    var nextAttemptAt: Date
    var channel: String?
    var leaseOwner: String?
    var leaseExpiresAt: Date?
    var updatedAt: Date
    var attemptLog: [Attempt] = []

    var state: MessageState {
        get { message.state }
        set { message.state = newValue }
    }

    /// Ends a lease, as every backend does when a message leaves `sending`.
    mutating func dropLease() {
        leaseOwner = nil
        leaseExpiresAt = nil
    }

    var detail: MessageDetail {
        MessageDetail(message: message, channel: channel, nextAttemptAt: state.isFinal ? nil : nextAttemptAt, attemptLog: attemptLog)
    }
}

/// Everything the memory store holds, changed only under its lock.
struct MemoryQueue {
    var notices: [String: Notice] = [:]
    /// In the order they were queued (the other backends' `seq`).
    var messages: [MemoryMessage] = []
    var positions: [String: Int] = [:]
    var circuits: [String: CircuitRecord] = [:]
    var recipients: [String: Recipient] = [:]
    var idempotencyKeys: [String: MemoryIdempotencyEntry] = [:]
    var incidents: [String: Incident] = [:]
    var digestSlots: [String: Date] = [:]
    var canaries: [String: CanaryResult] = [:]
    var drills: [DrillReport] = []
    /// Each rate-limited channel's next free send slot.
    var rateSlots: [String: Date] = [:]
    /// The suppression list: by contact point (its normal form), then reason.
    var suppressions: [String: [SuppressionReason: Suppression]] = [:]

    /// Adds a notice and its messages, or nothing when an id is taken; supersedes older undelivered
    /// messages to the same recipient with the same collapse key.
    mutating func insert(_ notice: Notice, messages new: [NewMessage]) throws {
        guard notices[notice.id] == nil else { throw MemoryStoreError(description: "notice \(notice.id) exists") }
        var ids = Set<String>()
        for message in new where positions[message.id] != nil || !ids.insert(message.id).inserted {
            throw MemoryStoreError(description: "message \(message.id) exists")
        }
        notices[notice.id] = notice
        for message in new {
            if let key = notice.collapseKey { supersede(key: key, recipient: message.recipient.id, by: message.id, at: notice.createdAt) }
            positions[message.id] = messages.count
            let queued = QueuedMessage(
                id: message.id, noticeID: notice.id, recipient: message.recipient, state: message.suppression == nil ? .queued : .suppressed,
                lastError: message.suppression, createdAt: notice.createdAt, expiresAt: notice.expiresAt
            )
            messages.append(
                MemoryMessage(
                    message: queued, priority: notice.priority.rank, collapseKey: notice.collapseKey, nextAttemptAt: notice.createdAt,
                    updatedAt: notice.createdAt
                )
            )
        }
    }

    private mutating func supersede(key: String, recipient: String, by id: String, at date: Date) {
        for index in messages.indices
        where messages[index].collapseKey == key && messages[index].message.recipient.id == recipient
            && [.queued, .retrying, .sending].contains(messages[index].state)
        {
            messages[index].state = .superseded
            messages[index].message.lastError = "superseded by \(id)"
            messages[index].updatedAt = date
            messages[index].dropLease()
        }
    }

    /// The message with `id`, changed in place.
    mutating func withMessage<T>(_ id: String, _ change: (inout MemoryMessage) -> T) -> T? {
        guard let position = positions[id] else { return nil }
        return change(&messages[position])
    }

    func message(_ id: String) -> MemoryMessage? { positions[id].map { messages[$0] } }
}
