import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Testing

/// Incident notices carry what changed: one service or several, with their statuses in words.
@Suite("Incident desk", .hangGuard)
struct IncidentDeskTests {
    @Test func anUpdateOfSeveralServicesWithNotifyQueuesOneNoticeNamingThemAll() async throws {
        let outbox = ScriptedChannel(name: "outbox")
        let harness = try DispatchHarness(channels: [outbox])
        _ = try await harness.store.upsertRecipients(
            ArrayBatchSource([Recipient(id: "kim", locale: "ko", contacts: ContactPoints(email: "kim@example.kr"))]), now: harness.clock.now()
        )
        let desk = IncidentDesk(store: harness.store, intake: harness.intake, clock: harness.clock)
        let opened = try await desk.open(
            title: "Data-center fire", services: [.init(name: "Pay", status: .outage), .init(name: "Messenger", status: .outage)], segment: nil,
            note: nil, notify: nil
        )

        let same = try await desk.update(
            id: opened.incident.id, services: [.init(name: "Pay", status: .restored), .init(name: "Messenger", status: .restored)],
            note: "Both work again.", resolve: false, notify: IncidentDesk.Notify(template: "status-update")
        )
        #expect(same.broadcast?.total == 1)
        let sameID = try #require(same.broadcast?.id)
        let sameNotice = try #require(try await harness.store.notice(id: sameID))
        #expect(sameNotice.vars["service"] == "Pay, Messenger")
        #expect(sameNotice.vars["status"] == "restored", "several services with one status share it")
        let mixed = try await desk.update(
            id: opened.incident.id, services: [.init(name: "Pay", status: .degraded), .init(name: "Messenger", status: .recovering)],
            note: "Pay slowed down again.", resolve: false, notify: IncidentDesk.Notify(template: "status-update")
        )
        try await harness.worker.drain()

        #expect(try await harness.store.counts(noticeID: same.broadcast?.id)[.superseded] == 1, "the newer update replaced the unsent one")
        let sent = try #require(outbox.deliveries.last)
        #expect(sent.broadcastID == mixed.broadcast?.id)
        #expect(sent.rendered.subject == "[Pay, Messenger] 복구 진행 상황 안내: 일부 기능 장애 / 복구 중")
        #expect(sent.vars["service"] == "Pay, Messenger")
    }
}
