import Foundation
import HeraldCore
import HeraldStore
import Logging
import Synchronization

/// Paces the channels that have a `rate`, fleet-wide and by priority.
///
/// Send slots come from the channel's timeline in the store (`DeliveryQueue.leaseSlots`), a few at a
/// time, so every node of a fleet together keeps the rate (and a single node keeps it from its first
/// second on, with no burst). Deliveries waiting for a slot are served highest priority first, then
/// in arrival order: a critical notice claimed after a burst of normal ones still goes before them. A
/// channel whose circuit just closed on a recovery ramps from 10 % of its rate to all of it over
/// `circuit.ramp` (`RateRamp`).
final class ChannelPacer: Sendable {
    /// One rate-limited channel.
    private struct Lane {
        let ramp: RateRamp
        /// Slots leased and not yet used, in order.
        var slots: [Date] = []
        /// Deliveries waiting for a slot, best first.
        var waiters: [Waiter] = []
        /// Whether a task is handing out slots to the waiters.
        var dispatching = false
    }

    private struct Waiter {
        var rank: Int
        var arrival: Int
        var continuation: CheckedContinuation<Date, Never>

        func goesBefore(_ other: Waiter) -> Bool { (rank, -arrival) > (other.rank, -other.arrival) }
    }

    private let lanes: Mutex<(lanes: [String: Lane], arrivals: Int)>
    private let store: any DeliveryQueue
    private let clock: any WallClock
    private let health: ChannelHealth
    private let logger: Logger

    init(settings: [ChannelSettings], ramp: Duration, store: any DeliveryQueue, clock: any WallClock, health: ChannelHealth, logger: Logger) {
        let lanes = settings.compactMap { channel in channel.rate.map { (channel.name, Lane(ramp: RateRamp(rate: $0, ramp: ramp))) } }
        self.lanes = Mutex((Dictionary(uniqueKeysWithValues: lanes), 0))
        self.store = store
        self.clock = clock
        self.health = health
        self.logger = logger
    }

    /// Waits for the next send slot of `channel` and returns when it starts; `nil` at once for a
    /// channel without a rate.
    func slot(for channel: String, priority: Priority) async -> Date? {
        guard lanes.withLock({ $0.lanes[channel] != nil }) else { return nil }
        return await withCheckedContinuation { continuation in
            let starts = lanes.withLock { state -> Bool in
                state.arrivals += 1
                let waiter = Waiter(rank: priority.rank, arrival: state.arrivals, continuation: continuation)
                let index = state.lanes[channel]!.waiters.firstIndex { waiter.goesBefore($0) } ?? state.lanes[channel]!.waiters.endIndex
                state.lanes[channel]!.waiters.insert(waiter, at: index)
                guard !state.lanes[channel]!.dispatching else { return false }
                state.lanes[channel]!.dispatching = true
                return true
            }
            if starts { Task { await self.dispatch(channel) } }
        }
    }

    /// Hands out the channel's slots, each at its time, to the best waiter; ends when none is left.
    private func dispatch(_ channel: String) async {
        while true {
            let slot = await nextSlot(channel)
            let wait = slot.timeIntervalSince(clock.now())
            if wait > 0 { try? await clock.sleep(for: .nanoseconds(Int64((wait * 1e9).rounded(.up)))) }
            let waiter = lanes.withLock { state -> Waiter? in
                guard !state.lanes[channel]!.waiters.isEmpty else { return nil }
                return state.lanes[channel]!.waiters.removeFirst()
            }
            waiter?.continuation.resume(returning: slot)
            let done = lanes.withLock { state -> Bool in
                guard state.lanes[channel]!.waiters.isEmpty else { return false }
                state.lanes[channel]!.dispatching = false
                return true
            }
            if done { return }
        }
    }

    /// The channel's next slot: one leased earlier that has not passed, or the first of a new lease.
    private func nextSlot(_ channel: String) async -> Date {
        let now = clock.now()
        let ramp = lanes.withLock { $0.lanes[channel]!.ramp }
        let interval = ramp.interval(now: now, recoveredAt: health.recoveredAt(channel))
        let leased = lanes.withLock { state -> Date? in
            // A slot that passed while this node was busy is still used (sending a little late keeps
            // the count right); one that passed more than a second ago is dropped, so a node back from
            // idling never sends a stale lease as a burst.
            state.lanes[channel]!.slots.removeAll { $0 < now - Self.staleAfter }
            return state.lanes[channel]!.slots.isEmpty ? nil : state.lanes[channel]!.slots.removeFirst()
        }
        if let leased { return leased }
        let count = Self.leaseSize(ramp.rate)
        do {
            let first = try await store.leaseSlots(channel: channel, count: count, interval: interval, now: now)
            let slots = (0..<count).map { first + Double($0) * interval }
            lanes.withLock { $0.lanes[channel]!.slots.append(contentsOf: slots.dropFirst()) }
            return slots[0]
        } catch {
            logger.warning("rate slots not leased from the store; pacing this node alone", metadata: ["channel": "\(channel)", "error": "\(error)"])
            return now + interval
        }
    }

    /// How long a leased slot may have passed and still be used.
    static let staleAfter: TimeInterval = 1

    /// Slots leased at once: a tenth of a second's worth (at least one, at most 50), so the store is
    /// asked ten times a second at most per node and channel, and few slots go unused when a node stops.
    static func leaseSize(_ rate: Rate) -> Int {
        max(1, min(50, Int(rate.perSecond / 10)))
    }
}
