import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Testing

/// Several nodes on one store act as one on a channel's circuit: what one learns, the others act on
/// at their next look at the store (a worker looks at least every half second while it works).
@Suite("Circuits shared by a fleet", .hangGuard)
struct SharedCircuitTests {
    @Test func aCircuitOneNodeOpenedIsOpenOnTheOthersBeforeTheyTryTheChannel() async throws {
        let hooksA = ScriptedChannel(name: "hooks", answers: [.refused])
        let harness = try DispatchHarness(channels: [hooksA], retry: RetrySettings(backoff: [.seconds(3600)]))
        for index in 0..<3 {
            _ = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("a\(index)"))
            try await harness.worker.drain()
        }
        #expect(harness.worker.pipeline.health.state(of: "hooks") == .open)

        // Node B joins: its first message finds the channel open, not its own three failures.
        let hooksB = ScriptedChannel(name: "hooks", answers: [.refused])
        let nodeB = harness.node("node-b", channels: [hooksB])
        let waiting = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("b1"))
        try await nodeB.drain()
        #expect(hooksB.deliveries.isEmpty, "node B did not try a channel node A found dead")
        #expect(nodeB.pipeline.health.state(of: "hooks") == .open)
        #expect(try await harness.store.message(id: waiting.id)?.attemptLog.map(\.error) == ["circuit open"])
    }

    @Test func afterTheCooldownOneNodeProbesAndEveryNodeActsOnItsResult() async throws {
        let hooksA = ScriptedChannel(name: "hooks", answers: [.refused, .refused, .refused, nil])
        let harness = try DispatchHarness(channels: [hooksA], retry: RetrySettings(backoff: [.seconds(3600)]))
        let hooksB = ScriptedChannel(name: "hooks", answers: [nil])
        let nodeB = harness.node("node-b", channels: [hooksB])
        for index in 0..<3 {
            _ = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("a\(index)"))
            try await harness.worker.drain()
        }
        try await nodeB.drain()  // B learns the circuit is open
        _ = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("probe-1"))
        _ = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("probe-2"))
        try await harness.worker.drain()
        try await nodeB.drain()  // both wait for the cooldown

        harness.clock.advance(by: .seconds(15))
        try await nodeB.drain()
        try await harness.worker.drain()
        let probes = hooksA.deliveries.count - 3 + hooksB.deliveries.count
        #expect(probes >= 1 && (hooksA.deliveries.count == 3 || hooksB.deliveries.isEmpty), "one node won the probe; the other sent nothing")
        let circuits = try await harness.store.circuits()
        #expect(circuits.first { $0.channel == "hooks" }?.state == .closed, "the probe's success is stored")

        harness.clock.advance(by: .seconds(1))
        try await harness.worker.drain()
        try await nodeB.drain()
        #expect(harness.worker.pipeline.health.state(of: "hooks") == .closed)
        #expect(nodeB.pipeline.health.state(of: "hooks") == .closed, "the other node closed on the stored result")
    }
}

/// When a channel comes back, what waits on it goes by priority, then newest first — not by when
/// each message's own backoff happens to end.
@Suite("Recovery order", .hangGuard)
struct RecoveryOrderTests {
    @Test func aRecoveredChannelWakesItsBacklogSoPriorityDecidesTheOrder() async throws {
        let hooks = ScriptedChannel(name: "hooks", answers: [.refused, .refused, .refused, nil])
        let harness = try DispatchHarness(channels: [hooks], retry: RetrySettings(backoff: [.seconds(3600)]), maxInFlight: 1)
        // Three normal messages fail once (retrying in an hour) and open the circuit.
        var normals: [String] = []
        for index in 0..<3 {
            normals.append(try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("n\(index)")).id)
            try await harness.worker.drain()
        }
        var critical = DispatchHarness.apology
        critical.priority = .critical
        let urgent = try await harness.intake.send(critical, to: harness.recipient("c"))
        try await harness.worker.drain()  // waits for the circuit

        harness.clock.advance(by: .seconds(15))
        try await harness.worker.drain()
        let sent = hooks.deliveries.dropFirst(3).map(\.messageID)
        #expect(sent.first == urgent.id, "the critical message probes first")
        #expect(Array(sent.dropFirst()) == normals.reversed(), "then the normal ones, newest first, an hour before their own backoff: \(sent)")
        #expect(try await harness.store.counts(noticeID: nil)[.delivered] == 4)
    }
}
