import Foundation
import HeraldCore
import NIOCore
import NIOHTTP1

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
    let pool: KeepAlivePool
    let destinations: DestinationGuard
    let signature: WebhookSignature

    public init(name: String, configuration: Configuration) {
        self.name = name
        self.configuration = configuration
        self.pool = KeepAlivePool(limit: configuration.connections, tlsVerify: configuration.tlsVerify)
        self.destinations = DestinationGuard(policy: configuration.egress)
        self.signature = WebhookSignature(key: configuration.signingKey)
    }

    public func deliver(_ delivery: Delivery) async throws {
        let target = try await destination(for: delivery)
        let body = WebhookPayload.body(for: delivery)
        let timestamp = Int(delivery.attemptedAt.timeIntervalSince1970)
        var headers = HTTPHeaders()
        headers.reserveCapacity(6 + delivery.traceHeaders.count)
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "user-agent", value: "Herald")
        headers.add(name: "webhook-id", value: delivery.messageID)
        headers.add(name: "webhook-timestamp", value: String(timestamp))
        for (name, value) in delivery.traceHeaders { headers.add(name: name, value: value) }
        headers.add(name: "webhook-signature", value: signature.sign(id: delivery.messageID, timestamp: timestamp, body: body))
        let post = HTTPPost(to: target.destination, pinnedTo: target.pinned, headers: headers, body: ByteBuffer(bytes: body))
        // A 410 from the recipient's own URL says that URL is gone; from the channel's URL it says nothing about the recipient.
        let learnsGone = target.callerSupplied
        try await HTTPOutcome.send(
            post, with: pool, timeout: configuration.timeout, target: target.destination.authority, keepsBody: !target.callerSupplied,
            learn: { status, _ in learnsGone && status == 410 ? .gone : nil }
        )
    }

    /// Where this delivery goes: the recipient's URL (checked again against the egress policy, and for
    /// plain `http` pinned to the address that passed, so the connection goes exactly where the check
    /// looked), else the channel's own.
    /// - Throws: a permanent `DeliveryError` for a URL that cannot or may not be used, whatever the store held.
    private func destination(for delivery: Delivery) async throws(DeliveryError) -> (destination: HTTPDestination, pinned: IPAddress?, callerSupplied: Bool) {
        let callerSupplied = delivery.recipient.contacts.webhook != nil
        guard let text = delivery.recipient.contacts.webhook ?? configuration.url?.absoluteString else {
            throw DeliveryError(reason: .noContact, isRetryable: false, detail: "recipient \(delivery.recipient.id) has no webhook URL and the channel has no url")
        }
        let destination: HTTPDestination
        do { destination = try HTTPDestination.memoized(text) } catch {
            throw DeliveryError(reason: .noContact, isRetryable: false, detail: "the webhook URL cannot be used: \(error.description)")
        }
        guard callerSupplied else { return (destination, nil, false) }
        return (destination, try await destinations.check(destination), true)
    }

    public func shutdown() async throws {
        await pool.shutdown()
    }
}
