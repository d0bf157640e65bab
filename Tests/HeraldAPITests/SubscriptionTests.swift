import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// E-mail subscriptions to the status page: the form, the double opt-in mail through a real SMTP
/// server (aiosmtpd), the signed expiring link, the segment, and leaving by the one-click link.
@Suite("API: status page subscriptions", .hangGuard)
struct SubscriptionTests {
    static let settings = StatusPageSettings(title: "Example status", services: ["Messenger"], segment: "status-subscribers")
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// The first `PUBLIC_URL/<path>/TOKEN` link in a stored mail, with quoted-printable soft line breaks undone.
    func link(_ path: String, in mail: String) throws -> String {
        let unwrapped = mail.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
        let prefix = "\(APIHarness.publicURL)/\(path)/"
        let start = try #require(unwrapped.range(of: prefix))
        let token = unwrapped[start.upperBound...].prefix { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        return String(token)
    }

    func subscribers(_ harness: APIHarness) async throws -> [Recipient] {
        try await harness.store.recipients(segment: "status-subscribers", after: nil, limit: 10)
    }

    @Test func aSubscriptionRoundTripsThroughRealMailAndTheUnsubscribeLinkEndsIt() async throws {
        let server = try await AiosmtpdServer()
        let harness = try APIHarness(statusPage: Self.settings, mailServerPort: server.port)
        try await harness.withClient { client in
            let page = try await client.call(.get, "/status", token: nil)
            #expect(page.text.contains(#"<form class="subscribe" method="post" action="https://status.example.com/status/subscribe">"#))

            let asked = try await client.call(.post, "/status/subscribe", token: nil, body: "email=Jane%40Example.com&lang=en", headers: Self.form)
            #expect(asked.status == .ok)
            #expect(asked.text.contains("Check your inbox") && asked.text.contains("j***@example.com") && !asked.text.contains("jane@"))
            #expect(try await subscribers(harness).isEmpty, "nobody joins the segment before confirming")
            try await harness.drain()
            let confirmation = try #require(server.messages.first)
            #expect(confirmation.contains("Subject: Confirm your subscription to Example status"))
            #expect(server.recipientsTried == ["jane@example.com"])
            let token = try link("status/subscribe", in: confirmation)

            let confirmPage = try await client.call(.get, "/status/subscribe/\(token)", token: nil)
            #expect(confirmPage.status == .ok && confirmPage.text.contains(#"<form method="post">"#))
            #expect(confirmPage.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            #expect(try await subscribers(harness).isEmpty, "opening the link (as mail scanners do) changes nothing")

            let confirmed = try await client.call(.post, "/status/subscribe/\(token)", token: nil, body: "", headers: Self.form)
            #expect(confirmed.status == .ok && confirmed.text.contains("Subscribed"))
            let joined = try await subscribers(harness)
            #expect(joined.map(\.id) == ["status-page:jane@example.com"])
            #expect(joined.first?.contacts.email == "jane@example.com" && joined.first?.locale == "en")

            // A notice to the segment carries the one-click unsubscribe, as header and in the text.
            let update = #"{"template":"status-update","audience":{"segment":"status-subscribers"},"route":"email","vars":{"service":"Messenger","status":"recovering","note":"Chats work again."}}"#
            #expect(try await client.call(.post, "/v1/broadcasts", body: update).status == .accepted)
            try await harness.drain()
            let notice = try #require(server.messages.last)
            #expect(notice.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))
            let unsubscribe = try link("u", in: notice)
            #expect(notice.contains("To stop these updates"))

            let left = try await client.call(.post, "/u/\(unsubscribe)", token: nil, body: "List-Unsubscribe=One-Click", headers: Self.form)
            #expect(left.status == .ok)
            #expect(try await subscribers(harness).isEmpty, "unsubscribing ends the page subscription")
            #expect(try await harness.store.recipientCount(segment: nil) == 0, "and keeps no recipient behind")

            // Following the confirmation link again is consent again: back in, and the unsubscribe is lifted.
            #expect(try await client.call(.post, "/status/subscribe/\(token)", token: nil, body: "", headers: Self.form).status == .ok)
            #expect(try await subscribers(harness).count == 1)
            #expect(try await harness.store.suppressions(of: [.email("jane@example.com")]).isEmpty)
        }
        await server.stop()
    }

    @Test func aLinkExpiresAfter48HoursAndAForgedOrChangedOneIs404() async throws {
        let harness = try APIHarness(statusPage: Self.settings)
        let key = try #require(harness.configuration.unsubscribe?.key)
        let token = SubscriptionToken(email: "jane@example.com", language: "ko", expiresAt: harness.clock.now() + SubscriptionToken.lifetime).signed(with: key)
        var flipped = Array(token)
        flipped[5] = flipped[5] == "A" ? "B" : "A"
        let changed = String(flipped)
        let unsubscribeToken = UnsubscribeToken(contact: .email("jane@example.com"), category: "updates").signed(with: key)
        try await harness.withClient { client in
            for forged in [changed, unsubscribeToken, "nonsense"] {
                let answer = try await client.call(.post, "/status/subscribe/\(forged)", token: nil, body: "", headers: Self.form)
                #expect(answer.status == .notFound && answer.headers[.contentType] == "application/problem+json", "\(forged)")
            }
            harness.clock.advance(by: .seconds(SubscriptionToken.lifetime))
            let expiredPage = try await client.call(.get, "/status/subscribe/\(token)", token: nil, headers: [.acceptLanguage: "ko"])
            #expect(expiredPage.status == .gone && expiredPage.text.contains("만료된 링크"))
            let expired = try await client.call(.post, "/status/subscribe/\(token)", token: nil, body: "", headers: Self.form)
            #expect(expired.status == .gone)
        }
        #expect(try await subscribers(harness).isEmpty)
        #expect(SubscriptionToken.verify(Substring(token), with: key)?.language == "ko")
        #expect(UnsubscribeToken.verify(Substring(token), with: key) == nil, "a confirmation token never reads as an unsubscribe token")
    }

    @Test func theFormRefusesABadAddressAndIsLimitedPerClientAndPerAddress() async throws {
        let harness = try APIHarness(statusPage: Self.settings)
        try await harness.withClient { client in
            let bad = try await client.call(.post, "/status/subscribe", token: nil, body: "email=not-an-address", headers: Self.form)
            #expect(bad.status == .unprocessableContent && bad.pointer == "/email", "\(bad.text)")
            let missing = try await client.call(.post, "/status/subscribe", token: nil, body: "lang=en", headers: Self.form)
            #expect(missing.status == .unprocessableContent && missing.pointer == "/email")

            // Three confirmations an hour to one address, whoever asks; the page answers the same.
            for _ in 0..<3 {
                let asked = try await client.call(.post, "/status/subscribe", token: nil, body: "email=victim%40example.com", headers: Self.form)
                #expect(asked.status == .ok && asked.text.contains("Check your inbox"))
            }
            #expect(try await harness.store.messages(MessageFilter()).count == 3)
            // Five forms per client address per 10 minutes, the refused ones counted too.
            let limited = try await client.call(.post, "/status/subscribe", token: nil, body: "email=other%40example.com", headers: Self.form)
            #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] != nil)

            harness.clock.advance(by: .seconds(600))  // the client's window starts again; the address's hour has not passed
            let fourth = try await client.call(.post, "/status/subscribe", token: nil, body: "email=victim%40example.com", headers: Self.form)
            #expect(fourth.status == .ok && fourth.text.contains("Check your inbox"), "the same answer, so the page tells nobody anything")
            #expect(try await harness.store.messages(MessageFilter()).count == 3, "and no fourth mail to that address")
            let other = try await client.call(.post, "/status/subscribe", token: nil, body: "email=other%40example.com", headers: Self.form)
            #expect(other.status == .ok)
            #expect(try await harness.store.messages(MessageFilter()).count == 4)
        }
    }

    @Test func withoutASegmentThereIsNoFormAndNoEndpoint() async throws {
        let harness = try APIHarness(statusPage: StatusPageSettings(title: "Example status", services: ["Messenger"]))
        try await harness.withClient { client in
            #expect(try await client.call(.get, "/status", token: nil).text.contains("<form") == false)
            let refused = try await client.call(.post, "/status/subscribe", token: nil, body: "email=jane%40example.com", headers: Self.form)
            #expect(refused.status == .notFound)
        }
        #expect(try await harness.store.messages(MessageFilter()).isEmpty)
    }
}
