import Foundation
import HeraldCore
import HeraldStore
import Synchronization

/// A store whose next `claim` calls fail, as a busy or briefly unreachable database would; everything
/// else goes to the real store. It also tells the test when a lease renewal was written.
final class FlakyStore: MessageStore {
    struct Unavailable: Error {}

    let base: any MessageStore
    private let failingClaims: Mutex<Int>
    /// Yields the owner of each `renewLeases` once it is stored.
    let renewals: AsyncStream<String>
    private let renewed: AsyncStream<String>.Continuation

    init(base: any MessageStore, failingClaims: Int = 0) {
        self.base = base
        self.failingClaims = Mutex(failingClaims)
        (renewals, renewed) = AsyncStream.makeStream(of: String.self)
    }

    func claim(owner: String, limit: Int, now: Date, lease: Duration) async throws -> [QueuedMessage] {
        let fail = failingClaims.withLock { remaining -> Bool in
            guard remaining > 0 else { return false }
            remaining -= 1
            return true
        }
        if fail { throw Unavailable() }
        return try await base.claim(owner: owner, limit: limit, now: now, lease: lease)
    }

    func enqueue(_ notice: Notice, messages: sending some MessageSource) async throws -> Int {
        try await base.enqueue(notice, messages: messages)
    }
    func enqueue(_ notice: Notice, message: NewMessage) async throws { try await base.enqueue(notice, message: message) }
    func record(_ results: [DeliveryResult], owner: String, now: Date) async throws { try await base.record(results, owner: owner, now: now) }
    func releaseLeases(owner: String, now: Date) async throws { try await base.releaseLeases(owner: owner, now: now) }
    func checkWritable(now: Date) async throws { try await base.checkWritable(now: now) }
    func cancel(messageID: String, reason: String, now: Date) async throws -> Bool {
        try await base.cancel(messageID: messageID, reason: reason, now: now)
    }
    func renewLeases(owner: String, now: Date, lease: Duration) async throws {
        try await base.renewLeases(owner: owner, now: now, lease: lease)
        renewed.yield(owner)
    }
    func notice(id: String) async throws -> Notice? { try await base.notice(id: id) }
    func counts(noticeID: String?) async throws -> StateCounts { try await base.counts(noticeID: noticeID) }
    func message(id: String) async throws -> MessageDetail? { try await base.message(id: id) }
    func messages(_ filter: MessageFilter) async throws -> [MessageDetail] { try await base.messages(filter) }
    func state(ofMessage id: String) async throws -> MessageState? { try await base.state(ofMessage: id) }
    func cancel(noticeID: String, reason: String, now: Date) async throws -> Int { try await base.cancel(noticeID: noticeID, reason: reason, now: now) }
    func requeue(ids: [String]?, failedIn noticeID: String?, since: Date?, expiresAt: Date, now: Date) async throws -> [String] {
        try await base.requeue(ids: ids, failedIn: noticeID, since: since, expiresAt: expiresAt, now: now)
    }
    func saveCircuit(_ circuit: CircuitRecord) async throws { try await base.saveCircuit(circuit) }
    func channelSummaries() async throws -> [ChannelSummary] { try await base.channelSummaries() }
    func close() async throws { try await base.close() }

    func upsertRecipients(_ source: sending some RecipientSource, now: Date) async throws -> Int {
        try await base.upsertRecipients(source, now: now)
    }
    func recipients(segment: String?, after cursor: String?, limit: Int) async throws -> [Recipient] {
        try await base.recipients(segment: segment, after: cursor, limit: limit)
    }
    func recipientCount(segment: String?) async throws -> Int { try await base.recipientCount(segment: segment) }
    func recipientStream(segment: String?) throws -> any RecipientStream { try base.recipientStream(segment: segment) }
    func claimIdempotencyKey(_ key: String, fingerprint: String, now: Date, window: Duration) async throws -> IdempotencyClaim {
        try await base.claimIdempotencyKey(key, fingerprint: fingerprint, now: now, window: window)
    }
    func completeIdempotencyKey(_ key: String, response: StoredResponse) async throws { try await base.completeIdempotencyKey(key, response: response) }
    func releaseIdempotencyKey(_ key: String) async throws { try await base.releaseIdempotencyKey(key) }
    func saveNewIncident(_ incident: Incident) async throws { try await base.saveNewIncident(incident) }
    func changeIncident(id: String, _ change: @Sendable (inout Incident) throws -> Void) async throws -> Incident? {
        try await base.changeIncident(id: id, change)
    }
    func incident(id: String) async throws -> Incident? { try await base.incident(id: id) }
    func incidents(openOnly: Bool) async throws -> [Incident] { try await base.incidents(openOnly: openOnly) }
    func claimDigestSlot(_ digest: String, slot: Date) async throws -> Bool { try await base.claimDigestSlot(digest, slot: slot) }
    func lastDigestSlot(_ digest: String) async throws -> Date? { try await base.lastDigestSlot(digest) }
}
