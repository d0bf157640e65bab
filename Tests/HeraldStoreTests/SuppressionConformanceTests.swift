import Foundation
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Testing

/// The suppression list, on every backend: what is added is found, listed in order and lifted;
/// messages queued already suppressed are never claimed; what a delivery learned is kept with its result.
@Suite("Store conformance: suppressions", .hangGuard)
struct SuppressionConformanceTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    static let jane = ContactPoint.email("Jane@Example.com")
    static let phone = ContactPoint.phone("010-1234-5678", defaultRegion: "KR")

    func entry(_ contact: ContactPoint, _ reason: SuppressionReason, detail: String? = nil) -> Suppression {
        Suppression(contact: contact, reason: reason, source: "test", detail: detail, addedAt: Self.start)
    }

    @Test(arguments: StoreBackend.allCases)
    func suppressionsAreFoundListedAndLifted(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        #expect(try await store.suppress([entry(Self.jane, .unsubscribed, detail: "from an updates notice"), entry(Self.phone, .invalid)]) == 2)
        // The same contact point and reason again is kept as it was; another reason is a second row.
        #expect(try await store.suppress([entry(Self.jane, .unsubscribed, detail: "again"), entry(Self.jane, .bounced)]) == 1)

        let found = try await store.suppressions(of: [.email("jane@example.com"), .email("nobody@example.com")])
        #expect(Set(found.map(\.reason)) == [.unsubscribed, .bounced])
        #expect(found.first { $0.reason == .unsubscribed }?.detail == "from an updates notice")
        #expect(found.allSatisfy { $0.contact == Self.jane && $0.addedAt == Self.start && $0.source == "test" })

        // Paged by contact point: every reason of a contact point comes on the same page.
        let first = try await store.suppressionList(after: nil, limit: 1)
        #expect(first.map(\.contact.value) == ["+821012345678"])
        let second = try await store.suppressionList(after: "+821012345678", limit: 1)
        #expect(second.map(\.contact.value) == ["jane@example.com", "jane@example.com"])
        #expect(try await store.suppressionList(after: "jane@example.com", limit: 10).isEmpty)

        #expect(try await store.unsuppress(Self.jane, reasons: [.unsubscribed]) == 1)
        #expect(try await store.suppressions(of: [Self.jane]).map(\.reason) == [.bounced])
        #expect(try await store.unsuppress(Self.jane, reasons: nil) == 1)
        #expect(try await store.unsuppress(Self.jane, reasons: nil) == 0)
        #expect(try await store.suppressions(of: [Self.jane, Self.phone]).map(\.contact) == [Self.phone])
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func aMessageQueuedSuppressedIsFinalCountedAndNeverClaimed(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        let notice = Notice(
            id: "bc1", kind: .broadcast, template: "status-update", vars: [:], route: ["email"], expiresAt: Self.start + 86_400, createdAt: Self.start
        )
        let messages = [
            NewMessage(id: "m1", recipient: Recipient(id: "u1", contacts: ContactPoints(email: "a@example.com"))),
            NewMessage(
                id: "m2", recipient: Recipient(id: "u2", contacts: ContactPoints(email: "jane@example.com")),
                suppression: "email jane@example.com is suppressed (unsubscribed)"
            ),
        ]
        #expect(try await store.enqueue(notice, messages: ArrayBatchSource(messages)) == 2)
        let counts = try await store.counts(noticeID: "bc1")
        #expect(counts[.queued] == 1 && counts[.suppressed] == 1 && counts.total == 2)
        let suppressed = try #require(try await store.message(id: "m2"))
        #expect(suppressed.message.state == .suppressed)
        #expect(suppressed.message.lastError == "email jane@example.com is suppressed (unsubscribed)")
        let claimed = try await store.claim(owner: "w", limit: 10, now: Self.start, lease: .seconds(60))
        #expect(claimed.map(\.id) == ["m1"])
        try await store.close()
    }

    @Test(arguments: StoreBackend.allCases)
    func whatADeliveryLearnedIsKeptWithItsResult(backend: StoreBackend) async throws {
        let directory = TemporaryDirectory()
        let store = try await backend.makeStore(in: directory)
        let notice = Notice(
            id: "nt1", kind: .single, template: "status-update", vars: [:], route: ["email"], expiresAt: Self.start + 86_400, createdAt: Self.start
        )
        try await store.enqueue(notice, message: NewMessage(id: "m1", recipient: Recipient(id: "u1", contacts: ContactPoints(email: "gone@example.com"))))
        _ = try await store.claim(owner: "w", limit: 1, now: Self.start, lease: .seconds(60))
        let bounce = entry(.email("gone@example.com"), .bounced, detail: "SMTP 550 5.1.1 no such user (after RCPT TO)")
        let result = DeliveryResult(
            messageID: "m1", attempts: [Attempt(at: Self.start, channel: "email", outcome: .permanent, error: "rejected: SMTP 550 5.1.1")],
            transition: .dropped(.suppressed, reason: "email gone@example.com is suppressed (bounced)"), learned: [bounce]
        )
        try await store.record([result], owner: "w", now: Self.start)
        #expect(try await store.suppressions(of: [.email("gone@example.com")]) == [bounce])
        let detail = try #require(try await store.message(id: "m1"))
        #expect(detail.message.state == .suppressed)
        #expect(detail.attemptLog.map(\.outcome) == [.permanent])
        try await store.close()
    }
}
