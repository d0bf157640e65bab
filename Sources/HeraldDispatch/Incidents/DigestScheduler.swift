import Foundation
import HeraldCore
import HeraldStore
import Logging
import ServiceLifecycle

/// Sends the configured status digests on their cron schedules, as a `Service` of `herald serve`.
///
/// Each slot is claimed in the store before its digest is queued, so a restart — or a second node —
/// never sends the same slot twice. A slot missed by more than one period (the process was down) is
/// skipped rather than sent late; the most recent missed slot is still sent.
public final class DigestScheduler: Service {
    let digests: [DigestSettings]
    let store: any IncidentLog & DigestLedger
    let intake: NoticeIntake
    let clock: any WallClock
    let logger: Logger
    /// Where each digest's schedule was last evaluated up to.
    private let cursors: Cursors

    public init(digests: [DigestSettings], store: any IncidentLog & DigestLedger, intake: NoticeIntake, clock: any WallClock, logger: Logger) {
        self.digests = digests
        self.store = store
        self.intake = intake.with(source: "digest")
        self.clock = clock
        self.logger = logger
        self.cursors = Cursors()
    }

    /// What one evaluation did for one digest.
    public enum Outcome: Sendable, Hashable {
        /// Queued for this slot.
        case sent(slot: Date, broadcastID: String)
        /// The slot was older than one period.
        case skippedStale(slot: Date)
        /// Another process (or an earlier run) already sent this slot.
        case alreadySent(slot: Date)
        /// `while: incident-open` and no incident is open, or there is no incident to report on.
        case nothingToReport(slot: Date)
    }

    /// Each digest on a schedule of its own, so one digest's slow broadcast never delays another's slot.
    public func run() async throws {
        let scheduled = digests.filter { $0.cron != nil }
        guard !scheduled.isEmpty else {
            // Nothing to schedule; returning early would end the whole service group.
            try? await gracefulShutdown()
            return
        }
        logger.info("digest scheduler started", metadata: ["digests": "\(scheduled.map(\.name).joined(separator: ", "))"])
        await withDiscardingTaskGroup { group in
            for digest in scheduled {
                group.addTask {
                    // A graceful shutdown ends the wait for the next slot early: a normal end, not a failure.
                    try? await cancelWhenGracefulShutdown { try await self.keep(digest) }
                }
            }
        }
        logger.info("digest scheduler stopped")
    }

    /// One digest's loop: each slot as it comes, then sleep until the next.
    private func keep(_ digest: DigestSettings) async throws {
        while !Task.isCancelled {
            do {
                _ = try await runDue(digest)
            } catch {
                if Task.isCancelled { return }  // the shutdown cut the round short; not a failure
                logger.error("digest round failed", metadata: ["digest": "\(digest.name)", "error": "\(error)"])
            }
            try await clock.sleep(for: Self.wait(until: digest.cron?.next(after: clock.now()), now: clock.now()))
        }
    }

    /// How long to sleep for a slot at `next`: never less (a wake a fraction early finds the slot not
    /// yet due), at least a millisecond, at most a minute so a changed clock is noticed.
    static func wait(until next: Date?, now: Date) -> Duration {
        guard let next else { return .seconds(60) }
        let milliseconds = (next.timeIntervalSince(now) * 1000).rounded(.up)
        return .milliseconds(Int64(min(60_000, max(1, milliseconds))))
    }

    /// Sends every digest whose slot has come, and returns what happened to each slot considered.
    public func runDue() async throws -> [String: [Outcome]] {
        var outcomes: [String: [Outcome]] = [:]
        for digest in digests { outcomes[digest.name] = try await runDue(digest) }
        return outcomes.filter { !$0.value.isEmpty }
    }

