import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Logging
import Synchronization
import Testing

/// The digest scheduler against a real store with a manual clock: one send per slot, stale slots
/// skipped, nothing repeated after a restart or by a second node.
@Suite("Digest scheduler", .hangGuard)
struct DigestSchedulerTests {
    static let hourly = DigestSettings(name: "hourly", schedule: "0 * * * *", template: "status-digest", segment: nil, condition: .incidentOpen, timezone: nil)

    func scheduler(
        _ harness: DispatchHarness, digests: [DigestSettings] = [hourly], intake: NoticeIntake? = nil, logs: LogCapture = LogCapture()
    ) -> DigestScheduler {
        DigestScheduler(digests: digests, store: harness.store, intake: intake ?? harness.intake, clock: harness.clock, logger: logs.logger(level: .debug))
    }

    /// A harness at 09:30 UTC with two stored recipients and, unless told otherwise, an open incident.
    func harness(openIncident: Bool = true) async throws -> DispatchHarness {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        harness.clock.advance(by: .seconds(Self.secondsUntil0930(harness.clock.now())))
        let recipients = ArrayBatchSource([
            Recipient(id: "a", locale: "en", contacts: ContactPoints(email: "a@example.kr")),
            Recipient(id: "b", locale: "ko", contacts: ContactPoints(email: "b@example.kr")),
        ])
        _ = try await harness.store.upsertRecipients(recipients, now: harness.clock.now())
        if openIncident {
            let incident = Incident(
                id: "inc_1", title: "Data-center fire", services: [.init(name: "Messenger", status: .outage)], segment: nil, note: "Power lost",
                openedAt: harness.clock.now()
            )
            try await harness.store.saveNewIncident(incident)
        }
        return harness
    }

    static func secondsUntil0930(_ date: Date) -> Int64 {
        let secondsIntoDay = Int64(date.timeIntervalSince1970) % 86_400
        return (9 * 3600 + 1800 - secondsIntoDay + 86_400) % 86_400
    }

    func sentSlots(_ outcomes: [String: [DigestScheduler.Outcome]]) -> [Date] {
        (outcomes["hourly"] ?? []).compactMap { if case .sent(let slot, _) = $0 { slot } else { nil } }
    }

    @Test func firesOncePerSlotAndNotAgainAfterARestart() async throws {
        let harness = try await harness()
        let first = scheduler(harness)
        #expect(try await first.runDue().isEmpty, "09:30: the 09:00 slot was before the scheduler started")
        harness.clock.advance(by: .seconds(1800))
        let tenOClock = harness.clock.now()
        #expect(sentSlots(try await first.runDue()) == [tenOClock])
        #expect(try await first.runDue().isEmpty, "the same slot is not sent twice")
        let restarted = scheduler(harness)
        #expect(try await restarted.runDue().isEmpty, "a restarted scheduler starts from the slot the store recorded")
        let broadcasts = try await harness.store.messages(MessageFilter())
        #expect(broadcasts.count == 2, "one digest to each of the two recipients")
    }

    @Test func slotsMissedByMoreThanAPeriodAreSkipped() async throws {
        let harness = try await harness()
        let scheduler = scheduler(harness)
        _ = try await scheduler.runDue()
        harness.clock.advance(by: .seconds(1800))
        #expect(sentSlots(try await scheduler.runDue()).count == 1)
        // Down from 10:00 to 13:10: 11:00 and 12:00 are stale; 13:00 is sent.
        harness.clock.advance(by: .seconds(3 * 3600 + 600))
        let logs = LogCapture()
        let outcomes = try await self.scheduler(harness, logs: logs).runDue()["hourly"] ?? []
        #expect(outcomes.filter { if case .skippedStale = $0 { true } else { false } }.count == 2)
        #expect(outcomes.filter { if case .sent = $0 { true } else { false } }.count == 1)
        let skipped = logs.lines.filter { $0.message.hasPrefix("digest slot skipped") }
        #expect(skipped.count == 2, "every slot not sent is said: \(logs.lines.map(\.message))")
        #expect(skipped.allSatisfy { $0.level == .warning && $0.metadata["digest"] == "hourly" })
    }

    /// The queue of a broadcast whose notice has the collapse key `blocked` waits until `release()`.
    final class GatedQueue: NoticeQueue, RecipientDirectory {
        let base: any MessageStore
        let blocked: String
        private let gate = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

        init(base: any MessageStore, blocked: String) {
            self.base = base
            self.blocked = blocked
        }

        func release() {
            let waiting = gate.withLock { gate in
                gate.open = true
                defer { gate.waiting = [] }
                return gate.waiting
            }
            for waiter in waiting { waiter.resume() }
        }

