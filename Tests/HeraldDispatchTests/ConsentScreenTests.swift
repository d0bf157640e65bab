import Foundation
import HeraldCore
import HeraldStore
import Testing

@testable import HeraldDispatch

/// The accept's screen gives the same verdicts whether it reads the list whole or a batch at a time.
@Suite("Consent screen at accept")
struct ConsentScreenTests {
    static let channels = [
        ChannelSettings(name: "email", transport: .smtp(SMTPSettings(host: "mail.test", port: 25, security: .none, from: "status@example.com")))
    ]

    @Test(arguments: [
        (ConsentScreen.Reading.broadcast, 100_000), (.broadcast, 2), (.single, 100_000),
    ])
    func everyReadingRulesOutTheSameRecipients(reading: ConsentScreen.Reading, snapshotLimit: Int) async throws {
        let store = MemoryMessageStore()
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        _ = try await store.suppress([
            Suppression(contact: .email("b@example.com"), reason: .unsubscribed, source: "test", addedAt: now),
            Suppression(contact: .email("c@example.com"), reason: .bounced, source: "test", addedAt: now),
            Suppression(contact: .email("d@example.com"), reason: .manual, source: "test", addedAt: now),
        ])
        let screen = ConsentScreen(
            store: store, planner: RoutePlanner(channels: Self.channels), route: ["email"], category: NoticeCategory.essential, reading: reading,
            snapshotLimit: snapshotLimit
        )
        let messages = ["a", "B", "c"].map { NewMessage(id: "m-\($0)", recipient: Recipient(id: $0, contacts: ContactPoints(email: "\($0)@example.com"))) }
        let screened = try await screen.screen(messages)
        #expect(screened.map(\.suppression) == [nil, nil, "email c@example.com is suppressed (bounced)"], "essential ignores b's unsubscribe")
        #expect(screen.suppressed.value == 1)
    }
}
