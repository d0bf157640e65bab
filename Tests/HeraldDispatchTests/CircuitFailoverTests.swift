import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Testing

@Suite("Circuit breakers in the pipeline", .hangGuard)
struct CircuitFailoverTests {
    func recipients(_ harness: DispatchHarness, _ count: Int, from start: Int = 0) -> [Recipient] {
        (start..<start + count).map { harness.recipient("u\($0)") }
    }

    @Test func anOpenCircuitSendsNewMessagesToTheNextChannelAtOnce() async throws {
        let primary = ScriptedChannel(name: "primary", answers: [.refused])
        let fallback = ScriptedChannel(name: "fallback")
        let harness = try DispatchHarness(channels: [primary, fallback], routes: ["default": ["primary", "fallback"]])

        // Three refused connections open the circuit (open_after: 3).
        for index in 0..<3 {
            _ = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("warm\(index)"))
            try await harness.worker.drain()
        }
        #expect(harness.worker.pipeline.health.state(of: "primary") == .open)
        #expect(try await harness.store.channelSummaries().first { $0.name == "primary" }?.circuit == .open)

        // Everything queued now goes straight to the fallback, without waiting for any timeout or backoff.
        let receipt = try await harness.broadcast(DispatchHarness.apology, recipients: recipients(harness, 20))
        try await harness.worker.drain()
        #expect(try await harness.store.counts(noticeID: receipt.id)[.delivered] == 20)
        #expect(primary.deliveries.count == 3)
        let detail = try #require(try await harness.store.messages(MessageFilter(noticeID: receipt.id, limit: 1)).first)
        #expect(detail.attemptLog.map(\.outcome) == [.skipped, .delivered])
        #expect(detail.attemptLog.first?.error == "circuit open")
    }

    @Test func messagesWaitWhileEveryChannelOfTheirRouteIsOpenThenProbeAndRecover() async throws {
        let only = ScriptedChannel(name: "outbox", answers: [.refused, .refused, .refused, .refused, nil])
        // The warm-up messages back off for an hour, so only the waiting message is due when the circuit probes.
        let harness = try DispatchHarness(channels: [only], retry: RetrySettings(backoff: [.seconds(3600)]))
        for index in 0..<3 {
            _ = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("warm\(index)"))
            try await harness.worker.drain()
        }
        let waiting = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u1"))
        try await harness.worker.drain()
        var detail = try #require(try await harness.store.message(id: waiting.id))
        #expect(detail.message.state == .retrying, "an open circuit delays, it does not fail")
        #expect(detail.nextAttemptAt == harness.clock.now() + 15, "it waits for the cooldown")
        #expect(only.deliveries.count == 3)

        // After the cooldown one probe goes through; it fails, so the circuit opens for another cooldown.
        harness.clock.advance(by: .seconds(15))
        try await harness.worker.drain()
        #expect(harness.worker.pipeline.health.state(of: "outbox") == .open)

        detail = try #require(try await harness.store.message(id: waiting.id))
        #expect(detail.message.state == .retrying)
        #expect(detail.attemptLog.map(\.outcome) == [.skipped, .transient])

        // After the next cooldown a new message is the probe; it succeeds and the circuit closes.
        harness.clock.advance(by: .seconds(15))
        let probe = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u2"))
        try await harness.worker.drain()
        #expect(harness.worker.pipeline.health.state(of: "outbox") == .closed)
        #expect(try await harness.store.channelSummaries().first?.circuit == .closed)
        #expect(try await harness.store.message(id: probe.id)?.message.state == .delivered)
    }

    @Test func aChannelRateSpacesDeliveriesOut() async throws {
        let outbox = ScriptedChannel(name: "outbox")
        let harness = try DispatchHarness(channels: [outbox], rates: ["outbox": Rate(count: 1, per: .seconds(1))])
        let start = harness.clock.now()
        _ = try await harness.broadcast(DispatchHarness.apology, recipients: (0..<3).map { harness.recipient("u\($0)") })

        async let drained = harness.worker.drain()
        // The first goes at once; the pacer then waits for each next slot, one second apart.
        await harness.clock.waitForSleepers(1)
        harness.clock.advance(by: .seconds(1))
        await harness.clock.waitForSleepers(1)
        harness.clock.advance(by: .seconds(1))
        #expect(try await drained == 3)
        #expect(outbox.deliveries.map { $0.attemptedAt.timeIntervalSince(start) }.sorted() == [0, 1, 2], "no burst: one a second from the first")
    }

    @Test func afterAnOutageTheBacklogDrainsByPriorityThenNewestFirst() async throws {
        // One message in flight at a time, so the delivery order is the drain order.
        let channel = ScriptedChannel(name: "outbox", answers: [.refused, .refused, .refused, nil])
        let harness = try DispatchHarness(channels: [channel], retry: RetrySettings(backoff: [.seconds(3600)]), maxInFlight: 1)
        // Three normal messages fail (each to retry in an hour) and open the circuit.
        var queued: [(Priority, String)] = []
        for index in 0..<3 {
            queued.append((.normal, try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("warm\(index)")).id))
            try await harness.worker.drain()
        }
        // The circuit is open; a backlog builds up, oldest first.
        for (index, priority) in [Priority.normal, .low, .critical, .normal, .high, .critical].enumerated() {
            harness.clock.advance(by: .milliseconds(10))
            var request = DispatchHarness.apology
            request.priority = priority
            queued.append((priority, try await harness.intake.send(request, to: harness.recipient("u\(index)")).id))
        }
        try await harness.worker.drain()
        #expect(channel.deliveries.count == 3, "nothing goes out while the circuit is open")

        harness.clock.advance(by: .seconds(15))
        try await harness.worker.drain()
        // The recovery wakes the ones that failed before the outage too: one order for everything.
        let expected = queued.enumerated().sorted { ($0.element.0, $0.offset) > ($1.element.0, $1.offset) }.map(\.element.1)
        #expect(channel.deliveries.dropFirst(3).map(\.messageID) == expected)
    }
}
