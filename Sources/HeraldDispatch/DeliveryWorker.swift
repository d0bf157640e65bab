import Foundation
import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle
import Synchronization

/// Claims due messages in batches, delivers them through the pipeline with bounded concurrency,
/// and records the results in batched transactions. Run it in a `ServiceGroup`; on graceful shutdown
/// it stops claiming, finishes what is in flight, records it, and gives back any lease it still holds.
///
/// Tests drive it step by step with `drain()` and a manual clock instead of running the loop.
public final class DeliveryWorker: Service {
    /// The worker's settings, with a default for every field.
    public struct Configuration: Sendable {
        /// Lease owner name; unique per worker so a lost lease is never mistaken for ours.
        public var owner: String
        /// Messages in flight at once across all channels (each channel is further bounded by its `connections`).
        public var maxInFlight: Int
        /// How long a claim is ours; a worker that dies loses its messages to others after this.
        public var lease: Duration
        /// How long to wait before looking again when nothing is due.
        public var pollInterval: Duration
        /// Results recorded per transaction, at most.
        public var recordBatch: Int

        public init(
            owner: String = Identifier.make(prefix: "worker"), maxInFlight: Int = DeliverySettings().concurrency,
            lease: Duration = DeliverySettings().lease, pollInterval: Duration = DeliverySettings().poll, recordBatch: Int = 256
        ) {
            self.owner = owner
            self.maxInFlight = maxInFlight
            self.lease = lease
            self.pollInterval = pollInterval
            self.recordBatch = recordBatch
        }
    }

    let store: any DeliveryQueue
    /// The stages each message goes through (and the channels' circuit breakers).
    public let pipeline: DeliveryPipeline
    let clock: any WallClock
    let configuration: Configuration
    let logger: Logger
    private let stopping = Atomic<Bool>(false)
    /// When the circuits were last brought up to date with the fleet (`ChannelHealth.sync`).
    private let lastCircuitSync = Mutex<Date?>(nil)
    /// How often, at most, a busy worker reads the fleet's circuits; an idle one reads them every poll.
    static let circuitSyncInterval: TimeInterval = 0.5

    public init(store: any DeliveryQueue, pipeline: DeliveryPipeline, clock: any WallClock, configuration: Configuration = .init(), logger: Logger) {
        self.store = store
        self.pipeline = pipeline
        self.clock = clock
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        logger.info("delivery worker started", metadata: ["owner": "\(configuration.owner)"])
        await withGracefulShutdownHandler {
            // Task cancellation (the service group ending without a graceful shutdown) stops the loop too.
            while !stopping.load(ordering: .relaxed), !Task.isCancelled {
                let processed: Int
                do {
                    processed = try await drain()
                } catch {
                    // A store that is busy or briefly unavailable must not stop delivery: whatever was
                    // claimed and not recorded is reclaimed when its lease expires.
                    logger.error("delivery round failed; retrying", metadata: ["error": "\(error)"])
                    processed = 0
                }
                if processed == 0, !stopping.load(ordering: .relaxed) {
                    // The idle wait ends early on shutdown; in-flight work is never cut short this way.
                    let clock = self.clock
                    let interval = configuration.pollInterval
                    try? await cancelWhenGracefulShutdown { try await clock.sleep(for: interval) }
                }
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .relaxed)
        }
        try await store.releaseLeases(owner: configuration.owner, now: clock.now())
        logger.info("delivery worker stopped", metadata: ["owner": "\(configuration.owner)"])
    }

    /// Asks the worker to stop claiming; `run()` and `drain()` return once in-flight messages are recorded.
    public func stop() { stopping.store(true, ordering: .relaxed) }

