import Foundation
import HeraldCore
import HeraldDispatch
import HeraldSinks
import HeraldStore
import HeraldTestSupport
import Testing

@Suite("Per-destination circuit breakers", .hangGuard)
struct DestinationBreakerTests {
    @Test func oneTenantsBrokenReceiverOpensItsOwnCircuitNotTheChannels() async throws {
        let broken = try await HTTPSink.start { _, _ in .status(503) }
        let healthy = try await HTTPSink.start()
        let partners = WebhookChannelFixture.make(name: "partners")
        let outbox = ScriptedChannel(name: "outbox")
        let harness = try DispatchHarness(channels: [partners, outbox], routes: ["default": ["partners", "outbox"]])

        // Three 503s from the broken tenant open a circuit (open_after: 3) — for its host:port only.
        for index in 0..<3 {
            _ = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("bad\(index)", webhook: "\(broken.url)/hook", email: nil))
            try await harness.worker.drain()
        }
        let brokenKey = ChannelHealth.key(channel: "partners", destination: "127.0.0.1:\(broken.port)")
        #expect(harness.worker.pipeline.health.state(of: brokenKey) == .open)
        #expect(harness.worker.pipeline.health.state(of: "partners") == .closed)
        #expect(try await harness.store.channelSummaries().first { $0.name == "partners" }?.circuit == .closed, "the stored channel state is untouched")

        // A healthy tenant on the same channel is delivered there, not skipped to the fallback.
        let good = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("good", webhook: "\(healthy.url)/hook", email: nil))
        try await harness.worker.drain()
        let detail = try #require(try await harness.store.message(id: good.id))
        #expect(detail.message.state == .delivered)
        #expect(detail.attemptLog.map(\.channel) == ["partners"])
        #expect(healthy.received.count == 1)
        #expect(outbox.deliveries.isEmpty)
        try await partners.shutdown()
        await broken.stop()
        await healthy.stop()
    }

    /// What an older build (or a hand-edited database) may hold: URLs that were never validated.
    @Test(arguments: ["http://127.0.0.1:99999/", "http://[::1]:70000/", "http://10.0.0.1/", "not a url"])
    func whateverAStoredMessageHoldsItEndsInARecordedOutcome(url: String) async throws {
        let partners = WebhookChannelFixture.make(name: "partners")
        let outbox = ScriptedChannel(name: "outbox")
        let harness = try DispatchHarness(channels: [partners, outbox], routes: ["default": ["partners", "outbox"]])
        let now = harness.clock.now()
        let notice = Notice(
            id: "nt_stored", kind: .single, template: "outage-apology", vars: DispatchHarness.apology.vars, route: ["partners", "outbox"],
            expiresAt: now + 3600, createdAt: now
        )
        let recipient = Recipient(id: "u1", contacts: ContactPoints(email: "u1@example.com", webhook: url))
        try await harness.store.enqueue(notice, message: NewMessage(id: "msg_stored", recipient: recipient))
        try await harness.worker.drain()
        let detail = try #require(try await harness.store.message(id: "msg_stored"))
        #expect(detail.message.state == .delivered, "the route moved on to the outbox")
        #expect(detail.attemptLog.first?.outcome == .permanent)
        #expect(detail.attemptLog.first?.error?.contains("webhook URL cannot be used") == true || detail.attemptLog.first?.error?.contains("destination refused") == true, "\(detail.attemptLog)")
        try await partners.shutdown()
    }
}
