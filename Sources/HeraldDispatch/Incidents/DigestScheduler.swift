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

    public func run() async throws {
        guard !digests.isEmpty else {
            // Nothing to schedule; returning early would end the whole service group.
            try? await gracefulShutdown()
            return
        }
        logger.info("digest scheduler started", metadata: ["digests": "\(digests.map(\.name).joined(separator: ", "))"])
        do {
            try await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    do {
                        _ = try await self.runDue()
                    } catch {
                        if Task.isCancelled { break }  // the shutdown cut the round short; not a failure
                        self.logger.error("digest round failed", metadata: ["error": "\(error)"])
                    }
                    try await self.clock.sleep(for: self.untilNextSlot())
                }
            }
        } catch is CancellationError {
            // A graceful shutdown cut the wait for the next slot short: a normal end, not a failure.
        }
        logger.info("digest scheduler stopped")
    }

    /// Sends every digest whose slot has come, and returns what happened to each slot considered.
    public func runDue() async throws -> [String: [Outcome]] {
        var outcomes: [String: [Outcome]] = [:]
        let now = clock.now()
        for digest in digests {
            guard let schedule = digest.cron else { continue }
            var cursor = now
            if let evaluated = await cursors.value(for: digest.name) {
                cursor = evaluated
            } else if let recorded = try await store.lastDigestSlot(digest.name) {
                cursor = recorded
            }
            while let slot = schedule.next(after: cursor), slot <= now {
                cursor = slot
                let period = schedule.next(after: slot).map { $0.timeIntervalSince(slot) } ?? .infinity
                if now.timeIntervalSince(slot) > period {
                    outcomes[digest.name, default: []].append(.skippedStale(slot: slot))
                    continue
                }
                outcomes[digest.name, default: []].append(try await fire(digest, slot: slot))
            }
            await cursors.set(cursor, for: digest.name)
        }
        return outcomes
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

    /// Until the earliest next slot of any digest, at most a minute (so a changed clock is noticed).
    private func untilNextSlot() -> Duration {
        let now = clock.now()
        let next = digests.compactMap { $0.cron?.next(after: now) }.min() ?? now.addingTimeInterval(60)
        return .milliseconds(Int64(max(1, min(60, next.timeIntervalSince(now))) * 1000))
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
