import Foundation
import HeraldCore
import Testing

/// Suppressions, the route planner's consent rules, unsubscribe tokens and their configuration.
@Suite("Consent: suppressions, routing, unsubscribe tokens")
struct ConsentTests {
    static let channels = [
        ChannelSettings(name: "email", transport: .smtp(SMTPSettings(host: "mail.test", port: 25, security: .none, from: "status@example.com"))),
        ChannelSettings(
            name: "sms",
            transport: .sms(
                SMSSettings(url: URL(string: "https://sms.test/send")!, format: .json, token: nil, account: nil, sender: "+15550100", defaultRegion: "KR", maxSegments: 2)
            )
        ),
    ]
    let planner = RoutePlanner(channels: Self.channels)
    let jane = Recipient(id: "u1", contacts: ContactPoints(email: "Jane@Example.com", phone: "010-1234-5678"))

    func consent(_ category: String, _ entries: (ContactPoint, SuppressionReason)...) -> Consent {
        var consent = Consent(category: category)
        consent.add(entries)
        return consent
    }

    @Test func contactPointsAreKeptInOneForm() throws {
        #expect(try ContactPoint.parse(" Jane@Example.COM ", defaultRegion: nil) == .email("jane@example.com"))
        #expect(try ContactPoint.parse("010-1234-5678", defaultRegion: "KR") == ContactPoint(kind: .phone, normalized: "+821012345678"))
        #expect(try ContactPoint.parse("https://hooks.example.com/x", defaultRegion: nil).kind == .webhook)
        #expect(Self.channels[1].contactPoint(for: jane) == ContactPoint(kind: .phone, normalized: "+821012345678"))
        #expect(Self.channels[0].contactPoint(for: jane) == .email("jane@example.com"))
        #expect(throws: ContactPointError.self) { try ContactPoint.parse("call me maybe", defaultRegion: "KR") }
        #expect(throws: ContactPointError.self) { try ContactPoint.parse("ftp://files.example.com", defaultRegion: nil) }
    }

    @Test func aBouncedAddressLetsTheRouteMoveOn() {
        let plan = planner.plan(
            route: ["email", "sms"], from: 0, recipient: jane, consent: consent(NoticeCategory.updates, (.email("jane@example.com"), .bounced))
        )
        #expect(plan.target?.channel == "sms")
        #expect(plan.skipped.map(\.reason.description) == ["email jane@example.com is suppressed (bounced)"])
    }

    @Test func anUnsubscribeEndsTheMessageUnlessItIsEssential() {
        let unsubscribed = consent(NoticeCategory.updates, (.email("jane@example.com"), .unsubscribed))
        let plan = planner.plan(route: ["email", "sms"], from: 0, recipient: jane, consent: unsubscribed)
        #expect(plan.target == nil, "the person said no: the SMS is not sent instead")
        #expect(plan.suppression == "email jane@example.com is suppressed (unsubscribed)")

        var essential = unsubscribed
        essential.category = NoticeCategory.essential
        #expect(planner.plan(route: ["email", "sms"], from: 0, recipient: jane, consent: essential).target?.channel == "email")
        // Every reason but an unsubscribe applies to essential notices too.
        essential.add([(.email("jane@example.com"), .bounced)])
        #expect(planner.plan(route: ["email", "sms"], from: 0, recipient: jane, consent: essential).target?.channel == "sms")
    }

