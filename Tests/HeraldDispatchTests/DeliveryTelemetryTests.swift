import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTelemetry
import HeraldTestSupport
import Logging
import Testing

/// What an operator sees of deliveries: a line per attempt that did not deliver, a warning per
/// message that ends undelivered and per circuit transition, and the delivery metrics.
@Suite("Delivery logs and metrics", .hangGuard)
struct DeliveryTelemetryTests {
    @Test func everyAttemptThatDidNotDeliverIsLoggedWithMessageChannelDestinationAndReason() async throws {
        let logs = LogCapture()
        let metrics = HeraldMetrics()
        let hooks = ScriptedChannel(name: "hooks", kind: .webhook, answers: [.refused, .gone])
        let harness = try DispatchHarness(channels: [hooks], telemetry: DeliveryTelemetry(logger: logs.logger(), metrics: metrics))
        let receipt = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u1", webhook: "https://hooks.example.com:8443/in"))

        try await harness.worker.drain()
        let transient = try #require(logs.lines.first)
        #expect(transient.level == .info)
        #expect(transient.message == "not delivered: connection: connection refused")
        #expect(transient.metadata["message"] == receipt.id)
        #expect(transient.metadata["channel"] == "hooks")
        #expect(transient.metadata["destination"] == "hooks.example.com:8443")
        #expect(transient.metadata["outcome"] == "transient")
        #expect(transient.metadata["next"]?.hasPrefix("retry at ") == true)

        harness.clock.advance(by: .seconds(5))
        try await harness.worker.drain()
        let permanent = logs.lines.dropFirst().map { "\($0.level) \($0.message)" }
        #expect(permanent == ["warning not delivered: rejected: HTTP 410", "warning message failed: rejected: HTTP 410"])

        let text = metrics.registry.emitToString()
        #expect(text.contains(#"herald_deliveries_total{channel="hooks",outcome="transient"} 1"#), "\(text)")
        #expect(text.contains(#"herald_deliveries_total{channel="hooks",outcome="permanent"} 1"#))
        #expect(text.contains(#"herald_delivery_duration_seconds_count{channel="hooks"} 2"#))
        #expect(text.contains("# HELP herald_deliveries_total "))
        #expect(text.contains("# TYPE herald_delivery_duration_seconds histogram"))
    }

    @Test func aDeliveryLogsNothingAndCountsAsDelivered() async throws {
        let logs = LogCapture()
        let metrics = HeraldMetrics()
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")], telemetry: DeliveryTelemetry(logger: logs.logger(), metrics: metrics))
        _ = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u1"))
        try await harness.worker.drain()
        #expect(logs.lines.isEmpty)
        #expect(metrics.registry.emitToString().contains(#"herald_deliveries_total{channel="outbox",outcome="delivered"} 1"#))
    }

    @Test func everyCircuitTransitionIsAWarning() async throws {
        let logs = LogCapture()
        let outbox = ScriptedChannel(name: "outbox", answers: [.refused, .refused, .refused, nil])
        let harness = try DispatchHarness(channels: [outbox], retry: RetrySettings(backoff: [.seconds(3600)]), telemetry: DeliveryTelemetry(logger: logs.logger()))
        for index in 0..<3 {
            _ = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u\(index)"))
            try await harness.worker.drain()
        }
        _ = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("late"))
        try await harness.worker.drain()
        harness.clock.advance(by: .seconds(15))
        try await harness.worker.drain()

        let circuits = logs.lines.filter { $0.message.hasPrefix("circuit ") }
        #expect(circuits.map(\.message) == ["circuit open: outbox", "circuit half_open: outbox", "circuit closed: outbox"], "\(logs.lines.map(\.message))")
        #expect(circuits.allSatisfy { $0.level == .warning })
        #expect(logs.lines.contains { $0.message == "not delivered: circuit open" && $0.metadata["outcome"] == "skipped" })
    }
}