    /// Whether `stop()` was called or a graceful shutdown began.
    public var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// Delivers everything due now, and whatever becomes due while doing so, until nothing is left.
    /// - Returns: how many messages were processed.
    @discardableResult
    public func drain() async throws -> Int {
        let maxInFlight = configuration.maxInFlight
        return try await withThrowingTaskGroup(of: DeliveryResult.self) { group in
            var inFlight = 0
            var processed = 0
            var pending: [DeliveryResult] = []
            var exhausted = false
            var renewal = LeaseRenewal(lease: configuration.lease, claimedAt: clock.now())
            while true {
                // Refill once half the window is free, recording what finished first so leases stay short-lived.
                if !exhausted, inFlight <= maxInFlight / 2, !stopping.load(ordering: .relaxed) {
                    try await flush(&pending)
                    try await renewLeases(&renewal)
                    await syncCircuits()
                    let batch = try await store.claim(
                        owner: configuration.owner, limit: maxInFlight - inFlight, now: clock.now(), lease: configuration.lease
                    )
                    let suppressed = batch.isEmpty ? [:] : try await pipeline.suppressions(for: batch)
                    for message in batch {
                        group.addTask { await self.pipeline.process(message, suppressed: suppressed) }
                    }
                    inFlight += batch.count
                    exhausted = batch.isEmpty
                }
                guard inFlight > 0 else { break }
                guard let result = try await group.next() else { break }
                try await renewLeases(&renewal)
                inFlight -= 1
                processed += 1
                pending.append(result)
                if pending.count >= configuration.recordBatch { try await flush(&pending) }
                if inFlight == 0 { exhausted = false }
            }
            try await flush(&pending)
            return processed
        }
    }

    /// Acts on the circuits other nodes stored, and claims due probes, at most every
    /// `circuitSyncInterval`: a transition anywhere in the fleet reaches this worker within a second.
    /// A store that cannot be read leaves the local circuits as they are.
    private func syncCircuits() async {
        let now = clock.now()
        let due = lastCircuitSync.withLock { last in
            guard last.map({ now.timeIntervalSince($0) >= Self.circuitSyncInterval }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        do {
            for probe in try await pipeline.health.sync(with: store, now: now) { pipeline.telemetry.circuitChanged(probe) }
            let fate = try await pipeline.health.followFate(in: store, now: now)
            pipeline.telemetry.fateChanged(heldBack: fate.heldBack, resumed: fate.resumed)
        } catch {
            logger.warning("circuits not synced with the store", metadata: ["error": "\(error)"])
        }
    }

    /// `drain()`, and then — while another worker holds messages under a lease — looks again every
    /// second, delivering what comes free when such a lease ends (its worker died holding it), until
    /// no other worker holds any or one lease period has passed with nothing to do: the longest a dead
    /// worker's lease can last, and the wait a live, busy worker puts on this drain.
    /// - Returns: how many messages were processed.
    @discardableResult
    public func drainIncludingAbandoned() async throws -> Int {
        var processed = try await drain()
        var giveUpAt = clock.now() + configuration.lease.timeInterval
        var announced = false
        while !stopping.load(ordering: .relaxed), let expiry = try await store.nextLeaseExpiry(notOwnedBy: configuration.owner) {
            let now = clock.now()
            guard now < giveUpAt else { break }
            if !announced {
                logger.info("waiting for messages another worker holds", metadata: ["lease_ends": "\(RenderContext.timestamp(expiry))"])
                announced = true
            }
            let wait = min(1, max(0.001, expiry.timeIntervalSince(now)), giveUpAt.timeIntervalSince(now))
            try await clock.sleep(for: .milliseconds(Int64((wait * 1000).rounded(.up))))
            let more = try await drain()
            processed += more
            if more > 0 { giveUpAt = clock.now() + configuration.lease.timeInterval }
        }
        return processed
    }

    /// Extends this worker's leases when a third of the lease has passed since the last renewal.
    private func renewLeases(_ renewal: inout LeaseRenewal) async throws {
        let now = clock.now()
        guard renewal.isDue(at: now) else { return }
        try await store.renewLeases(owner: configuration.owner, now: now, lease: configuration.lease)
        renewal.renewed(at: now)
    }

    private func flush(_ pending: inout [DeliveryResult]) async throws {
        guard !pending.isEmpty else { return }
        try await store.record(pending, owner: configuration.owner, now: clock.now())
        pending.removeAll(keepingCapacity: true)
    }
}

/// When a draining worker extends its leases: once a third of the lease has passed since it claimed or
/// last renewed, checked as each delivery finishes and before each claim. A slow delivery then never
/// lets the worker's other messages (delivered but not yet recorded, or still in flight) expire and go
/// out a second time from another worker. (The store never hands a worker back its own leases.)
struct LeaseRenewal {
    let interval: TimeInterval
    private var due: Date

    init(lease: Duration, claimedAt: Date) {
        interval = lease.timeInterval / 3
        due = claimedAt + interval
    }

    func isDue(at now: Date) -> Bool { now >= due }

    mutating func renewed(at now: Date) { due = now + interval }
}
