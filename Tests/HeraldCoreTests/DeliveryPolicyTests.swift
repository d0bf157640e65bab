import Foundation
import HeraldCore
import Testing

@Suite("Retry policy, Retry-After and routing")
struct DeliveryPolicyTests {
    let policy = RetryPolicy(backoff: [.seconds(5), .seconds(15), .seconds(60)], jitter: 0.2)

    @Test func stepsFollowTheBackoffAndTheLastStepRepeats() {
        #expect(policy.step(afterFailure: 1) == .seconds(5))
        #expect(policy.step(afterFailure: 2) == .seconds(15))
        #expect(policy.step(afterFailure: 3) == .seconds(60))
        #expect(policy.step(afterFailure: 9) == .seconds(60))
    }

    @Test func jitterStaysWithinItsBoundsAndVaries() {
        var generator = SystemRandomNumberGenerator()
        let delays = (0..<500).map { _ in policy.delay(afterFailure: 2, using: &generator) }
        #expect(delays.allSatisfy { $0 >= .seconds(12) && $0 <= .seconds(18) })
        #expect(Set(delays).count > 1)
    }

    @Test func retryAfterIsTheEarliestNextAttempt() {
        var generator = SystemRandomNumberGenerator()
        #expect(policy.delay(afterFailure: 1, retryAfter: .seconds(120), using: &generator) == .seconds(120))
        let short = policy.delay(afterFailure: 3, retryAfter: .seconds(1), using: &generator)
        #expect(short >= .seconds(48))
    }

    @Test func retryAfterParsesSecondsAndHTTPDates() {
        let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(RetryAfter.parse("120", now: now) == .seconds(120))
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:28:30 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:27:00 GMT", now: now) == .zero)
        #expect(RetryAfter.parse("soon", now: now) == nil)
        #expect(RetryAfter.parse(nil, now: now) == nil)
    }

    @Test func plannerSkipsChannelsTheRecipientCannotUseAndSaysWhy() throws {
        let channels = [
            ChannelSettings(name: "hooks", transport: .webhook(WebhookSettings(url: nil, secret: Secret("whsec_a2V5")))),
            ChannelSettings(name: "files", transport: .outbox(OutboxSettings(path: "out"))),
        ]
        let planner = RoutePlanner(channels: channels)
        let plain = Recipient(id: "u1", contacts: ContactPoints(email: "a@example.com"))
        let plan = planner.plan(route: ["hooks", "files"], from: 0, recipient: plain)
        #expect(plan.target?.channel == "files")
        #expect(plan.target?.index == 1)
        #expect(plan.skipped == [RoutePlanner.Skip(channel: "hooks", reason: .noContact(.webhook, recipient: "u1"))])
        #expect(plan.skipped.first?.reason.description == "no webhook for recipient u1", "what the attempt ledger says")

        let hooked = Recipient(id: "u2", contacts: ContactPoints(webhook: "https://example.com/h"))
        #expect(planner.plan(route: ["hooks", "files"], from: 0, recipient: hooked).target?.channel == "hooks")
        #expect(planner.plan(route: ["hooks"], from: 0, recipient: plain).target == nil)
        #expect(planner.plan(route: ["hooks", "files"], from: 0, recipient: hooked, isAvailable: { $0 != "hooks" }).skipped.first?.reason == .circuitOpen)
        #expect(!planner.canReach(plain, route: ["hooks"]))
    }

    @Test func identifiersAreUniqueAndSortByTime() {
        let early = Identifier.make(prefix: "msg", at: Date(timeIntervalSince1970: 1000))
        let late = Identifier.make(prefix: "msg", at: Date(timeIntervalSince1970: 2000))
        #expect(early < late)
        #expect(early.hasPrefix("msg_") && early.count == 30)
        let many = Set((0..<10_000).map { _ in Identifier.make(prefix: "msg") })
        #expect(many.count == 10_000)
    }

    @Test func identifierSequencesCountUpInOrder() {
        var sequence = IdentifierSequence(prefix: "msg", at: Date(timeIntervalSince1970: 1000))
        let ids = (0..<5_000).map { _ in sequence.next() }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == 5_000)
        #expect(ids.allSatisfy { $0.hasPrefix("msg_") && $0.count == 30 })
        var other = IdentifierSequence(prefix: "msg", at: Date(timeIntervalSince1970: 1000))
        #expect(other.next() != ids[0], "each sequence starts at its own random point")
    }

    @Test(arguments: ["a@example.com", "first.last+tag@mail.example.co.kr"])
    func acceptsEmailAddresses(address: String) {
        #expect(ContactValidator.emailProblem(address) == nil)
    }

    @Test(arguments: ["", "plain", "@example.com", "a@", "a@b@example.com", "a b@example.com", "a@example", "a@.example.com",
        "a@example..com", "a@example.com.", "Bob <a@example.com>", "a@example.com\r\nBcc: x@example.com"])
    func rejectsMalformedEmailAddresses(address: String) {
        #expect(ContactValidator.emailProblem(address) != nil)
    }
}
