import AsyncHTTPClient
import Foundation
import HeraldCore
import NIOCore

/// Sends each message's `sms` part through an HTTP SMS gateway, to the recipient's phone in E.164.
///
/// - `format: json`: `POST url` with `{"to","from","text","reference"}`, `Authorization: Bearer <token>`
///   and `Idempotency-Key: <message id>` (the reference is the message id too).
/// - `format: twilio`: `POST {url}/2010-04-01/Accounts/{account}/Messages.json`, form fields `To`,
///   `From`, `Body`, basic auth `account:token`; Twilio's error JSON is kept as the attempt's error.
///
/// A text over `max_segments` is refused permanently — never cut — so the route moves on.
public struct SMSChannel: HeraldCore.Channel {
    /// The channel's settings, with a default for every field.
    public struct Configuration: Sendable {
        public var url: URL
        public var format: SMSSettings.Format
        public var token: Secret?
        public var account: String?
        public var sender: String
        public var defaultRegion: String?
        public var maxSegments: Int
        public var connections: Int
        public var timeout: Duration
        public var tlsVerify: Bool

        public init(
            url: URL = URL(string: "http://127.0.0.1:9/send")!, format: SMSSettings.Format = .json, token: Secret? = nil, account: String? = nil,
            sender: String = "Herald", defaultRegion: String? = nil, maxSegments: Int = 2, connections: Int = 8, timeout: Duration = .seconds(10),
            tlsVerify: Bool = true
        ) {
            self.url = url
            self.format = format
            self.token = token
            self.account = account
            self.sender = sender
            self.defaultRegion = defaultRegion
            self.maxSegments = maxSegments
            self.connections = connections
            self.timeout = timeout
            self.tlsVerify = tlsVerify
        }
    }

    public let name: String
    public var kind: ChannelKind { .sms }
    public var parts: Set<PartKind> { [.sms] }
    let configuration: Configuration
    let client: HTTPClient

    public init(name: String, configuration: Configuration) {
        self.name = name
        self.configuration = configuration
        self.client = HTTPClientFactory.make(connections: configuration.connections, timeout: configuration.timeout, tlsVerify: configuration.tlsVerify)
    }

    public func deliver(_ delivery: Delivery) async throws {
        let message = try SMSMessage(delivery, configuration: configuration)
        let request: HTTPClientRequest
        switch configuration.format {
        case .json: request = SMSRequest.json(message, configuration: configuration)
        case .twilio: request = SMSRequest.twilio(message, configuration: configuration)
        }
        let format = configuration.format
        try await HTTPOutcome.send(request, with: client, timeout: configuration.timeout) { body in
            format == .twilio ? SMSRequest.describeTwilioError(body) : body
        }
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }
}

/// What goes out: the normalised number and the checked text.
struct SMSMessage {
    var id: String
    var to: String
    var text: String

    init(_ delivery: Delivery, configuration: SMSChannel.Configuration) throws(DeliveryError) {
        guard let phone = delivery.recipient.contacts.phone, !phone.isEmpty else {
            throw DeliveryError(reason: .noContact, isRetryable: false, detail: "recipient \(delivery.recipient.id) has no phone number")
        }
        do {
            to = try PhoneNumber.normalize(phone, defaultRegion: configuration.defaultRegion)
        } catch {
            throw DeliveryError(reason: .noContact, isRetryable: false, detail: error.description)
        }
        guard let text = delivery.rendered.sms, !text.isEmpty else {
            throw DeliveryError(
                reason: .render, isRetryable: false,
                detail: "template '\(delivery.rendered.template)' has no sms part for locale '\(delivery.rendered.locale)'"
            )
        }
        let count = SMSSegments(text)
        guard count.segments <= configuration.maxSegments else {
            throw DeliveryError(
                reason: .render, isRetryable: false,
                detail: "the text takes \(count.segments) \(count.encoding.rawValue) segments, over max_segments \(configuration.maxSegments)"
            )
        }
        self.id = delivery.messageID
        self.text = text
    }
}
