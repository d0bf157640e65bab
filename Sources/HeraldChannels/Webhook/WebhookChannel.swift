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
        /// Where recipients' own webhook URLs may point (the channel's `url` is the operator's, and trusted).
        public var egress: EgressPolicy

        public init(
            url: URL? = nil, signingKey: [UInt8] = [], connections: Int = 8, timeout: Duration = .seconds(10), tlsVerify: Bool = true,
            egress: EgressPolicy = .init()
        ) {
            self.url = url
            self.signingKey = signingKey
            self.connections = connections
            self.timeout = timeout
            self.tlsVerify = tlsVerify
            self.egress = egress
        }
    }

    public let name: String
    public var kind: ChannelKind { .webhook }
    let configuration: Configuration
    let client: HTTPClient
    let destinations: DestinationGuard
    let signature: WebhookSignature

    public init(name: String, configuration: Configuration) {
        self.name = name
        self.configuration = configuration
        self.client = HTTPClientFactory.make(connections: configuration.connections, timeout: configuration.timeout, tlsVerify: configuration.tlsVerify)
        self.destinations = DestinationGuard(policy: configuration.egress)
        self.signature = WebhookSignature(key: configuration.signingKey)
    }

    public func deliver(_ delivery: Delivery) async throws {
        let target = try await destination(for: delivery)
        let body = WebhookPayload.body(for: delivery)
        let timestamp = Int(delivery.attemptedAt.timeIntervalSince1970)
        var request = HTTPClientRequest(url: target.url)
        if let host = target.hostHeader { request.headers.add(name: "host", value: host) }
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "Herald")
        request.headers.add(name: "webhook-id", value: delivery.messageID)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        for (name, value) in delivery.traceHeaders { request.headers.add(name: name, value: value) }
        request.headers.add(name: "webhook-signature", value: signature.sign(id: delivery.messageID, timestamp: timestamp, body: body))
        request.body = .bytes(ByteBuffer(bytes: body))

        try await HTTPOutcome.send(
            request, with: client, timeout: configuration.timeout, target: target.authority, keepsBody: !target.callerSupplied
        )
    }

    /// Where this delivery goes: the recipient's URL (checked again against the egress policy, and for
    /// plain `http` pinned to the address that passed), else the channel's own.
    /// - Throws: a permanent `DeliveryError` for a URL that cannot or may not be used, whatever the store held.
    private func destination(for delivery: Delivery) async throws(DeliveryError) -> WebhookTarget {
        let callerSupplied = delivery.recipient.contacts.webhook != nil
        guard let text = delivery.recipient.contacts.webhook ?? configuration.url?.absoluteString else {
            throw DeliveryError(reason: .noContact, isRetryable: false, detail: "recipient \(delivery.recipient.id) has no webhook URL and the channel has no url")
        }
        let destination: HTTPDestination
        do { destination = try HTTPDestination.memoized(text) } catch {
            throw DeliveryError(reason: .noContact, isRetryable: false, detail: "the webhook URL cannot be used: \(error.description)")
        }
        guard callerSupplied, let pinned = try await destinations.check(destination) else {
            return WebhookTarget(url: text, hostHeader: nil, authority: destination.authority, callerSupplied: callerSupplied)
        }
        return WebhookTarget(pinning: destination, to: pinned)
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }
}

/// The URL a webhook request is sent to, and what the `Host` header says when the URL was pinned to an address.
struct WebhookTarget {
    var url: String
    var hostHeader: String?
    /// `host:port` as the caller wrote it, for errors and per-destination breakers.
    var authority: String
    var callerSupplied: Bool

    init(url: String, hostHeader: String?, authority: String, callerSupplied: Bool) {
        self.url = url
        self.hostHeader = hostHeader
        self.authority = authority
        self.callerSupplied = callerSupplied
    }

    /// `http://host:port/path?query` sent to `http://address:port/path?query` with `Host: host:port`.
    init(pinning destination: HTTPDestination, to address: IPAddress) {
        let path = destination.url.path(percentEncoded: true)
        let query = destination.url.query(percentEncoded: true).map { "?\($0)" } ?? ""
        let literal = address.isIPv4 ? address.description : "[\(address)]"
        let portSuffix = destination.port == 80 ? "" : ":\(destination.port)"
        self.url = "http://\(literal)\(portSuffix)\(path.isEmpty ? "/" : path)\(query)"
        self.hostHeader = (destination.host.contains(":") ? "[\(destination.host)]" : destination.host) + portSuffix
        self.authority = destination.authority
        self.callerSupplied = true
    }
}
