import Crypto
import Foundation
import HeraldChannels
import HeraldCore
import HeraldTestSupport
import Testing

@Suite("Webhook channel", .hangGuard)
struct WebhookChannelTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let sentAt = Date(timeIntervalSince1970: 1_790_000_000)

    func delivery(url: String?, webhook: [String: TemplateValue]? = nil) -> Delivery {
        Delivery(
            messageID: "msg_01test", recipient: Recipient(id: "u1", name: "Kim", contacts: ContactPoints(webhook: url)),
            rendered: RenderedNotice(template: "outage-apology", locale: "ko", subject: "장애 안내", text: "본문\n", html: "<p>본문</p>", webhook: webhook),
            vars: ["service": "Messenger"], noticeID: "bc_1", broadcastID: "bc_1", incidentID: nil, attemptedAt: Self.sentAt
        )
    }

    func channel(timeout: Duration = .healthyReceiverTimeout, egress: EgressPolicy = .testReceivers) -> WebhookChannel {
        WebhookChannel(
            name: "partners",
            configuration: .init(signingKey: WebhookSettings.signingKey(from: Self.secret) ?? [], connections: 4, timeout: timeout, egress: egress)
        )
    }

    @Test func postsTheNoticeSignedPerStandardWebhooks() async throws {
        let sink = try await HTTPSink.start()
        let channel = channel()
        var failure: (any Error)?
        do {
            try await channel.deliver(delivery(url: "\(sink.url)/hooks/a", webhook: ["event": "outage", "subject": "override"]))
        } catch {
            failure = error
        }
        try await channel.shutdown()
        if let failure { throw failure }
        await sink.stop()

        let request = try #require(sink.received.first)
        #expect(request.path == "/hooks/a")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["webhook-id"] == "msg_01test")
        #expect(request.headers["webhook-timestamp"] == "1790000000")

        // Verify the signature from the spec, independently of the channel's code.
        let key = SymmetricKey(data: Data(base64Encoded: String(Self.secret.dropFirst("whsec_".count)))!)
        let signed = Data("msg_01test.1790000000.".utf8) + Data(request.body)
        let expected = "v1," + Data(HMAC<SHA256>.authenticationCode(for: signed, using: key)).base64EncodedString()
        #expect(request.headers["webhook-signature"] == expected)

        let body = try JSONDecoder().decode(TemplateValue.self, from: Data(request.body))
        guard case .object(let envelope) = body, case .object(let data)? = envelope["data"] else {
            Issue.record("body is not an envelope with data: \(request.text)")
            return
        }
        #expect(envelope["type"] == "notice.outage-apology")
        #expect(envelope["id"] == "msg_01test")
        #expect(data["template"] == "outage-apology")
        #expect(data["locale"] == "ko")
        #expect(data["text"] == "본문\n")
        #expect(data["html"] == "<p>본문</p>")
        #expect(data["subject"] == "override", "the webhook part's keys win")
        #expect(data["event"] == "outage")
        #expect(data["vars"] == ["service": "Messenger"])
        #expect(data["recipient"] == ["id": "u1"])
        #expect(data["broadcast_id"] == "bc_1")
        #expect(data["incident_id"] == .null)
    }

    /// Status codes and what they mean for the retry logic.
    static let statusCases: [(Int, DeliveryError.Reason?, Bool)] = [
        (200, nil, false), (202, nil, false), (204, nil, false),
        (408, .receiverError, true), (425, .receiverError, true), (429, .rateLimited, true),
        (500, .receiverError, true), (503, .receiverError, true),
        (400, .rejected, false), (404, .rejected, false), (410, .rejected, false),
    ]

    @Test(arguments: statusCases)
    func classifiesStatusCodesFromARealServer(status: Int, reason: DeliveryError.Reason?, retryable: Bool) async throws {
        let sink = try await HTTPSink.start { _, _ in .status(status, body: "nope") }
        let channel = channel()
        do {
            try await channel.deliver(delivery(url: "\(sink.url)/h"))
            #expect(reason == nil, "HTTP \(status) counted as delivered")
        } catch let error as DeliveryError {
            #expect(error.reason == reason)
            #expect(error.isRetryable == retryable)
            #expect(error.detail.contains("HTTP \(status)"))
        }
        try await channel.shutdown()
        await sink.stop()
    }

    @Test func honoursRetryAfterOn429() async throws {
        let sink = try await HTTPSink.start { _, _ in .status(429, headers: ["Retry-After": "120"]) }
        let channel = channel()
        await #expect {
            try await channel.deliver(delivery(url: "\(sink.url)/h"))
        } throws: { error in
            (error as? DeliveryError)?.retryAfter == .seconds(120)
        }
        try await channel.shutdown()
        await sink.stop()
    }

    @Test func connectionRefusedIsTransient() async throws {
        let port = try HTTPSink.refusingPort()
        let channel = channel()
        await #expect {
            try await channel.deliver(delivery(url: "http://127.0.0.1:\(port)/h"))
        } throws: { error in
            let failure = error as? DeliveryError
            return failure?.reason == .connection && failure?.isRetryable == true
        }
        try await channel.shutdown()
    }

    @Test func aReceiverThatNeverAnswersTimesOutAsTransient() async throws {
        let sink = try await HTTPSink.start { _, _ in .hang }
        let channel = channel(timeout: .milliseconds(300))
        await #expect {
            try await channel.deliver(delivery(url: "\(sink.url)/h"))
        } throws: { error in
            let failure = error as? DeliveryError
            return failure?.reason == .timeout && failure?.isRetryable == true
        }
        try await channel.shutdown()
        await sink.stop()
    }

    @Test func aRecipientWithoutURLOnAChannelWithoutURLIsPermanent() async throws {
        let channel = channel()
        await #expect {
            try await channel.deliver(delivery(url: nil))
        } throws: { error in
            (error as? DeliveryError)?.reason == .noContact && (error as? DeliveryError)?.isRetryable == false
        }
        try await channel.shutdown()
    }
}

