import Foundation
import HeraldChannels
import HeraldCore
import HeraldTestSupport
import Testing

/// The e-mail channel: what a real server (aiosmtpd) stores, and how each SMTP failure is classified
/// (the fault-injecting server).
@Suite("SMTP channel", .serialized, .hangGuard)
struct SMTPChannelTests {
    func delivery(
        name: String = "김하늘", email: String? = "haneul@example.kr", subject: String = "[Messenger] 서비스 장애 안내",
        html: String? = "<p>죄송합니다</p>"
    ) -> Delivery {
        Delivery(
            messageID: "msg_01mail", recipient: Recipient(id: "u 1/kr", name: name, contacts: ContactPoints(email: email)),
            rendered: RenderedNotice(template: "outage-apology", locale: "ko", subject: subject, text: "메신저 장애로 불편을 드려 죄송합니다.\n.\n", html: html),
            vars: [:], noticeID: "bc_1", broadcastID: "bc_1", incidentID: nil, attemptedAt: Date(timeIntervalSince1970: 1_790_000_000)
        )
    }

    func channel(port: Int, timeout: Duration = .healthyReceiverTimeout) throws -> SMTPChannel {
        try SMTPChannel(
            name: "email",
            configuration: .init(
                server: SMTPSettings(
                    host: "127.0.0.1", port: port, security: .none, from: "Example Status <status@example.com>",
                    unsubscribeURL: "https://example.com/unsubscribe?r={{recipient.id}}"
                ),
                connections: 2, timeout: timeout
            )
        )
    }

    /// Delivers once to a fault server scripted with `script`, returning the classified failure, if any.
    /// - Parameter timeout: the channel's; short only where a test waits for it to run out, so a slow
    ///   machine never turns another failure into a timeout.
    func failure(
        _ delivery: Delivery, timeout: Duration = .healthyReceiverTimeout, script: @escaping @Sendable (ScriptedSMTPServer.Event) -> ScriptedSMTPServer.Reply?
    ) async throws -> DeliveryError? {
        let server = try await ScriptedSMTPServer.start(script: script)
        let channel = try channel(port: server.port, timeout: timeout)
        defer { Task { await server.stop() } }
        do {
            try await channel.deliver(delivery)
            try await channel.shutdown()
            return nil
        } catch let error as DeliveryError {
            try await channel.shutdown()
            return error
        }
    }

    @Test func aRealServerStoresTheMessageWithEveryHeaderTheContractNames() async throws {
        let server = try await AiosmtpdServer()
        let channel = try channel(port: server.port)
        try await channel.deliver(delivery())
        try await channel.shutdown()
        let stored = server.messages
        await server.stop()
        let message = try #require(stored.first)
        #expect(stored.count == 1)
        #expect(message.contains("X-MailFrom: status@example.com"))
        #expect(message.contains("X-RcptTo: haneul@example.kr"))
        #expect(message.contains("Message-ID: <msg_01mail@example.com>"))
        #expect(message.contains("From: \"Example Status\" <status@example.com>"))
        #expect(message.contains("To: =?UTF-8?B?6rmA7ZWY64qY?= <haneul@example.kr>"))
        #expect(message.contains("Subject: =?UTF-8?B?"))
        #expect(message.contains("List-Unsubscribe: <https://example.com/unsubscribe?r=u%201%2Fkr>"))
        #expect(message.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"))
        #expect(message.contains("Content-Type: multipart/alternative;"))
        #expect(message.contains("Content-Transfer-Encoding: quoted-printable"))
    }

    @Test func lineBreaksInRenderedValuesNeverBecomeHeaders() async throws {
        let server = try await AiosmtpdServer()
        let channel = try channel(port: server.port)
        try await channel.deliver(delivery(name: "Eve\r\nBcc: victim@evil.example", subject: "Hi\r\nBcc: victim@evil.example", html: nil))
        try await channel.shutdown()
        let stored = server.messages
        await server.stop()
        let message = try #require(stored.first)
        let headerLines = message.components(separatedBy: "\n\n")[0].split(whereSeparator: \.isNewline)
        #expect(!headerLines.contains { $0.lowercased().hasPrefix("bcc:") })
        #expect(!message.contains("X-RcptTo: victim@evil.example"))
    }

    @Test func anAddressWithALineBreakIsRefusedPermanentlyAndNothingIsSent() async throws {
        let server = try await ScriptedSMTPServer.start()
        let channel = try channel(port: server.port)
        await #expect(throws: DeliveryError.self) { try await channel.deliver(delivery(email: "a@example.com\r\nRCPT TO:<x@evil.example>")) }
        try await channel.shutdown()
        await server.stop()
        #expect(server.received.isEmpty)
    }

    @Test func aFourFiftyOneIsTransientAndKeepsTheServersWords() async throws {
        let error = try await failure(delivery()) { event in
            if case .message = event { return .reply("451 4.7.1 greylisted") }
            return nil
        }
        #expect(error?.isRetryable == true)
        #expect(error?.reason == .rateLimited)
        #expect(error?.detail.contains("451 4.7.1 greylisted") == true)
    }

    @Test func aFiveFiftyIsPermanentForTheRecipient() async throws {
        let error = try await failure(delivery()) { event in
            if case .command(let line, _) = event, line.hasPrefix("RCPT") { return .reply("550 5.1.1 mailbox unavailable") }
            return nil
        }
        #expect(error?.isRetryable == false)
        #expect(error?.reason == .rejected)
        #expect(error?.detail.contains("550 5.1.1") == true)
    }

    @Test func aFourTwentyOneGreetingCountsAgainstTheChannel() async throws {
        let error = try await failure(delivery()) { event in
            if case .connected = event { return .reply("421 4.3.2 system not accepting network messages") }
            return nil
        }
        #expect(error?.isChannelFailure == true)
        #expect(error?.detail.contains("421") == true)
    }

    @Test func aServerThatStopsAnsweringTimesOut() async throws {
        let error = try await failure(delivery(), timeout: .milliseconds(300)) { event in
            if case .command(let line, _) = event, line.hasPrefix("MAIL") { return .hang }
            return nil
        }
        #expect(error?.reason == .timeout)
        #expect(error?.isRetryable == true)
    }

    @Test func aRefusedConnectionIsTransient() async throws {
        let port = try HTTPSink.refusingPort()
        let channel = try channel(port: port)
        do {
            try await channel.deliver(delivery())
            Issue.record("a refused connection must fail")
        } catch let error as DeliveryError {
            #expect(error.reason == .connection)
            #expect(error.isRetryable)
        }
        try await channel.shutdown()
    }

    @Test func aRecipientWithoutAnAddressMovesAlongTheRoute() async throws {
        let error = try await failure(delivery(email: nil)) { _ in nil }
        #expect(error?.reason == .noContact)
        #expect(error?.isRetryable == false)
    }
}
