import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Testing

@Suite("Supersede, cancel and retry", .hangGuard)
struct SupersedeAndOperatorTests {
    static func update(_ status: String, key: String? = "messenger-outage") -> NoticeRequest {
        NoticeRequest(template: "status-update", vars: ["service": "Messenger", "status": .string(status), "note": "-"], collapseKey: key)
    }

    @Test func aClaimedMessageSupersededBeforeItIsSentIsNeverSent() async throws {
        let outbox = ScriptedChannel(name: "outbox")
        let harness = try DispatchHarness(channels: [outbox])
        let recipient = harness.recipient("u1")
        let stale = try await harness.intake.send(Self.update("still down"), to: recipient)
        let claimed = try await harness.store.claim(owner: "test-worker", limit: 10, now: harness.clock.now(), lease: .seconds(60))
        #expect(claimed.map(\.id) == [stale.id])

        // The "restored" update arrives while the stale one is claimed but not yet sent.
        let fresh = try await harness.intake.send(Self.update("restored"), to: recipient)
        let result = await harness.worker.pipeline.process(try #require(claimed.first))
        try await harness.store.record([result], owner: "test-worker", now: harness.clock.now())

        #expect(outbox.deliveries.isEmpty)
        #expect(try await harness.store.message(id: stale.id)?.message.state == .superseded)
        try await harness.worker.drain()
        #expect(outbox.deliveries.map(\.messageID) == [fresh.id])
    }

    @Test func aStillDownQueuedDuringAnOutageIsNeverDeliveredAfterTheRestored() async throws {
        let outbox = ScriptedChannel(name: "outbox", answers: [.refused, nil])
        let harness = try DispatchHarness(channels: [outbox])
        let recipient = harness.recipient("u1")
        let stale = try await harness.intake.send(Self.update("still down"), to: recipient)
        try await harness.worker.drain()
        #expect(try await harness.store.message(id: stale.id)?.message.state == .retrying)

        let fresh = try await harness.intake.send(Self.update("restored"), to: recipient)
        harness.clock.advance(by: .seconds(60))
        try await harness.worker.drain()

        #expect(try await harness.store.message(id: stale.id)?.message.state == .superseded)
        #expect(try await harness.store.message(id: fresh.id)?.message.state == .delivered)
        #expect(outbox.deliveries.map(\.messageID) == [stale.id, fresh.id], "the stale one was only ever tried during the outage")
        #expect(outbox.deliveries.last?.rendered.subject == "Messenger: working again")
    }

    @Test func cancellingABroadcastStopsWhatHasNotGoneOut() async throws {
        let outbox = ScriptedChannel(name: "outbox", answers: [.refused])
        let harness = try DispatchHarness(channels: [outbox])
        let receipt = try await harness.broadcast(DispatchHarness.apology, recipients: (0..<4).map { harness.recipient("u\($0)") })
        try await harness.worker.drain()
        #expect(try await harness.store.cancel(noticeID: receipt.id, reason: "cancelled by operator", now: harness.clock.now()) == 4)
        harness.clock.advance(by: .seconds(60))
        #expect(try await harness.worker.drain() == 0)
        let counts = try await harness.store.counts(noticeID: receipt.id)
        #expect(counts[.cancelled] == 4)
        #expect(try await harness.store.messages(MessageFilter(noticeID: receipt.id)).allSatisfy { $0.message.lastError == "cancelled by operator" })
    }

    @Test func retryingFailedMessagesQueuesThemAgainFromTheFirstChannel() async throws {
        let outbox = ScriptedChannel(name: "outbox", answers: [.gone, .gone, nil])
        let harness = try DispatchHarness(channels: [outbox])
        let receipt = try await harness.broadcast(DispatchHarness.apology, recipients: [harness.recipient("u1"), harness.recipient("u2")])
        try await harness.worker.drain()
        #expect(try await harness.store.counts(noticeID: receipt.id)[.failed] == 2)

        let tooLate = harness.clock.now() + 1
        #expect(try await harness.store.requeue(RequeueSelection(noticeID: receipt.id, since: tooLate), expiresAt: tooLate, now: tooLate).isEmpty)
        let requeued = try await harness.store.requeue(
            RequeueSelection(noticeID: receipt.id, since: harness.clock.now()), expiresAt: harness.clock.now() + 3600, now: harness.clock.now()
        )
        #expect(requeued.count == 2)
        try await harness.worker.drain()
        #expect(try await harness.store.counts(noticeID: receipt.id)[.delivered] == 2)
        let detail = try #require(try await harness.store.message(id: requeued[0]))
        #expect(detail.attemptLog.map(\.outcome) == [.permanent, .delivered])
    }

    @Test func aDeliveredMessageIsNotRequeued() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        let receipt = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u1"))
        try await harness.worker.drain()
        #expect(try await harness.store.requeue(.messages([receipt.id]), expiresAt: harness.clock.now(), now: harness.clock.now()).isEmpty)
    }
}
