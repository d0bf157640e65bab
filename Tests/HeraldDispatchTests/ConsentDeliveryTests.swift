import Foundation
import HeraldChannels
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Testing

/// Consent through the whole pipeline, on real sockets: aiosmtpd (a mail server nobody here wrote)
/// refusing unknown mailboxes, an HTTP sink as the SMS gateway and the webhook receiver.
@Suite("Consent: bounces, unsubscribes and what receivers teach", .serialized, .hangGuard)
struct ConsentDeliveryTests {
    static let update = NoticeRequest(template: "status-update", vars: ["service": "Messenger", "status": "recovering", "note": "Log-in works."])

    func email(_ server: AiosmtpdServer) throws -> SMTPChannel {
        try SMTPChannel(
            name: "email",
            configuration: .init(server: SMTPSettings(host: "127.0.0.1", port: server.port, security: .none, from: "Status <status@example.com>"))
        )
    }

    func sms(_ gateway: HTTPSink) -> SMSChannel {
        SMSChannel(name: "sms", configuration: .init(gateway: DispatchHarness.smsGateway(url: "\(gateway.url)/send")))
    }

    @Test func a550UserUnknownSuppressesTheAddressAndItIsNeverTriedAgain() async throws {
        let server = try await AiosmtpdServer(unknownRecipients: ["gone@example.com"])
        let channel = try email(server)
        let harness = try DispatchHarness(channels: [channel], routes: ["default": ["email"]])
        let recipient = harness.recipient("u1", email: "Gone@Example.com")

        let first = try await harness.intake.send(Self.update, to: recipient)
        try await harness.worker.drain()
        let bounced = try #require(try await harness.store.message(id: first.id))
        #expect(bounced.message.state == .suppressed)
        #expect(bounced.message.lastError?.contains("email gone@example.com is suppressed (bounced)") == true, "\(bounced.message.lastError ?? "")")
        #expect(bounced.message.lastError?.contains("550 5.1.1") == true)
        let listed = try await harness.store.suppressions(of: [.email("gone@example.com")])
        #expect(listed.map(\.reason) == [.bounced] && listed.first?.source == "email")

        // A new send and an operator's retry of the first: neither reaches the server.
        let second = try await harness.intake.send(DispatchHarness.apology, to: recipient)
        #expect(second.suppressed == 1)
        #expect(try await harness.store.message(id: second.id)?.message.state == .suppressed)
        let requeued = try await OperatorDesk(store: harness.store, configuration: harness.configuration, clock: harness.clock).retry(messageIDs: [first.id])
        #expect(requeued == [first.id])
        try await harness.worker.drain()
        try await channel.shutdown()
        let tried = server.recipientsTried
        let stored = server.messages
        await server.stop()
        #expect(tried == ["Gone@Example.com"], "RCPT was sent once, for the first message only")
        #expect(stored.isEmpty)
        #expect(try await harness.store.message(id: first.id)?.message.state == .suppressed)
    }

    @Test func aBounceLetsTheRouteMoveOnToTheNextChannelThenAndFromThenOn() async throws {
        let server = try await AiosmtpdServer(unknownRecipients: ["gone@example.com"])
        let gateway = try await HTTPSink.start()
        let (mail, text) = (try email(server), sms(gateway))
        let harness = try DispatchHarness(channels: [mail, text], routes: ["default": ["email", "sms"]])
        let recipient = harness.recipient("u1", email: "gone@example.com", phone: "010-1234-5678")

        let first = try await harness.intake.send(Self.update, to: recipient)
        try await harness.worker.drain()
        let second = try await harness.intake.send(Self.update, to: recipient)
        #expect(second.suppressed == 0, "the phone still reaches them")
        try await harness.worker.drain()
        try await mail.shutdown()
        try await text.shutdown()
        let tried = server.recipientsTried
        await server.stop()
        await gateway.stop()

        let moved = try #require(try await harness.store.message(id: first.id))
        #expect(moved.message.state == .delivered)
        #expect(moved.attemptLog.map(\.channel) == ["email", "sms"])
        let skipped = try #require(try await harness.store.message(id: second.id))
        #expect(skipped.message.state == .delivered)
        #expect(skipped.attemptLog.map(\.outcome) == [.skipped, .delivered])
        #expect(skipped.attemptLog.first?.error == "email gone@example.com is suppressed (bounced)")
        #expect(tried == ["gone@example.com"])
        #expect(gateway.received.count == 2)
    }

