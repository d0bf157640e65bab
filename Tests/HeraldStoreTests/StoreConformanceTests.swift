import Foundation
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Testing

/// The behaviour every `MessageStore` backend must have. Each test runs once per backend.
@Suite("Store conformance", .hangGuard)
struct StoreConformanceTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    func notice(_ id: String, priority: Priority = .normal, collapseKey: String? = nil, at date: Date = start) -> Notice {
        Notice(
            id: id, kind: .broadcast, template: "outage-apology", vars: ["service": "Messenger"], route: ["partners", "outbox"],
            priority: priority, collapseKey: collapseKey, expiresAt: date + 86_400, createdAt: date
        )
    }

    func messages(_ prefix: String, count: Int, recipientPrefix: String = "u") -> [NewMessage] {
        (0..<count).map { NewMessage(id: "\(prefix)-\($0)", recipient: Recipient(id: "\(recipientPrefix)\($0)", name: "R\($0)", locale: "ko")) }
    }

    @Test(arguments: StoreBackend.allCases)
    func enqueuedMessagesAreQueuedAndCounted(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        let total = try await store.enqueue(notice("bc1"), messages: ArrayBatchSource(messages("m", count: 5)))
        #expect(total == 5)
        let counts = try await store.counts(noticeID: "bc1")
        #expect(counts[.queued] == 5 && counts.total == 5)
        let stored = try #require(try await store.notice(id: "bc1"))
        #expect(stored.vars == ["service": "Messenger"])
        #expect(stored.route == ["partners", "outbox"])
        let detail = try #require(try await store.message(id: "m-3"))
        #expect(detail.message.recipient.name == "R3")
        #expect(detail.message.recipient.locale == "ko")
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func aFailingSourceLeavesNothingBehind(backend: StoreBackend) async throws {
        struct BadRow: Error {}
        final class FailingSource: BatchSource {
            var batches = 0
            func nextBatch(limit: Int) async throws -> [NewMessage]? {
                batches += 1
                if batches == 3 { throw BadRow() }
                return (0..<limit).map { NewMessage(id: "m\(batches)-\($0)", recipient: Recipient(id: "u\(batches)-\($0)")) }
            }
        }
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        await #expect(throws: BadRow.self) { try await store.enqueue(notice("bc1"), messages: FailingSource()) }
        #expect(try await store.counts(noticeID: nil).total == 0)
        #expect(try await store.notice(id: "bc1") == nil)
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func claimsHighestPriorityFirstThenNewestFirst(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        _ = try await store.enqueue(notice("old"), messages: ArrayBatchSource(messages("old", count: 2)))
        _ = try await store.enqueue(notice("new"), messages: ArrayBatchSource(messages("new", count: 2)))
        _ = try await store.enqueue(notice("crit", priority: .critical), messages: ArrayBatchSource(messages("crit", count: 1)))
        _ = try await store.enqueue(notice("low", priority: .low), messages: ArrayBatchSource(messages("low", count: 1)))
        let claimed = try await store.claim(owner: "w1", limit: 10, now: Self.start, lease: .seconds(60))
        #expect(claimed.map(\.id) == ["crit-0", "new-1", "new-0", "old-1", "old-0", "low-0"])
        #expect(claimed.allSatisfy { $0.state == .sending })
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func aLeasedMessageIsNotClaimedTwiceUntilItsLeaseExpires(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        _ = try await store.enqueue(notice("bc1"), messages: ArrayBatchSource(messages("m", count: 3)))
        let first = try await store.claim(owner: "w1", limit: 2, now: Self.start, lease: .seconds(60))
        let second = try await store.claim(owner: "w2", limit: 10, now: Self.start + 30, lease: .seconds(60))
        #expect(first.count == 2 && second.count == 1)
        #expect(Set(first.map(\.id)).isDisjoint(with: second.map(\.id)))
        // w1 dies; after its lease expires its messages go to w3.
        let reclaimed = try await store.claim(owner: "w3", limit: 10, now: Self.start + 61, lease: .seconds(60))
        #expect(Set(reclaimed.map(\.id)) == Set(first.map(\.id)))
        // w1's late result is ignored: the lease is w3's now.
        try await store.record([DeliveryResult(messageID: first[0].id, attempts: [], transition: .failed(error: "late"))], owner: "w1", now: Self.start + 62)
        #expect(try await store.message(id: first[0].id)?.message.state == .sending)
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func recordingAppliesEachTransitionWithItsAttempts(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        _ = try await store.enqueue(notice("bc1"), messages: ArrayBatchSource(messages("m", count: 4)))
        _ = try await store.claim(owner: "w1", limit: 4, now: Self.start, lease: .seconds(60))
        let at = Self.start + 1
        try await store.record(
            [
                DeliveryResult(messageID: "m-0", attempts: [Attempt(at: at, channel: "partners", outcome: .delivered)], transition: .delivered(channel: "partners")),
                DeliveryResult(
                    messageID: "m-1",
                    attempts: [Attempt(at: at, channel: "partners", outcome: .transient, error: "timeout: slow")],
                    transition: .retry(at: at + 5, routeIndex: 0, failures: 1, channelSince: at, error: "timeout: slow")
                ),
                DeliveryResult(
                    messageID: "m-2",
                    attempts: [
                        Attempt(at: at, channel: "partners", outcome: .skipped, error: "no webhook"),
                        Attempt(at: at, channel: "outbox", outcome: .permanent, error: "rejected: 410"),
                    ],
                    transition: .failed(error: "rejected: 410")
                ),
                DeliveryResult(messageID: "m-3", attempts: [], transition: .expired(error: "expired")),
            ],
            owner: "w1", now: at
        )
        let counts = try await store.counts(noticeID: "bc1")
        #expect(counts[.delivered] == 1 && counts[.retrying] == 1 && counts[.failed] == 1 && counts[.expired] == 1)

        let failed = try #require(try await store.message(id: "m-2"))
        #expect(failed.attemptLog.map(\.outcome) == [.skipped, .permanent])
        #expect(failed.message.lastError == "rejected: 410")
        #expect(failed.message.attempts == 1)
        #expect(failed.channel == "outbox")

        let retrying = try #require(try await store.message(id: "m-1"))
        #expect(retrying.message.failures == 1)
        #expect(retrying.nextAttemptAt == at + 5)
        // Not due yet, then due.
        #expect(try await store.claim(owner: "w1", limit: 10, now: at + 4, lease: .seconds(60)).isEmpty)
        #expect(try await store.claim(owner: "w1", limit: 10, now: at + 5, lease: .seconds(60)).map(\.id) == ["m-1"])
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func aWorkerNeverTakesBackItsOwnExpiredLeases(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        _ = try await store.enqueue(notice("bc1"), messages: ArrayBatchSource(messages("m", count: 2)))
        let first = try await store.claim(owner: "w1", limit: 1, now: Self.start, lease: .seconds(60))
        // w1 is slow (it let its lease run out) but alive: claiming again, it gets only the other message.
        let again = try await store.claim(owner: "w1", limit: 10, now: Self.start + 61, lease: .seconds(60))
        #expect(first.map(\.id) == ["m-1"] && again.map(\.id) == ["m-0"])
        // Another worker may take the expired lease: w1 might be dead.
        #expect(try await store.claim(owner: "w2", limit: 10, now: Self.start + 62, lease: .seconds(60)).map(\.id) == ["m-1"])
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func aRenewedLeaseOutlivesItsFirstExpiry(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        _ = try await store.enqueue(notice("bc1"), messages: ArrayBatchSource(messages("m", count: 2)))
        _ = try await store.claim(owner: "w1", limit: 1, now: Self.start, lease: .seconds(60))
        _ = try await store.claim(owner: "w2", limit: 1, now: Self.start, lease: .seconds(60))
        try await store.renewLeases(owner: "w1", now: Self.start + 50, lease: .seconds(60))
        let taken = try await store.claim(owner: "w3", limit: 10, now: Self.start + 61, lease: .seconds(60))
        #expect(taken.map(\.id) == ["m-0"], "w2's lease expired; w1's renewed one did not")
        #expect(try await store.claim(owner: "w3", limit: 10, now: Self.start + 111, lease: .seconds(60)).map(\.id) == ["m-1"])
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func releasedLeasesAreClaimableAtOnce(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        _ = try await store.enqueue(notice("bc1"), messages: ArrayBatchSource(messages("m", count: 2)))
        _ = try await store.claim(owner: "w1", limit: 2, now: Self.start, lease: .seconds(600))
        try await store.releaseLeases(owner: "w1", now: Self.start + 1)
        #expect(try await store.counts(noticeID: "bc1")[.queued] == 2)
        #expect(try await store.claim(owner: "w2", limit: 5, now: Self.start + 1, lease: .seconds(60)).count == 2)
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func aNewerMessageWithTheSameCollapseKeySupersedesTheUndeliveredOne(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        _ = try await store.enqueue(notice("still-down", collapseKey: "incident-1"), messages: ArrayBatchSource(messages("down", count: 3)))
        _ = try await store.enqueue(notice("restored", collapseKey: "incident-1", at: Self.start + 60), messages: ArrayBatchSource(messages("up", count: 2)))
        #expect(try await store.counts(noticeID: "still-down")[.superseded] == 2)
        #expect(try await store.counts(noticeID: "still-down")[.queued] == 1)
        let superseded = try #require(try await store.message(id: "down-0"))
        #expect(superseded.message.state == .superseded)
        #expect(superseded.message.lastError == "superseded by up-0")
        let claimed = try await store.claim(owner: "w", limit: 10, now: Self.start + 60, lease: .seconds(60))
        #expect(Set(claimed.map(\.id)) == ["up-0", "up-1", "down-2"])
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func aNewerSingleSendWithTheSameCollapseKeySupersedesTheUndeliveredOne(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        let someone = Recipient(id: "u1")
        try await store.enqueue(notice("down", collapseKey: "incident-1"), message: NewMessage(id: "down-1", recipient: someone))
        try await store.enqueue(notice("other", collapseKey: "incident-2"), message: NewMessage(id: "other-1", recipient: someone))
        try await store.enqueue(notice("up", collapseKey: "incident-1", at: Self.start + 60), message: NewMessage(id: "up-1", recipient: someone))
        let superseded = try #require(try await store.message(id: "down-1"))
        #expect(superseded.message.state == .superseded && superseded.message.lastError == "superseded by up-1")
        #expect(try await store.state(ofMessage: "other-1") == .queued, "another collapse key is left alone")
        #expect(try await store.state(ofMessage: "up-1") == .queued)
        #expect(try await store.notice(id: "up")?.collapseKey == "incident-1")
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func concurrentSingleSendsCommitTogetherAndAFailingOneFailsAlone(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        try await store.enqueue(notice("first"), message: NewMessage(id: "taken", recipient: Recipient(id: "u0")))
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for index in 1...40 {
                group.addTask {
                    // Send 20 reuses a message id that exists: only it may fail.
                    let message = NewMessage(id: index == 20 ? "taken" : "single-\(index)", recipient: Recipient(id: "u\(index)"))
                    do {
                        try await store.enqueue(self.notice("nt-\(index)"), message: message)
                        return (index, true)
                    } catch {
                        return (index, false)
                    }
                }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.filter { !$0.value }.map(\.key) == [20])
        #expect(try await store.counts(noticeID: nil).total == 40)
        #expect(try await store.notice(id: "nt-20") == nil, "the failed send left no notice behind")
        #expect(try await store.message(id: "single-39")?.message.state == .queued)
    }

    @Test(arguments: StoreBackend.allCases)
    func acceptedMessagesSurviveReopening(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        _ = try await store.enqueue(notice("bc1"), messages: ArrayBatchSource(messages("m", count: 3)))
        try await store.close()
        let reopened = try await backend.makeStore(in: directory)
        #expect(try await reopened.counts(noticeID: "bc1")[.queued] == 3)
        try await reopened.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func largeBroadcastsAreWrittenInBatchesAndListedInOrder(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        let total = try await store.enqueue(notice("bc1"), messages: ArrayBatchSource(messages("m", count: 5_001)))
        #expect(total == 5_001)
        let listed = try await store.messages(MessageFilter(noticeID: "bc1", state: .queued, limit: 3))
        #expect(listed.map(\.message.id) == ["m-5000", "m-4999", "m-4998"], "newest first")
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func circuitStatesAndPerChannelCountsAreVisible(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        _ = try await store.enqueue(notice("bc1"), messages: ArrayBatchSource(messages("m", count: 4)))
        _ = try await store.claim(owner: "w", limit: 4, now: Self.start, lease: .seconds(60))
        let delivered = Attempt(at: Self.start, channel: "partners", outcome: .delivered)
        try await store.record(
            [
                DeliveryResult(messageID: "m-0", attempts: [delivered], transition: .delivered(channel: "partners")),
                DeliveryResult(messageID: "m-1", attempts: [delivered], transition: .delivered(channel: "partners")),
                DeliveryResult(
                    messageID: "m-2", attempts: [Attempt(at: Self.start, channel: "outbox", outcome: .permanent, error: "x")],
                    transition: .failed(error: "x")
                ),
                DeliveryResult(
                    messageID: "m-3", attempts: [Attempt(at: Self.start, channel: "sms", outcome: .transient, error: "y")],
                    transition: .retry(at: Self.start + 5, routeIndex: 0, failures: 1, channelSince: Self.start, error: "y")
                ),
            ],
            owner: "w", now: Self.start
        )
        try await store.saveCircuit(CircuitRecord(channel: "sms", state: .open, consecutiveFailures: 5, changedAt: Self.start))
        try await store.saveCircuit(CircuitRecord(channel: "partners", state: .halfOpen, consecutiveFailures: 5, changedAt: Self.start))
        try await store.saveCircuit(CircuitRecord(channel: "partners", state: .closed, consecutiveFailures: 0, changedAt: Self.start + 1))
        let summaries = try await store.channelSummaries()
        #expect(
            summaries == [
                ChannelSummary(name: "outbox", circuit: .closed, delivered: 0, failed: 1),
                ChannelSummary(name: "partners", circuit: .closed, delivered: 2, failed: 0),
                ChannelSummary(name: "sms", circuit: .open, delivered: 0, failed: 0, queued: 1),
            ]
        )
        try await store.close()
    }

    /// A process saved `open` and stopped; another delivers on the channel: the stored state follows.
    @Test(arguments: StoreBackend.allCases)
    func aDeliveryClosesTheStoredCircuitOfItsChannel(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        try await store.saveCircuit(CircuitRecord(channel: "hooks", state: .open, consecutiveFailures: 5, changedAt: Self.start))
        try await store.saveCircuit(CircuitRecord(channel: "sms", state: .open, consecutiveFailures: 5, changedAt: Self.start))
        _ = try await store.enqueue(notice("bc1"), messages: ArrayBatchSource(messages("m", count: 2)))
        _ = try await store.claim(owner: "w", limit: 2, now: Self.start + 60, lease: .seconds(60))
        try await store.record(
            [
                DeliveryResult(
                    messageID: "m-0", attempts: [Attempt(at: Self.start + 60, channel: "hooks", outcome: .delivered)], transition: .delivered(channel: "hooks")
                ),
                DeliveryResult(
                    messageID: "m-1", attempts: [Attempt(at: Self.start + 60, channel: "sms", outcome: .transient, error: "y")],
                    transition: .retry(at: Self.start + 65, routeIndex: 0, failures: 1, channelSince: Self.start + 60, error: "y")
                ),
            ],
            owner: "w", now: Self.start + 61
        )
        let circuits = Dictionary(uniqueKeysWithValues: try await store.channelSummaries().map { ($0.name, $0.circuit) })
        #expect(circuits["hooks"] == .closed, "a channel that delivers is not down")
        #expect(circuits["sms"] == .open, "a failure changes nothing stored")
        try await store.close()
    }
}
