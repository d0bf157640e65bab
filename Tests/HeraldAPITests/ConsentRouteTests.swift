import Foundation
import HeraldAPI
import HeraldCore
import HeraldStore
import HTTPTypes
import HeraldTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

/// The public consent endpoints (one-click unsubscribe, inbound SMS) and `/v1/suppressions`.
@Suite("API: consent", .hangGuard)
struct ConsentRouteTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    func token(_ harness: APIHarness, for contact: ContactPoint, category: String = "updates") throws -> String {
        let url = try #require(harness.configuration.unsubscribeLinks).url(for: contact, category: category)
        return String(try #require(url.split(separator: "/u/").last))
    }

    @Test func getShowsAConfirmPagePostSuppressesAndAChangedTokenIs404() async throws {
        let harness = try APIHarness()
        let token = try token(harness, for: .email("jane@example.com"))
        var flipped = Array(token)
        flipped[3] = flipped[3] == "A" ? "B" : "A"
        let forged = String(flipped)
        try await harness.withClient { client in
            let page = try await client.call(.get, "/u/\(token)", token: nil, headers: [.acceptLanguage: "ko-KR,ko;q=0.9,en;q=0.8"])
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.text.contains("<form method=\"post\">") && page.text.contains("수신 거부"))
            #expect(page.text.contains("j***@example.com") && !page.text.contains("jane@"), "the address is masked")
            #expect(try await harness.store.suppressions(of: [.email("jane@example.com")]).isEmpty, "GET changes nothing")

            let missing = try await client.call(.post, "/u/\(forged)", token: nil, body: "List-Unsubscribe=One-Click", headers: Self.form)
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "application/problem+json")
            #expect(try await client.call(.get, "/u/\(forged)", token: nil).status == .notFound)
            #expect(try await harness.store.suppressions(of: [.email("jane@example.com")]).isEmpty)

