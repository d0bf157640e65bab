import Foundation
import HeraldCore
import HeraldStore
import Synchronization

/// A worker's queue whose next `claim` calls fail, as a busy or briefly unreachable database would;
/// everything else goes to the real store. It also tells the test when a lease renewal was written.
final class FlakyStore: DeliveryQueue {
    struct Unavailable: Error {}

    let base: any DeliveryQueue
    private let failingClaims: Mutex<Int>
    /// Yields the owner of each `renewLeases` once it is stored.
    let renewals: AsyncStream<String>
    private let renewed: AsyncStream<String>.Continuation

    init(base: any DeliveryQueue, failingClaims: Int = 0) {
        self.base = base
        self.failingClaims = Mutex(failingClaims)
        (renewals, renewed) = AsyncStream.makeStream(of: String.self)
    }

    func recordCanary(_ result: CanaryResult) async throws { try await base.recordCanary(result) }
    func canaryResults() async throws -> [CanaryResult] { try await base.canaryResults() }
    func saveDrill(_ report: DrillReport) async throws { try await base.saveDrill(report) }
    func lastDrill() async throws -> DrillReport? { try await base.lastDrill() }

    func claim(owner: String, limit: Int, now: Date, lease: Duration) async throws -> [QueuedMessage] {
        let fail = failingClaims.withLock { remaining -> Bool in
            guard remaining > 0 else { return false }
            remaining -= 1
            return true
        }
        if fail { throw Unavailable() }
        return try await base.claim(owner: owner, limit: limit, now: now, lease: lease)
    }

    func renewLeases(owner: String, now: Date, lease: Duration) async throws {
        try await base.renewLeases(owner: owner, now: now, lease: lease)
        renewed.yield(owner)
    }

    func record(_ results: [DeliveryResult], owner: String, now: Date) async throws { try await base.record(results, owner: owner, now: now) }
    func releaseLeases(owner: String, now: Date) async throws { try await base.releaseLeases(owner: owner, now: now) }
    func suppressions(of contacts: [ContactPoint]) async throws -> [Suppression] { try await base.suppressions(of: contacts) }
    func suppressionList(after: String?, limit: Int) async throws -> [Suppression] { try await base.suppressionList(after: after, limit: limit) }
    func openIncidents() async throws -> [Incident] { try await base.openIncidents() }
    func nextLeaseExpiry(notOwnedBy owner: String) async throws -> Date? { try await base.nextLeaseExpiry(notOwnedBy: owner) }
    func notice(id: String) async throws -> Notice? { try await base.notice(id: id) }
    func state(ofMessage id: String) async throws -> MessageState? { try await base.state(ofMessage: id) }
    func saveCircuit(_ circuit: CircuitRecord) async throws { try await base.saveCircuit(circuit) }
    func circuits() async throws -> [CircuitRecord] { try await base.circuits() }
    func wakeRetrying(channel: String, now: Date) async throws -> Int { try await base.wakeRetrying(channel: channel, now: now) }
    func claimProbe(channel: String, now: Date, cooldown: Duration) async throws -> Bool {
        try await base.claimProbe(channel: channel, now: now, cooldown: cooldown)
    }
    func leaseSlots(channel: String, count: Int, interval: TimeInterval, now: Date) async throws -> Date {
        try await base.leaseSlots(channel: channel, count: count, interval: interval, now: now)
    }
}
