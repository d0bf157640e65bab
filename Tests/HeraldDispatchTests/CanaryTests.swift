import Foundation
import HeraldChannels
import HeraldCore
import HeraldDispatch
import HeraldSinks
import HeraldStore
import HeraldTelemetry
import HeraldTestSupport
import Logging
import Testing

/// Canaries against real HTTP receivers on 127.0.0.1, on an injected clock: once per period, their
/// results and ages, a dead receiver opening the circuit before any real notice meets it, recovery
/// closing it, and one send per period across two nodes on PostgreSQL.
@Suite("Canaries", .hangGuard)
struct CanaryTests {
    static let silent = Logger(label: "canary") { _ in SwiftLogNoOpLogHandler() }

    func scheduler(_ harness: DispatchHarness, store: (any MessageStore)? = nil) -> CanaryScheduler {
        let store = store ?? harness.store
        let intake = NoticeIntake(configuration: harness.configuration, templates: harness.templates, store: store, clock: harness.clock)
        return CanaryScheduler(configuration: harness.configuration, store: store, intake: intake, clock: harness.clock, logger: Self.silent)
    }

    func hooksCanary(_ harness: DispatchHarness) async throws -> CanaryStatus? {
        try await harness.store.channelReport(for: harness.configuration, now: harness.clock.now()).first { $0.name == "hooks" }?.canary
    }

    @Test func aCanaryGoesOutOncePerPeriodAndItsResultAndAgeAreReported() async throws {
        let receiver = try await HTTPSink.start()
        let hooks = WebhookChannelFixture.make(name: "hooks")
        let canary = CanarySettings(channel: "hooks", to: "\(receiver.url)/canary", every: .seconds(60))
        let harness = try DispatchHarness(channels: [hooks], routes: ["default": ["hooks"]], canaries: [canary])
        let canaries = scheduler(harness)
        #expect(try await hooksCanary(harness)?.result == "none")

        let first = try await canaries.runDue()
        guard case .sent(_, let slot, _)? = first.first else { Issue.record("no canary sent: \(first)"); return }
        #expect(try await canaries.runDue() == [.alreadySent(channel: "hooks", slot: slot)], "one canary per slot")
        try await harness.worker.drain()
        harness.clock.advance(by: .seconds(30))
        #expect(try await canaries.runDue() == [.alreadySent(channel: "hooks", slot: slot)], "still the same period")
        harness.clock.advance(by: .seconds(30))
        #expect(try await canaries.runDue().count == 1)
        try await harness.worker.drain()
        try await hooks.shutdown()
        await receiver.stop()

        #expect(receiver.received.map(\.path) == ["/canary", "/canary"])
        #expect(receiver.received.first?.text.contains(#""event":"herald.canary""#) == true, "the canary template's webhook part")
        #expect(receiver.received.first?.headers["webhook-signature"] != nil, "signed like any notice")
        let fresh = try #require(try await hooksCanary(harness))
        #expect(fresh.result == "delivered" && fresh.ageSeconds == 0 && !fresh.stale)

        harness.clock.advance(by: .seconds(181))
        let old = try #require(try await hooksCanary(harness))
        #expect(old.ageSeconds == 181 && old.stale, "older than three periods")
        #expect(old.summary == "delivered 3 m ago, stale")
        let metrics = try await HeraldMetrics().scrape(store: harness.store, configuration: harness.configuration, now: harness.clock.now())
        #expect(metrics.contains(#"herald_canary_success{channel="hooks"} 1"#), "\(metrics)")
        #expect(metrics.contains(#"herald_canary_age_seconds{channel="hooks"} 181"#))
    }

    @Test func aDeadGatewayOpensTheCircuitBeforeARealNoticeMeetsItAndRecoveryClosesIt() async throws {
        let port = try HTTPSink.refusingPort()  // nothing listens there: connections are refused
        let sms = SMSChannel(name: "sms", configuration: .init(gateway: DispatchHarness.smsGateway(url: "http://127.0.0.1:\(port)/send")))
        let outbox = ScriptedChannel(name: "outbox")
        let canary = CanarySettings(channel: "sms", to: "+821012345678", every: .seconds(60))
        let logs = LogCapture()
        let harness = try DispatchHarness(
            channels: [sms, outbox], routes: ["default": ["sms", "outbox"]], retry: .init(backoff: [.seconds(5)]),
            circuit: .init(openAfter: 2, cooldown: .seconds(15)), telemetry: DeliveryTelemetry(logger: logs.logger()), canaries: [canary]
        )
        let canaries = scheduler(harness)
        func smsCanary() async throws -> CanaryStatus? {
            try await harness.store.channelReport(for: harness.configuration, now: harness.clock.now()).first { $0.name == "sms" }?.canary
        }

        try await canaries.runDue()
        try await harness.worker.drain()
        harness.clock.advance(by: .seconds(5))
        try await harness.worker.drain()
        #expect(try await harness.store.circuits().first { $0.channel == "sms" }?.state == .open, "two failed canary attempts opened it")
        let failing = try #require(try await smsCanary())
        #expect(failing.result == "failed" && failing.detail?.contains("refused") == true, "\(failing)")
        let warned = logs.lines.filter { $0.level == .warning && $0.message == "canary failed: the channel may be down" }
        #expect(warned.count == 2 && warned.first?.metadata["channel"] == "sms", "what the operator reads: \(logs.lines.map(\.message))")
        #expect(try await harness.store.counts(noticeID: nil).total == 1, "no real notice was sent to find out")

        // The first real notice goes straight to the fallback: no attempt on the dead channel.
        let real = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u1", phone: "010-9876-5432"))
        try await harness.worker.drain()
        let ledger = try #require(try await harness.store.message(id: real.id)).attemptLog
        #expect(ledger.map(\.outcome) == [.skipped, .delivered] && ledger.last?.channel == "outbox", "\(ledger)")

        // The gateway comes back; the next canary is the half-open probe and closes the circuit.
        let back = try await HTTPSink.start(port: port)
        harness.clock.advance(by: .seconds(60))
        try await canaries.runDue()
        try await harness.worker.drain()
        try await sms.shutdown()
        await back.stop()
        #expect(back.received.count == 1 && back.received.first?.text.contains("Herald canary: sms works.") == true, "\(back.received.map(\.text))")
        #expect(try await harness.store.circuits().first { $0.channel == "sms" }?.state == .closed)
        #expect(try await smsCanary()?.result == "delivered")
    }

    @Test(.enabled(if: PostgresTestServer.adminURL != nil, "needs HERALD_TEST_POSTGRES (scripts/test starts a server)"))
    func twoNodesOnPostgreSQLSendEachPeriodOnce() async throws {
        let directory = TemporaryDirectory()
        let (one, two) = (try await StoreBackend.postgres.makeStore(in: directory), try await StoreBackend.postgres.makeStore(in: directory))
        let canary = CanarySettings(channel: "outbox", to: "", every: .seconds(60))
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")], canaries: [canary])
        let (first, second) = (scheduler(harness, store: one), scheduler(harness, store: two))
        var sent = 0
        for _ in 0..<3 {
            async let a = first.runDue()
            async let b = second.runDue()
            let outcomes = try await a + b
            sent += outcomes.count { if case .sent = $0 { true } else { false } }
            #expect(outcomes.count == 2)
            harness.clock.advance(by: .seconds(60))
        }
        #expect(sent == 3, "one canary per period, whichever node sent it")
        #expect(try await one.counts(noticeID: nil).total == 3)
        try await one.close()
        try await two.close()
    }
}
