import Foundation
import HeraldChannels
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Testing

/// Channels that share fate with a service (`depends_on`): while an open incident marks the service
/// down, routes skip the channel with no attempt and no circuit trip; restored, it takes traffic again
/// through half-open probes. Real sockets: an HTTP sink as the webhook receiver and as the SMS gateway.
@Suite("Channels that share fate", .serialized, .hangGuard)
struct SharedFateTests {
    static let messenger = Incident(
        id: "inc_fire", title: "Data-center fire", services: [Incident.Service(name: "Messenger", status: .outage)], segment: nil, note: nil,
        openedAt: Date(timeIntervalSince1970: 1_790_000_000)
    )

    @Test func aChannelWhoseServiceIsDownIsSkippedWithoutAnAttemptAndReturnsWhenRestored() async throws {
        let receiver = try await HTTPSink.start()
        let gateway = try await HTTPSink.start()
        let hooks = WebhookChannelFixture.make(name: "hooks")
        let sms = SMSChannel(name: "sms", configuration: .init(gateway: DispatchHarness.smsGateway(url: "\(gateway.url)/send")))
        let logs = LogCapture()
        let harness = try DispatchHarness(
            channels: [hooks, sms], routes: ["default": ["hooks", "sms"]], telemetry: DeliveryTelemetry(logger: logs.logger()),
            dependsOn: ["hooks": ["messenger"]]
        )
        try await harness.store.saveNewIncident(Self.messenger)
        let recipient = harness.recipient("u1", webhook: "\(receiver.url)/u1", email: nil, phone: "010-1234-5678")

        let during = try await harness.intake.send(DispatchHarness.apology, to: recipient)
        try await harness.worker.drain()
        let skipped = try #require(try await harness.store.message(id: during.id))
        #expect(skipped.message.state == .delivered)
        #expect(skipped.attemptLog.map(\.outcome) == [.skipped, .delivered])
        #expect(skipped.attemptLog.first?.error == "depends on messenger (outage)")
        #expect(receiver.received.isEmpty, "no attempt at the webhook receiver")
        #expect(harness.worker.pipeline.health.state(of: "hooks") == .closed, "no circuit trip")
        let report = try await harness.store.channelReport(for: harness.configuration, now: harness.clock.now())
        let hooksStatus = try #require(report.first { $0.name == "hooks" })
        #expect(hooksStatus.heldBack == "depends on messenger (outage)")
        let json = String(decoding: try JSONEncoder().encode(hooksStatus), as: UTF8.self)
        #expect(json.contains(#""held_back":"depends on messenger (outage)""#), "as GET /v1/channels shows it: \(json)")

        _ = try await harness.store.changeIncident(id: Self.messenger.id) { incident in
            incident.apply([Incident.Service(name: "Messenger", status: .restored)], note: "back", at: Self.messenger.openedAt + 3600)
        }
        harness.clock.advance(by: .seconds(1))
        let after = try await harness.intake.send(DispatchHarness.apology, to: recipient)
        try await harness.worker.drain()
        try await hooks.shutdown()
        try await sms.shutdown()
        await receiver.stop()
        await gateway.stop()
        let restored = try #require(try await harness.store.message(id: after.id))
        #expect(restored.message.state == .delivered)
        #expect(restored.attemptLog.map(\.channel) == ["hooks"])
        #expect(receiver.received.count == 1)
        #expect(gateway.received.count == 1)
        #expect(harness.worker.pipeline.health.recoveredAt("hooks") == harness.clock.now(), "its rate ramps up again from the restoration")
        let warnings = logs.lines.filter { $0.level == .warning }.map { "\($0.message) [\($0.metadata["channel"] ?? "")]" }
        #expect(
            warnings == [
                "channel held back: depends on messenger (outage); routes pass it over [hooks]",
                "channel resumed: the services it depends on are restored [hooks]",
            ]
        )
        #expect(try await harness.store.channelReport(for: harness.configuration, now: harness.clock.now()).first { $0.name == "hooks" }?.heldBack == nil)
    }

    @Test func aMessageWhoseOnlyChannelIsHeldBackWaitsInsteadOfFailing() async throws {
        let hooks = ScriptedChannel(name: "hooks", kind: .webhook)
        let harness = try DispatchHarness(channels: [hooks], routes: ["default": ["hooks"]], dependsOn: ["hooks": ["Messenger"]])
        try await harness.store.saveNewIncident(Self.messenger)
        let sent = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u1", webhook: "https://hooks.example.com/u1"))
        try await harness.worker.drain()
        let waiting = try #require(try await harness.store.message(id: sent.id))
        #expect(waiting.message.state == .retrying)
        #expect(waiting.message.lastError == "held back: depends on Messenger (outage)")
        #expect(waiting.nextAttemptAt == harness.clock.now() + 5)
        #expect(hooks.deliveries.isEmpty)

        // Resolving the incident restores every service; the next look sends it.
        _ = try await harness.store.changeIncident(id: Self.messenger.id) { $0.resolve(note: nil, at: Self.messenger.openedAt + 60) }
        harness.clock.advance(by: .seconds(5))
        try await harness.worker.drain()
        #expect(try await harness.store.message(id: sent.id)?.message.state == .delivered)
        #expect(hooks.deliveries.count == 1)
    }

    @Test func configAndDryRunsSayWhichChannelsAreHeldBack() async throws {
        let config = try HeraldConfiguration.parse(
            yaml: """
                storage: sqlite:test.sqlite
                channels:
                  hooks: { kind: webhook, secret: "whsec_a2V5", depends_on: [Messenger, Login] }
                  outbox: { kind: outbox, path: outbox/ }
                """,
            file: "herald.yaml", environment: [:]
        )
        #expect(config.channels.first?.dependsOn == ["Messenger", "Login"])
        let degraded = SharedFate(openIncidents: [
            Incident(id: "a", title: "t", services: [.init(name: "login", status: .degraded)], segment: nil, note: nil, openedAt: Date())
        ])
        #expect(degraded.holdingBack(config.channels[0])?.service == "Login")
        #expect(degraded.holdingBack(config.channels[1]) == nil)
        var resolved = Self.messenger
        resolved.resolve(note: nil, at: Date())
        #expect(SharedFate(openIncidents: [resolved]).impaired.isEmpty)

        let hooks = ScriptedChannel(name: "hooks", kind: .webhook)
        let harness = try DispatchHarness(channels: [hooks, ScriptedChannel(name: "outbox")], routes: ["default": ["hooks", "outbox"]], dependsOn: ["hooks": ["Messenger"]])
        try await harness.store.saveNewIncident(Self.messenger)
        _ = try await harness.store.upsertRecipients(ArrayBatchSource([harness.recipient("u1", webhook: "https://hooks.example.com/u1")]), now: harness.clock.now())
        let report = try await harness.intake.dryRun(DispatchHarness.apology, segment: nil)
        #expect(report.heldBack == ["hooks": "depends on Messenger (outage)"])
        #expect(report.byChannel == ["outbox": 1])
    }
}