    @Test func anUnsubscribedAddressGetsEssentialNoticesOnlyAndMailCarriesOneClickHeaders() async throws {
        let server = try await AiosmtpdServer()
        let gateway = try await HTTPSink.start()
        let (mail, text) = (try email(server), sms(gateway))
        let harness = try DispatchHarness(channels: [mail, text], routes: ["default": ["email", "sms"]], publicURL: "https://status.example.com")
        let recipient = harness.recipient("u1", email: "jane@example.com", phone: "010-1234-5678")

        let before = try await harness.intake.send(Self.update, to: recipient)
        try await harness.worker.drain()
        let first = try #require(server.messages.first)
        #expect(first.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))
        #expect(first.contains("To stop these updates"), "an updates notice carries {{unsubscribe_url}} in its footer")
        let header = try #require(first.split(separator: "\n").first { $0.hasPrefix("List-Unsubscribe: <https://status.example.com/u/") })
        let token = try #require(header.split(separator: "/u/").last?.split(separator: ">").first)
        let key = try #require(harness.configuration.unsubscribe?.key)
        #expect(UnsubscribeToken.verify(token, with: key) == UnsubscribeToken(contact: .email("jane@example.com"), category: "updates"))

        // What POST /u/TOKEN does.
        let desk = ConsentDesk(store: harness.store, configuration: harness.configuration, clock: harness.clock)
        #expect(try await desk.unsubscribe(token: token) != nil)
        let update = try await harness.intake.send(Self.update, to: recipient)
        let essential = try await harness.intake.send(DispatchHarness.apology, to: recipient)
        try await harness.worker.drain()
        try await mail.shutdown()
        try await text.shutdown()
        let stored = server.messages
        await server.stop()
        await gateway.stop()

        #expect(try await harness.store.message(id: before.id)?.message.state == .delivered)
        let refused = try #require(try await harness.store.message(id: update.id))
        #expect(refused.message.state == .suppressed)
        #expect(refused.message.lastError == "email jane@example.com is suppressed (unsubscribed)")
        #expect(gateway.received.isEmpty, "an unsubscribe does not move the notice to SMS")
        #expect(try await harness.store.message(id: essential.id)?.message.state == .delivered)
        #expect(stored.count == 2)
        #expect(stored.last?.contains("Message-ID: <\(essential.id)@example.com>") == true)
        #expect(stored.last?.contains("To stop these updates") == false, "an essential notice has no unsubscribe footer")
    }

    @Test func aWebhook410MarksTheRecipientsURLGone() async throws {
        let receiver = try await HTTPSink.start { _, _ in .status(410) }
        let hooks = WebhookChannelFixture.make(name: "hooks")
        let logs = LogCapture()
        let harness = try DispatchHarness(channels: [hooks], routes: ["default": ["hooks"]], telemetry: DeliveryTelemetry(logger: logs.logger()))
        let url = "\(receiver.url)/tenant-7"
        let sent = try await harness.intake.send(Self.update, to: harness.recipient("t7", webhook: url, email: nil))
        try await harness.worker.drain()
        let again = try await harness.intake.send(Self.update, to: harness.recipient("t7", webhook: url, email: nil))
        try await hooks.shutdown()
        await receiver.stop()
        #expect(try await harness.store.message(id: sent.id)?.message.state == .suppressed)
        #expect(try await harness.store.suppressions(of: [ContactPoint(kind: .webhook, normalized: url)]).map(\.reason) == [.gone])
        #expect(again.suppressed == 1)
        #expect(receiver.received.count == 1)
        // At 3 a.m. the log says what happened to the message and to the address, and why.
        let lines = logs.lines.map { "\($0.level) \($0.message)" }
        #expect(lines.count == 3, "\(lines)")
        #expect(lines.first?.hasPrefix("warning not delivered: rejected: HTTP 410") == true)
        #expect(lines.dropFirst().first?.hasPrefix("info suppressing webhook \(url) (gone), as hooks answered: HTTP 410") == true, "\(lines)")
        #expect(lines.last?.hasPrefix("info message suppressed: webhook \(url) is suppressed (gone); rejected: HTTP 410") == true, "\(lines)")
    }
}
