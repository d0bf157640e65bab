import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Testing

@Suite("Delivery pipeline and worker", .hangGuard)
struct DeliveryWorkerTests {
    @Test func deliversQueuedMessagesAndRecordsTheAttempt() async throws {
        let outbox = ScriptedChannel(name: "outbox")
        let harness = try DispatchHarness(channels: [outbox])
        let receipt = try await harness.broadcast(DispatchHarness.apology, recipients: [harness.recipient("u1"), harness.recipient("u2")])
        #expect(try await harness.worker.drain() == 2)
        #expect(try await harness.store.counts(noticeID: receipt.id)[.delivered] == 2)
        #expect(outbox.deliveries.count == 2)
        #expect(outbox.deliveries.allSatisfy { $0.rendered.subject == "Messenger is down — we are sorry" && $0.broadcastID == receipt.id })
        let detail = try #require(try await harness.store.messages(MessageFilter(noticeID: receipt.id)).first)
        #expect(detail.attemptLog.map(\.outcome) == [.delivered])
        #expect(detail.channel == "outbox")
    }

    @Test func transientFailuresAreRetriedAfterTheBackoff() async throws {
        let flaky = ScriptedChannel(name: "outbox", answers: [.refused, .refused, nil])
        let harness = try DispatchHarness(channels: [flaky])
        let receipt = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u1"))

        try await harness.worker.drain()
        var detail = try #require(try await harness.store.message(id: receipt.id))
        #expect(detail.message.state == .retrying)
        #expect(detail.nextAttemptAt == harness.clock.now() + 5)

        harness.clock.advance(by: .seconds(4))
        #expect(try await harness.worker.drain() == 0, "retried before its backoff")
        harness.clock.advance(by: .seconds(1))
        try await harness.worker.drain()
        detail = try #require(try await harness.store.message(id: receipt.id))
        #expect(detail.nextAttemptAt == harness.clock.now() + 15, "second step of the backoff")

        harness.clock.advance(by: .seconds(15))
        try await harness.worker.drain()
        detail = try #require(try await harness.store.message(id: receipt.id))
        #expect(detail.message.state == .delivered)
        #expect(detail.attemptLog.map(\.outcome) == [.transient, .transient, .delivered])
        #expect(detail.message.attempts == 3)
    }

    @Test func retryAfterPostponesTheNextAttempt() async throws {
        let limited = ScriptedChannel(name: "outbox", answers: [.slowDown(120), nil])
        let harness = try DispatchHarness(channels: [limited])
        let receipt = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u1"))
        try await harness.worker.drain()
        #expect(try await harness.store.message(id: receipt.id)?.nextAttemptAt == harness.clock.now() + 120)
    }

    @Test func aPermanentFailureMovesToTheNextChannelAndTheLedgerShowsThePath() async throws {
        let primary = ScriptedChannel(name: "primary", answers: [.gone])
        let fallback = ScriptedChannel(name: "fallback")
        let harness = try DispatchHarness(channels: [primary, fallback], routes: ["default": ["primary", "fallback"]])
        let receipt = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u1"))
        try await harness.worker.drain()
        let detail = try #require(try await harness.store.message(id: receipt.id))
        #expect(detail.message.state == .delivered)
        #expect(detail.attemptLog.map(\.channel) == ["primary", "fallback"])
        #expect(detail.attemptLog.map(\.outcome) == [.permanent, .delivered])
        #expect(fallback.deliveries.count == 1)
    }

    @Test func aPermanentFailureOnTheLastChannelFailsWithTheLastError() async throws {
        let only = ScriptedChannel(name: "outbox", answers: [.gone])
        let harness = try DispatchHarness(channels: [only])
        let receipt = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u1"))
        try await harness.worker.drain()
        let detail = try #require(try await harness.store.message(id: receipt.id))
        #expect(detail.message.state == .failed)
        #expect(detail.message.lastError == "rejected: HTTP 410")
    }

    @Test func aChannelTheRecipientCannotUseIsSkippedVisibly() async throws {
        let hooks = ScriptedChannel(name: "hooks", kind: .webhook)
        let files = ScriptedChannel(name: "files")
        let harness = try DispatchHarness(channels: [hooks, files], routes: ["default": ["hooks", "files"]])
        let receipt = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u1"))
        try await harness.worker.drain()
        let detail = try #require(try await harness.store.message(id: receipt.id))
        #expect(detail.attemptLog.map(\.outcome) == [.skipped, .delivered])
        #expect(detail.attemptLog.first?.error == "no webhook for recipient u1")
        #expect(hooks.deliveries.isEmpty)
    }

    @Test func anUndeliveredMessageExpiresWithItsLastError() async throws {
        let down = ScriptedChannel(name: "outbox", answers: [.refused])
        let harness = try DispatchHarness(channels: [down])
        var request = DispatchHarness.apology
        request.expiresIn = .seconds(60)
        let receipt = try await harness.intake.send(request, to: harness.recipient("u1"))
        for _ in 0..<10 {
            try await harness.worker.drain()
            harness.clock.advance(by: .seconds(15))
        }
        let detail = try #require(try await harness.store.message(id: receipt.id))
        #expect(detail.message.state == .expired)
        #expect(detail.message.lastError == "connection: connection refused")
        #expect(down.deliveries.count >= 4)
    }

    @Test func failoverAfterMovesAMessageStuckOnItsChannel() async throws {
        let stuck = ScriptedChannel(name: "primary", answers: [.refused])
        let fallback = ScriptedChannel(name: "fallback")
        let harness = try DispatchHarness(
            channels: [stuck, fallback], routes: ["default": ["primary", "fallback"]],
            retry: RetrySettings(backoff: [.seconds(30)], failoverAfter: .seconds(60))
        )
        let receipt = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u1"))
        for _ in 0..<3 {
            try await harness.worker.drain()
            harness.clock.advance(by: .seconds(30))
        }
        try await harness.worker.drain()
        let detail = try #require(try await harness.store.message(id: receipt.id))
        #expect(detail.message.state == .delivered)
        #expect(detail.attemptLog.map(\.outcome) == [.transient, .transient, .skipped, .delivered])
        #expect(detail.attemptLog[2].error == "undelivered for 1m (failover_after)")
    }

    @Test func deliversToARealWebhookReceiverEndToEnd() async throws {
        let sink = try await HTTPSink.start()
        let webhook = WebhookChannelFixture.make(name: "partners")
        let harness = try DispatchHarness(channels: [webhook])
        let recipients = (0..<50).map { harness.recipient("u\($0)", webhook: "\(sink.url)/hooks/\($0)") }
        let receipt = try await harness.broadcast(DispatchHarness.apology, recipients: recipients)
        try await harness.worker.drain()
        try await webhook.shutdown()
        await sink.stop()
        #expect(try await harness.store.counts(noticeID: receipt.id)[.delivered] == 50)
        #expect(Set(sink.received.compactMap { $0.headers["webhook-id"] }).count == 50)
    }
}
