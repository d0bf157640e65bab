import Foundation
import HeraldChannels
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Testing

/// The webhook faults of the reliability matrix, through the whole pipeline, against real sockets.
@Suite("Fault matrix (webhook, real sockets)", .hangGuard)
struct FaultMatrixTests {
    /// Route [partners, outbox]: the webhook channel first, files as the fallback.
    func harness(timeout: Duration = .healthyReceiverTimeout) throws -> (DispatchHarness, WebhookChannel, ScriptedChannel) {
        let webhook = WebhookChannel(name: "partners", configuration: .init(signingKey: Array("k".utf8), connections: 4, timeout: timeout, egress: .testReceivers))
        let outbox = ScriptedChannel(name: "outbox")
        let harness = try DispatchHarness(channels: [webhook, outbox], routes: ["default": ["partners", "outbox"]])
        return (harness, webhook, outbox)
    }

    func send(_ harness: DispatchHarness, to url: String) async throws -> String {
        try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u1", webhook: url)).id
    }

    @Test func fiveHundredThenTwoHundredIsRetriedAndDelivered() async throws {
        let sink = try await HTTPSink.start { _, index in index == 0 ? .status(503) : .status(200) }
        let (harness, webhook, outbox) = try harness()
        let id = try await send(harness, to: "\(sink.url)/h")
        try await harness.worker.drain()
        #expect(try await harness.store.message(id: id)?.message.state == .retrying)
        harness.clock.advance(by: .seconds(5))
        try await harness.worker.drain()
        try await webhook.shutdown()
        await sink.stop()
        let detail = try #require(try await harness.store.message(id: id))
        #expect(detail.message.state == .delivered)
        #expect(detail.attemptLog.map(\.outcome) == [.transient, .delivered])
        #expect(detail.attemptLog.first?.error == "receiver_error: HTTP 503 Service Unavailable")
        #expect(sink.received.map { $0.headers["webhook-id"] } == [id, id], "the same id on every attempt")
        #expect(outbox.deliveries.isEmpty)
    }

    @Test func fourTwentyNineWaitsForRetryAfter() async throws {
        let sink = try await HTTPSink.start { _, index in index == 0 ? .status(429, headers: ["Retry-After": "90"]) : .status(204) }
        let (harness, webhook, _) = try harness()
        let id = try await send(harness, to: "\(sink.url)/h")
        try await harness.worker.drain()
        #expect(try await harness.store.message(id: id)?.nextAttemptAt == harness.clock.now() + 90)
        harness.clock.advance(by: .seconds(89))
        #expect(try await harness.worker.drain() == 0)
        harness.clock.advance(by: .seconds(1))
        try await harness.worker.drain()
        try await webhook.shutdown()
        await sink.stop()
        #expect(try await harness.store.message(id: id)?.message.state == .delivered)
    }

    @Test func fourTenFallsBackAlongTheRoute() async throws {
        let sink = try await HTTPSink.start { _, _ in .status(410) }
        let (harness, webhook, outbox) = try harness()
        let id = try await send(harness, to: "\(sink.url)/h")
        try await harness.worker.drain()
        try await webhook.shutdown()
        await sink.stop()
        let detail = try #require(try await harness.store.message(id: id))
        #expect(detail.message.state == .delivered)
        #expect(detail.attemptLog.map(\.channel) == ["partners", "outbox"])
        #expect(detail.attemptLog.first?.outcome == .permanent)
        #expect(outbox.deliveries.count == 1)
    }

    @Test func aRefusedConnectionIsRetried() async throws {
        let port = try HTTPSink.refusingPort()
        let (harness, webhook, _) = try harness()
        let id = try await send(harness, to: "http://127.0.0.1:\(port)/h")
        try await harness.worker.drain()
        try await webhook.shutdown()
        let detail = try #require(try await harness.store.message(id: id))
        #expect(detail.message.state == .retrying)
        #expect(detail.attemptLog.first?.error?.hasPrefix("connection:") == true)
    }

    @Test func aReceiverThatAcceptsAndHangsTimesOutAndIsRetried() async throws {
        let sink = try await HTTPSink.start { _, _ in .hang }
        let (harness, webhook, _) = try harness(timeout: .milliseconds(300))
        let id = try await send(harness, to: "\(sink.url)/h")
        try await harness.worker.drain()
        try await webhook.shutdown()
        await sink.stop()
        let detail = try #require(try await harness.store.message(id: id))
        #expect(detail.message.state == .retrying)
        #expect(detail.attemptLog.first?.error?.hasPrefix("timeout:") == true)
    }
}