    /// Sends `digest` for each of its slots that has come since it was last evaluated (or since its
    /// last recorded slot), and logs every slot it does not send and why.
    func runDue(_ digest: DigestSettings) async throws -> [Outcome] {
        guard let schedule = digest.cron else { return [] }
        let now = clock.now()
        var cursor = now
        if let evaluated = await cursors.value(for: digest.name) {
            cursor = evaluated
        } else if let recorded = try await store.lastDigestSlot(digest.name) {
            cursor = recorded
        }
        var outcomes: [Outcome] = []
        while let slot = schedule.next(after: cursor), slot <= now {
            cursor = slot
            let period = schedule.next(after: slot).map { $0.timeIntervalSince(slot) } ?? .infinity
            let outcome = now.timeIntervalSince(slot) > period ? .skippedStale(slot: slot) : try await fire(digest, slot: slot)
            log(outcome, of: digest, now: now)
            outcomes.append(outcome)
        }
        await cursors.set(cursor, for: digest.name)
        return outcomes
    }

    /// Says why a slot was not sent: the operator must never wonder where a digest went.
    private func log(_ outcome: Outcome, of digest: DigestSettings, now: Date) {
        switch outcome {
        case .sent:
            break  // `fire` logged it with its broadcast
        case .skippedStale(let slot):
            logger.warning(
                "digest slot skipped: \(Int(now.timeIntervalSince(slot))) s late, more than one period (was the node down?)",
                metadata: ["digest": "\(digest.name)", "slot": "\(RenderContext.timestamp(slot))"]
            )
        case .alreadySent(let slot):
            logger.debug("digest slot sent by another node", metadata: ["digest": "\(digest.name)", "slot": "\(RenderContext.timestamp(slot))"])
        case .nothingToReport(let slot):
            logger.info(
                "digest slot not sent: no incident to report on (while: \(digest.condition.rawValue))",
                metadata: ["digest": "\(digest.name)", "slot": "\(RenderContext.timestamp(slot))"]
            )
        }
    }

    /// Queues a digest now, outside its schedule (`herald digest run`); records no slot.
    public func runNow(_ name: String) async throws -> NoticeIntake.Receipt? {
        guard let digest = digests.first(where: { $0.name == name }) else { throw DigestError.unknown(name, known: digests.map(\.name)) }
        guard let incident = try await incident(for: digest) else { return nil }
        return try await queue(digest, incident: incident)
    }

    private func fire(_ digest: DigestSettings, slot: Date) async throws -> Outcome {
        guard let incident = try await incident(for: digest) else { return .nothingToReport(slot: slot) }
        guard try await store.claimDigestSlot(digest.name, slot: slot) else { return .alreadySent(slot: slot) }
        let receipt = try await queue(digest, incident: incident)
        logger.info("digest queued", metadata: ["digest": "\(digest.name)", "broadcast": "\(receipt.id)", "total": "\(receipt.total)"])
        return .sent(slot: slot, broadcastID: receipt.id)
    }

    /// The incident a digest reports on: the newest open one; with `while: always`, else the newest of all.
    private func incident(for digest: DigestSettings) async throws -> Incident? {
        if let open = try await store.incidents(openOnly: true).first { return open }
        return digest.condition == .always ? try await store.incidents(openOnly: false).first : nil
    }

    /// Each digest has its own collapse key: a digest nobody has been sent yet is replaced by the next.
    private func queue(_ digest: DigestSettings, incident: Incident) async throws -> NoticeIntake.Receipt {
        let request = NoticeRequest(
            template: digest.template, collapseKey: "digest:\(digest.name)", incidentID: incident.id, incident: incident.templateValue(timeZone: digest.cron?.timeZone ?? intake.configuration.timeZone)
        )
        return try await intake.broadcast(request, segment: digest.segment)
    }

    /// The evaluated-up-to point per digest, shared by `run` and callers of `runDue`.
    actor Cursors {
        private var values: [String: Date] = [:]
        func value(for name: String) -> Date? { values[name] }
        func set(_ date: Date, for name: String) { values[name] = date }
    }
}

/// `herald digest run NAME` with a name that is not configured.
public enum DigestError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknown(String, known: [String])

    public var description: String {
        switch self {
        case .unknown(let name, let known): "no digest named '\(name)' (configured: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
        }
    }
}
