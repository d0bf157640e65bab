import Foundation
import HeraldChannels
import HeraldCore
import HeraldTestSupport
import Testing

@Suite("SMS channel", .hangGuard)
struct SMSChannelTests {
    func delivery(phone: String? = "010-1234-5678", text: String? = "[Messenger] 서비스 장애로 불편을 드려 죄송합니다.") -> Delivery {
        Delivery(
            messageID: "msg_01sms", recipient: Recipient(id: "u1", name: "김하늘", contacts: ContactPoints(phone: phone)),
            rendered: RenderedNotice(template: "outage-apology", locale: "ko", sms: text),
            vars: [:], noticeID: "bc_1", broadcastID: "bc_1", incidentID: nil, attemptedAt: Date()
        )
    }

    func channel(_ sink: HTTPSink, format: SMSSettings.Format = .json, maxSegments: Int = 2) -> SMSChannel {
        let path = format == .json ? "/send" : "/twilio"
        return SMSChannel(
            name: "sms",
            configuration: .init(
                gateway: SMSSettings(
                    url: URL(string: "\(sink.url)\(path)")!, format: format, token: Secret("tok-secret"), account: "AC123",
                    sender: "+15550100", defaultRegion: "KR", maxSegments: maxSegments
                ),
                timeout: .healthyReceiverTimeout
            )
        )
    }

    /// Runs one delivery against a sink answering `reply`, returning the failure (if any) and what the sink saw.
    func send(
        _ delivery: Delivery, format: SMSSettings.Format = .json, maxSegments: Int = 2, reply: HTTPSink.Reply = .status(201)
    ) async throws -> (DeliveryError?, [HTTPSink.Request]) {
        let sink = try await HTTPSink.start { _, _ in reply }
        let channel = channel(sink, format: format, maxSegments: maxSegments)
        var failure: DeliveryError?
        do { try await channel.deliver(delivery) } catch let error as DeliveryError { failure = error }
        try await channel.shutdown()
        await sink.stop()
        return (failure, sink.received)
    }

    @Test func jsonFormatPostsTheDocumentedRequest() async throws {
        let (failure, received) = try await send(delivery())
        #expect(failure == nil)
        let request = try #require(received.first)
        #expect(request.path == "/send")
        #expect(request.headers["authorization"] == "Bearer tok-secret")
        #expect(request.headers["idempotency-key"] == "msg_01sms")
        #expect(request.headers["content-type"] == "application/json")
        let body = try JSONDecoder().decode(TemplateValue.self, from: Data(request.body))
        #expect(
            body
                == [
                    "to": "+821012345678", "from": "+15550100", "text": "[Messenger] 서비스 장애로 불편을 드려 죄송합니다.", "reference": "msg_01sms",
                ]
        )
    }

    @Test func twilioFormatPostsTheMessagesAPIRequest() async throws {
        let (failure, received) = try await send(delivery(), format: .twilio)
        #expect(failure == nil)
        let request = try #require(received.first)
        #expect(request.path == "/twilio/2010-04-01/Accounts/AC123/Messages.json")
        #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(request.headers["authorization"] == "Basic " + Data("AC123:tok-secret".utf8).base64EncodedString())
        let form = Dictionary(
            uniqueKeysWithValues: request.text.split(separator: "&").map { pair -> (String, String) in
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                return (parts[0], parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "")
            }
        )
        #expect(form == ["To": "+821012345678", "From": "+15550100", "Body": "[Messenger] 서비스 장애로 불편을 드려 죄송합니다."])
    }

    @Test func twilioErrorsAreKeptAsTheAttemptError() async throws {
        let body = #"{"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400}"#
        let (failure, _) = try await send(delivery(), format: .twilio, reply: .status(400, body: body))
        #expect(failure?.isRetryable == false)
        #expect(failure?.detail == "HTTP 400 Bad Request: Twilio 21211: The 'To' number is not a valid phone number.")
    }

    @Test(arguments: [("21211", SuppressionReason.invalid), ("21614", .invalid), ("21610", .unsubscribed), ("21408", nil)] as [(String, SuppressionReason?)])
    func twilioErrorsAboutTheNumberGoOnTheSuppressionList(code: String, learned: SuppressionReason?) async throws {
        let body = #"{"code": \#(code), "message": "refused", "status": 400}"#
        let (failure, _) = try await send(delivery(), format: .twilio, reply: .status(400, body: body))
        #expect(failure?.isRetryable == false)
        #expect(failure?.learned == learned)
        // The same body from a json-format gateway says nothing Herald understands about the number.
        let (plain, _) = try await send(delivery(), reply: .status(400, body: body))
        #expect(plain?.learned == nil)
    }

    @Test(arguments: [(202, nil), (429, true), (503, true), (408, true), (400, false), (410, false)] as [(Int, Bool?)])
    func classifiesGatewayStatusCodes(status: Int, retryable: Bool?) async throws {
        let (failure, _) = try await send(delivery(), reply: .status(status))
        #expect(failure?.isRetryable == retryable)
    }

    @Test func retryAfterIsReadInSecondsAndAsAnHTTPDate() async throws {
        let (seconds, _) = try await send(delivery(), reply: .status(429, headers: ["Retry-After": "30"]))
        #expect(seconds?.retryAfter == .seconds(30))
        let later = Date().addingTimeInterval(3600)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let (dated, _) = try await send(delivery(), reply: .status(503, headers: ["Retry-After": formatter.string(from: later)]))
        let wait = try #require(dated?.retryAfter)
        #expect(wait > .seconds(3500) && wait <= .seconds(3600))
    }

    @Test func anInvalidNumberIsAPermanentFailureWithItsReason() async throws {
        let (failure, received) = try await send(delivery(phone: "010-12"))
        #expect(failure?.reason == .noContact)
        #expect(failure?.isRetryable == false)
        #expect(failure?.detail.contains("KR numbers have 8 to 10 digits") == true)
        #expect(received.isEmpty)
    }

    @Test func aTextOverMaxSegmentsIsRefusedNotCut() async throws {
        let (failure, received) = try await send(delivery(text: String(repeating: "한", count: 71)), maxSegments: 1)
        #expect(failure?.reason == .render)
        #expect(failure?.isRetryable == false)
        #expect(failure?.detail == "the text takes 2 UCS-2 segments, over max_segments 1")
        #expect(received.isEmpty)
    }
}
