import AsyncHTTPClient
import Foundation
import HeraldCore
import NIOCore

/// Posts each message as signed JSON (Standard Webhooks) to the recipient's `webhook` URL, else the
/// channel's `url`, over pooled keep-alive connections.
public struct WebhookChannel: HeraldCore.Channel {
    /// The channel's settings, with a default for every field.
    public struct Configuration: Sendable {
        public var url: URL?
        /// The decoded `whsec_` key.
        public var signingKey: [UInt8]
        public var connections: Int
        public var timeout: Duration
        public var tlsVerify: Bool

        public init(url: URL? = nil, signingKey: [UInt8] = [], connections: Int = 8, timeout: Duration = .seconds(10), tlsVerify: Bool = true) {
            self.url = url
            self.signingKey = signingKey
            self.connections = connections
            self.timeout = timeout
            self.tlsVerify = tlsVerify
        }
    }

    public let name: String
    public var kind: ChannelKind { .webhook }
    public var parts: Set<PartKind> { [.email, .emailHTML, .sms, .webhook] }
    let configuration: Configuration
    let client: HTTPClient

    public init(name: String, configuration: Configuration) {
        self.name = name
        self.configuration = configuration
        self.client = HTTPClientFactory.make(connections: configuration.connections, timeout: configuration.timeout, tlsVerify: configuration.tlsVerify)
    }

    public func deliver(_ delivery: Delivery) async throws {
        guard let url = delivery.recipient.contacts.webhook ?? configuration.url?.absoluteString else {
            throw DeliveryError(reason: .noContact, isRetryable: false, detail: "recipient \(delivery.recipient.id) has no webhook URL and the channel has no url")
        }
        let body = WebhookPayload.body(for: delivery)
        let timestamp = Int(delivery.attemptedAt.timeIntervalSince1970)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "Herald")
        request.headers.add(name: "webhook-id", value: delivery.messageID)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(
            name: "webhook-signature",
            value: WebhookSignature.sign(id: delivery.messageID, timestamp: timestamp, body: body, key: configuration.signingKey)
        )
        request.body = .bytes(ByteBuffer(bytes: body))

        try await HTTPOutcome.send(request, with: client, timeout: configuration.timeout)
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }
}