            // RFC 8058: a mail client POSTs List-Unsubscribe=One-Click, with no bearer token.
            let done = try await client.call(.post, "/u/\(token)", token: nil, body: "List-Unsubscribe=One-Click", headers: Self.form)
            #expect(done.status == .ok)
            #expect(done.text.contains("Unsubscribed"))
        }
        let listed = try await harness.store.suppressions(of: [.email("jane@example.com")])
        #expect(listed.map(\.reason) == [.unsubscribed] && listed.first?.source == "one-click")
    }

    @Test func twilioSignatureFollowsTwiliosDocumentedExample() {
        let parameters = [
            ("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"), ("From", "+12349013030"), ("To", "+18005551212"),
        ].map { (name: $0.0, value: $0.1) }
        let signature = TwilioSignature.expected(url: "https://mycompany.com/myapp.php?foo=1&bar=2", parameters: parameters.reversed(), authToken: "12345")
        #expect(Data(signature).base64EncodedString() == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    }

    func inbound(_ client: any TestClientProtocol, from: String, body: String, signedWith authToken: String = APIHarness.twilioAuthToken) async throws
        -> TestResponse
    {
        let parameters = [("MessageSid", "SM123"), ("From", from), ("To", "+15550100"), ("Body", body)].map { (name: $0.0, value: $0.1) }
        let signature = TwilioSignature.expected(url: APIHarness.publicURL + "/inbound/twilio", parameters: parameters, authToken: authToken)
        let encoded = parameters.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }.joined(separator: "&")
        var headers = Self.form
        headers[HTTPField.Name("X-Twilio-Signature")!] = Data(signature).base64EncodedString()
        return try await client.call(.post, "/inbound/twilio", token: nil, body: encoded, headers: headers)
    }

    @Test func aSignedSTOPSuppressesTheSenderAndSTARTLiftsItAWrongSignatureChangesNothing() async throws {
        let harness = try APIHarness(twilio: true)
        let number = ContactPoint(kind: .phone, normalized: "+821012345678")
        try await harness.withClient { client in
            let forged = try await inbound(client, from: "+821012345678", body: "STOP", signedWith: "not-the-auth-token")
            #expect(forged.status == .forbidden)
            #expect(try await harness.store.suppressions(of: [number]).isEmpty)

            let stop = try await inbound(client, from: "+821012345678", body: " 수신거부 ")
            #expect(stop.status == .ok)
            #expect(stop.text.contains("<Response/>"))
            #expect(try await harness.store.suppressions(of: [number]).map(\.reason) == [.unsubscribed])

            let chat = try await inbound(client, from: "+821012345678", body: "stop sending me these please")
            #expect(chat.status == .ok)
            let start = try await inbound(client, from: "+821012345678", body: "start")
            #expect(start.status == .ok)
        }
        #expect(try await harness.store.suppressions(of: [number]).isEmpty, "START lifted the unsubscribe")
    }

    @Test func inboundSMSWithoutATwilioChannelIs404() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            let response = try await inbound(client, from: "+821012345678", body: "STOP")
            #expect(response.status == .notFound)
        }
    }

    @Test func publicEndpointsAreRateLimitedPerClientAddress() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            for _ in 0..<30 { #expect(try await client.call(.get, "/u/nope", token: nil).status == .notFound) }
            let limited = try await client.call(.get, "/u/nope", token: nil)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] == "60")
            #expect(try await client.call(.get, "/v1/suppressions", token: APIHarness.reader).status == .ok, "token routes are not limited")
            harness.clock.advance(by: .seconds(60))
            #expect(try await client.call(.get, "/u/nope", token: nil).status == .notFound)
        }
    }

    @Test func suppressionsAreAddedListedAndLiftedByScope() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            let bad = try await client.call(
                .post, "/v1/suppressions", token: APIHarness.sender,
                body: #"[{"contact":"jane@example.com"},{"contact":"not a contact"},{"contact":"a@example.com","reason":"bored"}]"#
            )
            #expect(bad.status == .unprocessableContent)
            #expect(bad.pointer == "/1/contact")
            #expect(bad.text.contains("/2/contact"))
            #expect(try await harness.store.suppressionList(after: nil, limit: 10).isEmpty, "all or none")

            let added = try await client.call(
                .post, "/v1/suppressions", token: APIHarness.sender,
                body: #"[{"contact":"Jane@Example.com","reason":"complained"},{"contact":"https://hooks.example.com/t/7","detail":"tenant left"}]"#
            )
            #expect(added.status == .ok)
            #expect(added.int("added") == 2 && added.int("total") == 2)
            let again = try await client.call(.post, "/v1/suppressions", token: APIHarness.sender, body: #"{"contact":"jane@example.com","reason":"complained"}"#)
            #expect(again.int("added") == 0)

            let first = try await client.call(.get, "/v1/suppressions?limit=1", token: APIHarness.reader)
            #expect(first.json["next"] == "https://hooks.example.com/t/7")
            let rest = try await client.call(.get, "/v1/suppressions?after=https%3A%2F%2Fhooks.example.com%2Ft%2F7", token: APIHarness.reader)
            guard case .list(let entries)? = rest.json["suppressions"] else { Issue.record("no list: \(rest.text)"); return }
            #expect(entries.compactMap { $0.objectValue?["contact"] } == ["jane@example.com"])
            #expect(entries.first?.objectValue?["reason"] == "complained")
            #expect(rest.json["next"] == nil)

            #expect(try await client.call(.delete, "/v1/suppressions/jane%40example.com", token: APIHarness.sender).status == .forbidden)
            let lifted = try await client.call(.delete, "/v1/suppressions/JANE%40example.com")
            #expect(lifted.status == .ok && lifted.int("removed") == 1)
            #expect(try await client.call(.delete, "/v1/suppressions/jane%40example.com").status == .notFound)
        }
    }

    @Test func dryRunsAndBroadcastsCountSuppressedRecipients() async throws {
        let harness = try APIHarness()
        try await harness.store.suppress([
            Suppression(contact: ContactPoint(kind: .webhook, normalized: "https://hooks.example.com/b"), reason: .gone, source: "test", addedAt: harness.clock.now())
        ])
        let broadcast = { @Sendable (dryRun: Bool) in
            """
            {"template":"status-update","vars":{"service":"Mail","status":"recovering","note":"n"},"route":["partners"],"dry_run":\(dryRun),
             "audience":{"recipients":[{"id":"a","webhook":"https://hooks.example.com/a"},{"id":"b","webhook":"https://hooks.example.com/b"}]}}
            """
        }
        try await harness.withClient { client in
            let dry = try await client.call(.post, "/v1/broadcasts", body: broadcast(true))
            #expect(dry.status == .ok, "\(dry.text)")
            #expect(dry.int("total") == 2 && dry.int("suppressed") == 1)
            let accepted = try await client.call(.post, "/v1/broadcasts", body: broadcast(false))
            #expect(accepted.status == .accepted, "\(accepted.text)")
            #expect(accepted.int("total") == 2 && accepted.int("suppressed") == 1)
            guard case .string(let id)? = accepted.json["id"] else { Issue.record("no id"); return }
            let counts = try await client.call(.get, "/v1/broadcasts/\(id)", token: APIHarness.reader)
            #expect(counts.int("queued") == 1 && counts.int("suppressed") == 1, "\(counts.text)")

            let single = try await client.call(
                .post, "/v1/messages",
                body: #"{"template":"status-update","route":["partners"],"to":{"webhook":"https://hooks.example.com/b"},"vars":{"service":"Mail","status":"recovering","note":"n"}}"#
            )
            #expect(single.status == .accepted)
            #expect(single.json["state"] == "suppressed")
        }
    }
}
