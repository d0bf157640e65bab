import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Logging
import ServiceLifecycleTestKit
import Testing

@Suite("Worker service lifecycle", .hangGuard)
struct WorkerShutdownTests {
    /// A worker that claims one message at a time (or `maxInFlight`), with the default 60 s lease.
    func makeWorker(_ harness: DispatchHarness, channel: any Channel, store: (any DeliveryQueue)? = nil, maxInFlight: Int = 1) -> DeliveryWorker {
        let store = store ?? harness.store
        let pipeline = DeliveryPipeline(
            store: store, channels: harness.configuration.channels.filter { $0.name == channel.name }.map { ConfiguredChannel(settings: $0, transport: channel) },
            templates: harness.templates, clock: harness.clock
        )
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        return DeliveryWorker(
            store: store, pipeline: pipeline, clock: harness.clock,
            configuration: .init(owner: "service-worker", maxInFlight: maxInFlight, pollInterval: .seconds(1)), logger: logger
        )
    }

    @Test func aWorkerStillDeliveringKeepsItsLeasesPastTheirFirstExpiry() async throws {
        let channel = GatedChannel()
        let harness = try DispatchHarness(channels: [channel])
        let store = FlakyStore(base: harness.store)
        let receipt = try await harness.broadcast(DispatchHarness.apology, recipients: [harness.recipient("u1"), harness.recipient("u2")])
        let worker = makeWorker(harness, channel: channel, store: store, maxInFlight: 2)

        async let drained = worker.drain()
        var started = channel.started.makeAsyncIterator()
        let first = try #require(await started.next())
        let second = try #require(await started.next())
        // Half the 60 s lease passes with both in flight; then the first delivery finishes.
        harness.clock.advance(by: .seconds(30))
        channel.release(first)
        var renewals = store.renewals.makeAsyncIterator()
        #expect(await renewals.next() == "service-worker")
        // 70 s after the claim, the message still in flight is the worker's, not another's to send again.
        harness.clock.advance(by: .seconds(40))
        #expect(try await harness.store.claim(owner: "other-worker", limit: 10, now: harness.clock.now(), lease: .seconds(60)).isEmpty)
        channel.release(second)
        #expect(try await drained == 2)
        #expect(try await harness.store.counts(noticeID: receipt.id)[.delivered] == 2)
    }

    @Test func gracefulShutdownFinishesInFlightWorkAndLeavesTheRestQueued() async throws {
        let channel = GatedChannel()
        let harness = try DispatchHarness(channels: [channel])
        let receipt = try await harness.broadcast(DispatchHarness.apology, recipients: [harness.recipient("u1"), harness.recipient("u2")])
        let worker = makeWorker(harness, channel: channel)

        let inFlight = try await testGracefulShutdown { trigger in
            async let running: Void = worker.run()
            var started = channel.started.makeAsyncIterator()
            let inFlight = await started.next()
            trigger.triggerGracefulShutdown()
            channel.open()
            try await running
            return try #require(inFlight)
        }

        #expect(try await harness.store.message(id: inFlight)?.message.state == .delivered)
        let counts = try await harness.store.counts(noticeID: receipt.id)
        #expect(counts[.delivered] == 1)
        #expect(counts[.queued] == 1, "the message not yet claimed stays queued for the next worker")
        #expect(counts[.sending] == 0, "no lease is left behind")
    }

    @Test func anIdleWorkerStopsWithoutWaitingForItsPollInterval() async throws {
        let channel = GatedChannel()
        channel.open()
        let harness = try DispatchHarness(channels: [channel])
        let receipt = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u1"))
        let worker = makeWorker(harness, channel: channel)

        try await testGracefulShutdown { trigger in
            async let running: Void = worker.run()
            var started = channel.started.makeAsyncIterator()
            #expect(await started.next() == receipt.id)
            // The clock never moves: only the shutdown can end the worker's idle wait.
            trigger.triggerGracefulShutdown()
            try await running
        }
        #expect(try await harness.store.message(id: receipt.id)?.message.state == .delivered)
    }

    @Test func aStoreErrorDoesNotStopTheWorker() async throws {
        let channel = GatedChannel()
        channel.open()
        let harness = try DispatchHarness(channels: [channel])
        let receipt = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u1"))
        let worker = makeWorker(harness, channel: channel, store: FlakyStore(base: harness.store, failingClaims: 1))

        try await testGracefulShutdown { trigger in
            async let running: Void = worker.run()
            // The first round fails; the worker waits one poll interval and tries again.
            await harness.clock.waitForSleepers(1)
            harness.clock.advance(by: .seconds(1))
            var started = channel.started.makeAsyncIterator()
            #expect(await started.next() == receipt.id)
            trigger.triggerGracefulShutdown()
            try await running
        }
        #expect(try await harness.store.message(id: receipt.id)?.message.state == .delivered)
    }
}

/// `herald work --drain` after a worker died holding messages: their leases end and this drain
/// delivers them, instead of exiting with them still `sending`.
@Suite("Draining after a dead worker", .hangGuard)
struct DrainAfterDeadWorkerTests {
    @Test func aDrainWaitsForADeadWorkersLeasesAndDeliversTheirMessages() async throws {
        let outbox = ScriptedChannel(name: "outbox")
        let harness = try DispatchHarness(channels: [outbox])
        _ = try await harness.broadcast(DispatchHarness.apology, recipients: (0..<3).map { harness.recipient("u\($0)") })
        // A worker claims everything and dies: its leases run for the default 60 s.
        #expect(try await harness.store.claim(owner: "dead-worker", limit: 10, now: harness.clock.now(), lease: .seconds(60)).count == 3)

        async let drained = harness.worker.drainIncludingAbandoned()
        await harness.clock.waitForSleepers(1)
        harness.clock.advance(by: .seconds(61))
        #expect(try await drained == 3)
        #expect(outbox.deliveries.count == 3)
        #expect(try await harness.store.counts(noticeID: nil)[.delivered] == 3)
    }

    @Test func aLiveWorkersLeasesAreWaitedForAtMostOneLeasePeriod() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        _ = try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u1"))
        _ = try await harness.store.claim(owner: "busy-worker", limit: 1, now: harness.clock.now(), lease: .seconds(600))
        let start = harness.clock.now()
        let driver = Task {
            while !Task.isCancelled {
                await harness.clock.waitForSleepers(1)
                harness.clock.advanceToNextDeadline()
            }
        }
        #expect(try await harness.worker.drainIncludingAbandoned() == 0)
        driver.cancel()
        await driver.value
        #expect(harness.clock.now().timeIntervalSince(start) <= 60, "a worker that renews its lease holds a drain up to one lease period at most")
    }
}
