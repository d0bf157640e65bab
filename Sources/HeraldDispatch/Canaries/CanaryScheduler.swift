import Foundation
import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle

/// Sends each configured canary once per period, as a `Service` of `herald serve`.
///
/// A canary's slot is the start of its current period counted from the epoch, claimed in the store
/// (`DigestLedger`) before it is queued: of any number of nodes, one sends each slot, and a restart
/// never sends a slot twice. The canary then goes through the normal pipeline on its channel alone,
/// so its failures count toward the channel's circuit and its success closes a half-open one.
public final class CanaryScheduler: Service {
    let canaries: [CanarySettings]
    let kinds: [String: ChannelKind]
    let store: any DigestLedger
    let intake: NoticeIntake
    let clock: any WallClock
    let logger: Logger

    public init(configuration: HeraldConfiguration, store: any DigestLedger, intake: NoticeIntake, clock: any WallClock, logger: Logger) {
        canaries = configuration.canaries
        kinds = Dictionary(configuration.channels.map { ($0.name, $0.kind) }, uniquingKeysWith: { first, _ in first })
        self.store = store
        self.intake = intake.with(source: "canary")
        self.clock = clock
        self.logger = logger
    }

    /// What one evaluation did for one canary.
    public enum Outcome: Sendable, Hashable {
        /// Queued for this slot.
        case sent(channel: String, slot: Date, messageID: String)
        /// This slot was already sent, by this node or another.
        case alreadySent(channel: String, slot: Date)
    }

    public func run() async throws {
        guard !canaries.isEmpty else {
            try? await gracefulShutdown()  // returning early would end the whole service group
            return
        }
        logger.info("canaries started", metadata: ["channels": "\(canaries.map(\.channel).joined(separator: ", "))"])
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    _ = try await self.runDue()
                } catch {
                    if Task.isCancelled { return }
                    self.logger.error("canary round failed", metadata: ["error": "\(error)"])
                }
                try await self.clock.sleep(for: self.untilNextSlot())
            }
        }
        logger.info("canaries stopped")
    }

    /// Queues every canary whose current slot no node has sent yet. A canary that cannot be queued is
    /// logged and the others still go.
    @discardableResult
    public func runDue() async throws -> [Outcome] {
        let now = clock.now()
        var outcomes: [Outcome] = []
        for canary in canaries {
            let slot = canary.slot(at: now)
            guard try await store.claimDigestSlot(canary.ledgerName, slot: slot) else {
                outcomes.append(.alreadySent(channel: canary.channel, slot: slot))
                continue
            }
            do {
                let recipient = canary.recipient(kind: kinds[canary.channel] ?? .outbox)
                let receipt = try await intake.send(.canary(canary, purpose: "canary", expiresIn: canary.every), to: recipient)
                logger.debug("canary queued", metadata: ["channel": "\(canary.channel)", "message": "\(receipt.id)"])
                outcomes.append(.sent(channel: canary.channel, slot: slot, messageID: receipt.id))
            } catch {
                logger.error("canary not queued", metadata: ["channel": "\(canary.channel)", "error": "\(error)"])
            }
        }
        return outcomes
    }

    /// Until the earliest next slot, at least a millisecond.
    func untilNextSlot() -> Duration {
        let now = clock.now()
        let next = canaries.map { $0.slot(at: now) + $0.every.timeInterval }.min() ?? now + 60
        return .milliseconds(Int64(max(1, (next.timeIntervalSince(now) * 1000).rounded(.up))))
    }
}