@Suite("Outbox channel", .hangGuard)
struct OutboxChannelTests {
    @Test func anOutboxPathThatIsAFileIsRefusedWhenTheChannelsAreBuilt() throws {
        let directory = TemporaryDirectory()
        let file = directory.write("not-a-folder", "x")
        #expect {
            _ = try ChannelFactory.make(
                [ChannelSettings(name: "outbox", transport: .outbox(OutboxSettings(path: file)))], egress: EgressPolicy(), configFile: "herald.yaml"
            )
        } throws: { error in
            "\(error)" == "herald.yaml: channels.outbox.path: '\(file)' is a file; an outbox path names a folder"
        }
    }

    @Test func writesOneReadableFilePerMessage() async throws {
        let directory = TemporaryDirectory()
        let channel = OutboxChannel(name: "outbox", configuration: .init(folder: directory.file("out")))
        let delivery = Delivery(
            messageID: "msg_1", recipient: Recipient(id: "u1", name: "김하늘", contacts: ContactPoints(email: "k@example.kr")),
            rendered: RenderedNotice(template: "outage-apology", locale: "ko", subject: "장애 안내", text: "본문\n", sms: "문자"),
            vars: [:], noticeID: "bc_1", broadcastID: "bc_1", incidentID: nil, attemptedAt: Date()
        )
        try await channel.deliver(delivery)
        try await channel.deliver(delivery)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.file("out"))
        #expect(files == ["msg_1.txt"])
        let text = try String(contentsOfFile: directory.file("out/msg_1.txt"), encoding: .utf8)
        #expect(text.contains("Subject: 장애 안내"))
        #expect(text.contains("To-email: k@example.kr"))
        #expect(text.contains("--- sms ---\n문자"))
    }
}
