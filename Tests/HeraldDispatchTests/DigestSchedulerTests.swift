import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Logging
import Testing

/// The digest scheduler against a real store with a manual clock: one send per slot, stale slots
/// skipped, nothing repeated after a restart or by a second node.
@Suite("Digest scheduler", .hangGuard)
struct DigestSchedulerTests {
    static let hourly = DigestSettings(name: "hourly", schedule: "0 * * * *", template: "status-digest", segment: nil, condition: .incidentOpen, timezone: nil)

    func scheduler(_ harness: DispatchHarness, digests: [DigestSettings] = [hourly]) -> DigestScheduler {
        DigestScheduler(digests: digests, store: harness.store, intake: harness.intake, clock: harness.clock, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
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
        let outcomes = try await self.scheduler(harness).runDue()["hourly"] ?? []
        #expect(outcomes.filter { if case .skippedStale = $0 { true } else { false } }.count == 2)
        #expect(outcomes.filter { if case .sent = $0 { true } else { false } }.count == 1)
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
