import Foundation
import HeraldCore
@testable import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Logging
import Synchronization
import Testing

/// A channel's `rate` is the fleet's: nodes lease send slots from one timeline in the store, and
/// each node hands its slots to its deliveries best priority first.
@Suite("Rates kept by a fleet", .hangGuard)
struct FleetRateTests {
    static let rate = Rate(count: 20, per: .seconds(1))
    static let settings = [ChannelSettings(name: "sms", transport: .outbox(OutboxSettings(path: "unused")), rate: rate)]

    func pacer(_ store: any DeliveryQueue, _ clock: ManualClock, health: ChannelHealth? = nil) -> ChannelPacer {
        ChannelPacer(
            settings: Self.settings, ramp: .seconds(60), store: store, clock: clock,
            health: health ?? ChannelHealth(channels: ["sms"], settings: CircuitSettings()), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
    }

    /// Runs `body` while a driver lets every sleep of the clock run out, one deadline after another.
    func drivingTheClock<Value: Sendable>(_ clock: ManualClock, _ body: @escaping @Sendable () async -> Value) async -> Value {
        let driver = Task {
            while !Task.isCancelled {
                await clock.waitForSleepers(1)
                clock.advanceToNextDeadline()
            }
        }
        let value = await body()
        driver.cancel()
        await driver.value
        return value
    }

    @Test func threeNodesTogetherKeepTheRateWithoutAFirstSecondBurst() async throws {
        let store = MemoryMessageStore()
        let clock = ManualClock()
        let start = clock.now()
        let nodes = (0..<3).map { _ in pacer(store, clock) }
        let slots = await drivingTheClock(clock) {
            await withTaskGroup(of: [Date].self) { group in
                for node in nodes {
                    group.addTask {
                        await withTaskGroup(of: Date?.self) { deliveries in
                            for _ in 0..<100 { deliveries.addTask { await node.slot(for: "sms", priority: .normal) } }
                            return await deliveries.reduce(into: []) { if let slot = $1 { $0.append(slot) } }
                        }
                    }
                }
                return await group.reduce(into: []) { $0 += $1 }.sorted()
            }
        }
        #expect(slots.count == 300)
        #expect(Set(slots).count == 300, "no two deliveries share a slot, whatever node they are on")
        let seconds = slots.map { $0.timeIntervalSince(start) }
        #expect(seconds.filter { $0 < 1 }.count == 20, "the first second carries one second of the rate, not two")
        for windowStart in stride(from: 0.0, through: seconds.last! - 10, by: 0.5) {
            let count = seconds.filter { $0 >= windowStart && $0 < windowStart + 10 }.count
            #expect(abs(count - 200) <= 20, "10 s from \(windowStart) s: \(count) slots for a rate of 200 per 10 s")
        }
    }

    @Test func aCriticalDeliveryWaitingLaterTakesTheNextSlotBeforeNormalOnes() async throws {
        let store = MemoryMessageStore()
        let clock = ManualClock()
        let node = pacer(store, clock)
        #expect(await node.slot(for: "sms", priority: .normal) == clock.now(), "the first slot is at once")
        let order = Order()
        let normals = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        _ = await node.slot(for: "sms", priority: .normal)
                        order.append("normal")
                    }
                }
            }
        }
        await clock.waitForSleepers(1)  // the pacer waits for the second slot with three normal deliveries queued
        let critical = Task {
            _ = await node.slot(for: "sms", priority: .critical)
            order.append("critical")
        }
        await drivingTheClock(clock) {
            await normals.value
            await critical.value
        }
        #expect(order.values.first == "critical", "\(order.values)")
    }

    @Test func aRecoveredChannelStartsAtATenthOfItsRate() async throws {
        let store = MemoryMessageStore()
        let clock = ManualClock()
        let health = ChannelHealth(channels: ["sms"], settings: CircuitSettings(openAfter: 1))
        #expect(health.admit("sms", now: clock.now()))
        _ = health.record("sms", failure: DeliveryError(reason: .connection, isRetryable: true, detail: "down"), now: clock.now())
        _ = health.record("sms", failure: nil, now: clock.now())  // the probe came back: recovered now
        let node = pacer(store, clock, health: health)
        let start = clock.now()
        let slots = await drivingTheClock(clock) {
            var slots: [Date] = []
            for _ in 0..<4 { if let slot = await node.slot(for: "sms", priority: .normal) { slots.append(slot) } }
            return slots
        }
        #expect(slots.first == start)
        #expect(slots.dropFirst().first.map { $0.timeIntervalSince(start) } ?? 0 >= 0.49, "2 a second at first, not 20")
    }
}

/// The order in which deliveries got their slots.
final class Order: Sendable {
    private let recorded = Mutex<[String]>([])
    func append(_ value: String) { recorded.withLock { $0.append(value) } }
    var values: [String] { recorded.withLock { $0 } }
}

/// A channel's connections go to the best waiting priority first, too.
@Suite("Connections by priority", .hangGuard)
struct ConcurrencyLimiterTests {
    @Test func aCriticalWaiterTakesTheNextFreeConnectionBeforeNormalOnesThatCameFirst() async throws {
        let limiter = ConcurrencyLimiter(limit: 1)
        await limiter.acquire(.normal)  // the one connection is busy
        let order = Order()
        let normals = (0..<2).map { _ in Task { await limiter.withPermit(.normal) { order.append("normal") } } }
        while await limiter.waiting < 2 { await Task.yield() }
        let critical = Task { await limiter.withPermit(.critical) { order.append("critical") } }
        while await limiter.waiting < 3 { await Task.yield() }
        await limiter.release()
        for task in normals { await task.value }
        await critical.value
        #expect(order.values == ["critical", "normal", "normal"])
    }
}
