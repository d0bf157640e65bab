import Foundation
import HeraldCore

/// Sends each message's `sms` part through an HTTP SMS gateway, to the recipient's phone in E.164.
///
/// - `format: json`: `POST url` with `{"to","from","text","reference"}`, `Authorization: Bearer <token>`
///   and `Idempotency-Key: <message id>` (the reference is the message id too).
/// - `format: twilio`: `POST {url}/2010-04-01/Accounts/{account}/Messages.json`, form fields `To`,
///   `From`, `Body`, basic auth `account:token`; Twilio's error JSON is kept as the attempt's error.
///
/// A text over `max_segments` is refused permanently — never cut — so the route moves on.
public struct SMSChannel: HeraldCore.Channel {
    /// The channel's settings: the gateway (as configured under `channels:`) and the HTTP pool.
    public struct Configuration: Sendable {
        public var gateway: SMSSettings
        public var connections: Int
        public var timeout: Duration

        public init(gateway: SMSSettings, connections: Int = 8, timeout: Duration = .seconds(10)) {
            self.gateway = gateway
            self.connections = connections
            self.timeout = timeout
        }
    }

    public let name: String
    public var kind: ChannelKind { .sms }
    let configuration: Configuration
    let pool: KeepAlivePool
    /// The gateway's `host:port`, named in transport errors.
    let gatewayAuthority: String

    public init(name: String, configuration: Configuration) {
        self.name = name
        self.configuration = configuration
        self.gatewayAuthority = (try? HTTPDestination(configuration.gateway.url.absoluteString))?.authority ?? configuration.gateway.url.absoluteString
        self.pool = KeepAlivePool(limit: configuration.connections, tlsVerify: configuration.gateway.tlsVerify)
    }

    public func deliver(_ delivery: Delivery) async throws {
        let message = try SMSMessage(delivery, gateway: configuration.gateway)
        let post: HTTPPost
        let gateway = configuration.gateway
        switch gateway.format {
        case .json: post = try SMSRequest.json(message, gateway: gateway)
        case .twilio: post = try SMSRequest.twilio(message, gateway: gateway)
        }
        let format = gateway.format
        try await HTTPOutcome.send(
            post, with: pool, timeout: configuration.timeout, target: gatewayAuthority,
            describe: { body in format == .twilio ? SMSRequest.describeTwilioError(body) : body },
            learn: { _, body in format == .twilio ? SMSRequest.learnFromTwilioError(body) : nil }
        )
    }

    public func shutdown() async throws {
        await pool.shutdown()
    }
}

/// What goes out: the normalised number and the checked text.
struct SMSMessage {
    var id: String
    var to: String
    var text: String

    init(_ delivery: Delivery, gateway: SMSSettings) throws(DeliveryError) {
        guard let phone = delivery.recipient.contacts.phone, !phone.isEmpty else {
            throw DeliveryError(reason: .noContact, isRetryable: false, detail: "recipient \(delivery.recipient.id) has no phone number")
        }
        do {
            to = try PhoneNumber.normalize(phone, defaultRegion: gateway.defaultRegion)
        } catch {
            throw DeliveryError(reason: .noContact, isRetryable: false, detail: error.description)
        }
        guard let text = delivery.rendered.sms, !text.isEmpty else {
            throw DeliveryError(
                reason: .render, isRetryable: false,
                detail: "template '\(delivery.rendered.template)' has no sms part for locale '\(delivery.rendered.locale)'"
            )
        }
        if let overrun = SMSSegments(text).overrun(maxSegments: gateway.maxSegments) {
            throw DeliveryError(reason: .render, isRetryable: false, detail: "the text \(overrun)")
        }
        self.id = delivery.messageID
        self.text = text
    }
}