        func enqueue(_ notice: Notice, messages: sending some BatchSource<NewMessage>) async throws -> Int {
            if notice.collapseKey == blocked {
                await withCheckedContinuation { continuation in
                    let open = gate.withLock { gate in
                        if !gate.open { gate.waiting.append(continuation) }
                        return gate.open
                    }
                    if open { continuation.resume() }
                }
            }
            return try await base.enqueue(notice, messages: messages)
        }
        func enqueue(_ notice: Notice, message: NewMessage) async throws { try await base.enqueue(notice, message: message) }
        func suppressions(of contacts: [ContactPoint]) async throws -> [Suppression] { try await base.suppressions(of: contacts) }
        func suppressionList(after: String?, limit: Int) async throws -> [Suppression] { try await base.suppressionList(after: after, limit: limit) }
        func openIncidents() async throws -> [Incident] { try await base.openIncidents() }
        func upsertRecipients(_ source: sending some BatchSource<Recipient>, now: Date) async throws -> Int { try await base.upsertRecipients(source, now: now) }
        func removeRecipient(id: String) async throws -> Bool { try await base.removeRecipient(id: id) }
        func recipients(segment: String?, after cursor: String?, limit: Int) async throws -> [Recipient] {
            try await base.recipients(segment: segment, after: cursor, limit: limit)
        }
        func recipientCount(segment: String?) async throws -> Int { try await base.recipientCount(segment: segment) }
        func recipientStream(segment: String?) throws -> any BatchSource<AudienceEntry> { try base.recipientStream(segment: segment) }
    }

    /// Seen in production: every digest shared one loop, so a minutely digest whose broadcast took a
    /// while held back the hourly one's slot (and its own next slots went stale, unlogged).
    @Test func aSlowDigestDoesNotHoldBackAnothersSlot() async throws {
        let harness = try await harness()  // 09:30
        let minutely = DigestSettings(name: "minutely", schedule: "* * * * *", template: "status-digest", segment: nil, condition: .incidentOpen, timezone: nil)
        let queue = GatedQueue(base: harness.store, blocked: "digest:minutely")
        let intake = NoticeIntake(configuration: harness.configuration, templates: harness.templates, store: queue, clock: harness.clock)
        let scheduler = scheduler(harness, digests: [minutely, Self.hourly], intake: intake)
        let running = Task { try await scheduler.run() }

        await harness.clock.waitForSleepers(2)
        harness.clock.advance(by: .seconds(60))  // 09:31: the minutely digest starts its broadcast and hangs in it
        harness.clock.advance(by: .seconds(29 * 60))  // 10:00: the hourly slot
        await harness.clock.waitForSleepers(1)  // the hourly loop sent its slot and sleeps again
        let sent = try await harness.store.messages(MessageFilter())
        #expect(sent.count == 2, "the hourly digest went out while the minutely one was still queueing")
        #expect(sent.allSatisfy { $0.message.createdAt == harness.clock.now() }, "at its slot's time")

        queue.release()
        await harness.clock.waitForSleepers(2)
        running.cancel()
        try? await running.value
    }

    @Test func twoNodesSendASlotOnce() async throws {
        let harness = try await harness()
        let one = scheduler(harness)
        let two = scheduler(harness)
        _ = try await (one.runDue(), two.runDue())
        harness.clock.advance(by: .seconds(1800))
        let (a, b) = try await (one.runDue(), two.runDue())
        #expect(sentSlots(a).count + sentSlots(b).count == 1)
        let other = (sentSlots(a).isEmpty ? a : b)["hourly"] ?? []
        #expect(other.contains { if case .alreadySent = $0 { true } else { false } })
    }

    @Test func withoutAnOpenIncidentThereIsNothingToReport() async throws {
        let harness = try await harness(openIncident: false)
        let scheduler = scheduler(harness)
        _ = try await scheduler.runDue()
        harness.clock.advance(by: .seconds(1800))
        let outcomes = try await scheduler.runDue()["hourly"] ?? []
        #expect(outcomes.count == 1)
        #expect(outcomes.allSatisfy { if case .nothingToReport = $0 { true } else { false } })
        #expect(try await harness.store.counts(noticeID: nil).total == 0)
    }

    @Test func aDigestListsEveryServiceAndTheLatestNote() async throws {
        let harness = try await harness()
        _ = try await harness.store.changeIncident(id: "inc_1") { $0.apply([.init(name: "Mail", status: .recovering)], note: "Mail is coming back", at: harness.clock.now()) }
        let receipt = try #require(try await scheduler(harness).runNow("hourly"))
        let notice = try #require(try await harness.store.notice(id: receipt.id))
        let rendered = try harness.templates.render(
            "status-digest", locale: "en",
            context: RenderContext(vars: notice.vars, recipient: Recipient(id: "a"), noticeID: notice.id, now: harness.clock.now())
        )
        #expect(rendered.text?.contains("- Messenger: down") == true, "statuses in words: \(rendered.text ?? "")")
        #expect(rendered.text?.contains("- Mail: recovering") == true)
        #expect(rendered.text?.contains("Mail is coming back") == true)
        #expect(notice.collapseKey == "digest:hourly")
    }
}