    @Test func everyUsableContactSuppressedIsSuppressionAnOpenCircuitIsNot() {
        let both = consent(NoticeCategory.updates, (.email("jane@example.com"), .bounced), (.phone("+821012345678", defaultRegion: nil), .invalid))
        #expect(
            planner.suppression(route: ["email", "sms"], recipient: jane, consent: both)
                == "email jane@example.com is suppressed (bounced); phone +821012345678 is suppressed (invalid)"
        )
        let emailOnly = consent(NoticeCategory.updates, (.email("jane@example.com"), .bounced))
        #expect(planner.suppression(route: ["email", "sms"], recipient: jane, consent: emailOnly) == nil)
        let waiting = planner.plan(route: ["email", "sms"], from: 0, recipient: jane, consent: emailOnly, isAvailable: { $0 != "sms" })
        #expect(waiting.target == nil && waiting.suppression == nil, "an open circuit means wait, not suppressed")
    }

    @Test func aTokenNamesItsContactAndCategoryAndAnyChangedCharacterIsRefused() {
        let key = UnsubscribeKey(secret: Secret("0123456789abcdef0123456789abcdef"))
        let token = UnsubscribeToken(contact: .email("jane@example.com"), category: "updates")
        let signed = token.signed(with: key)
        #expect(UnsubscribeToken.verify(Substring(signed), with: key) == token)
        #expect(signed.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }, "URL-safe: \(signed)")
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
        var characters = Array(signed)
        for index in characters.indices {
            let original = characters[index]
            characters[index] = alphabet.first { $0 != original }!
            #expect(UnsubscribeToken.verify(Substring(String(characters)), with: key) == nil, "changed at \(index)")
            characters[index] = alphabet.last { $0 != original }!
            #expect(UnsubscribeToken.verify(Substring(String(characters)), with: key) == nil, "changed at \(index)")
            characters[index] = original
        }
        #expect(UnsubscribeToken.verify(Substring(signed), with: UnsubscribeKey(secret: Secret("another-secret-of-enough-length"))) == nil)
        #expect(UnsubscribeToken.verify(Substring(signed.dropLast()), with: key) == nil)
        #expect(UnsubscribeToken.verify("", with: key) == nil)
    }

    @Test func oneClickNeedsAPublicURLAndARealSecret() throws {
        let base = """
            storage: sqlite:test.sqlite
            channels:
              outbox: { kind: outbox, path: outbox/ }
            """
        let config = try HeraldConfiguration.parse(
            yaml: base + "\nhttp: { public_url: \"https://status.example.com/\" }\nunsubscribe: { secret: \"${SECRET}\" }", file: "herald.yaml",
            environment: ["SECRET": "5f2b9c0e7d4a4b1f8e6c3a2d9b0e7f1c"]
        )
        let links = try #require(config.unsubscribeLinks)
        #expect(links.url(for: .email("a@example.com"), category: "updates").hasPrefix("https://status.example.com/u/"))

        func problem(_ yaml: String) -> String {
            do {
                _ = try HeraldConfiguration.parse(yaml: base + "\n" + yaml, file: "herald.yaml", environment: [:])
                return ""
            } catch { return "\(error)" }
        }
        #expect(problem("unsubscribe: { secret: \"5f2b9c0e7d4a4b1f8e6c3a2d9b0e7f1c\" }").contains("unsubscribe: needs http.public_url"))
        #expect(problem("http: { public_url: \"https://status.example.com\" }\nunsubscribe: { secret: short }").contains("unsubscribe.secret"))
        #expect(problem("http: { public_url: \"status.example.com\" }").contains("http.public_url: expected an http(s) URL"))
    }

    @Test func pageSubscriptionsNeedSignedLinksAndAMailChannel() throws {
        func load(_ yaml: String) -> Result<HeraldConfiguration, Error> {
            Result { try HeraldConfiguration.parse(yaml: "storage: sqlite:test.sqlite\n" + yaml, file: "herald.yaml", environment: [:]) }
        }
        let page = "status_page: { title: Example, services: [Messenger], segment: subscribers }\n"
        let links = "http: { public_url: \"https://status.example.com\" }\nunsubscribe: { secret: \"5f2b9c0e7d4a4b1f8e6c3a2d9b0e7f1c\" }\n"
        let mail = "channels:\n  outbox: { kind: outbox, path: outbox/ }\n"
        let hooks = "channels:\n  hooks: { kind: webhook, url: \"https://hooks.example.com/h\", secret: whsec_a2V5 }\n"

        let working = try load(page + links + mail).get()
        #expect(working.subscribeURL == "https://status.example.com/status/subscribe")
        #expect(working.subscriptionRoute == ["outbox"])
        #expect(try load(links + mail + "status_page: { title: Example, services: [Messenger] }\n").get().subscribeURL == nil, "no segment, no form")

        let unsigned = "\(load(page + mail).failure.map { "\($0)" } ?? "")"
        #expect(unsigned.contains("status_page.segment: subscriptions need unsubscribe: { secret }"), "\(unsigned)")
        let mailless = "\(load(page + links + hooks).failure.map { "\($0)" } ?? "")"
        #expect(mailless.contains("status_page.segment: subscriptions need an smtp (or outbox) channel"), "\(mailless)")
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}
