import Foundation

/// A transport that delivers one rendered message to one recipient.
///
/// Implementations throw `DeliveryError` and classify their own failures; any other error
/// is treated as `.unknown` and retried.
public protocol Channel: Sendable {
    /// The configured name (`email`, `partners`).
    var name: String { get }
    var kind: ChannelKind { get }
    /// How many messages one connection carries at once (an SMTP session pipelines several); with
    /// the channel's `connections` it bounds the deliveries in flight on the channel.
    var messagesPerConnection: Int { get }
    /// Delivers one message. Returns when the receiver accepted it.
    func deliver(_ delivery: Delivery) async throws
    /// Releases connections. Called once, at shutdown.
    func shutdown() async throws
}

extension Channel {
    public var messagesPerConnection: Int { 1 }
    public func shutdown() async throws {}
}

/// One message ready to go out on a channel.
public struct Delivery: Sendable {
    /// The stable message id receivers deduplicate on.
    public var messageID: String
    public var recipient: Recipient
    public var rendered: RenderedNotice
    /// The caller's variables (the webhook body carries them).
    public var vars: [String: TemplateValue]
    public var noticeID: String
    /// `nil` for a single send.
    public var broadcastID: String?
    public var incidentID: String?
    /// When the worker started this attempt.
    public var attemptedAt: Date
    /// The attempt's trace context as HTTP headers (`traceparent`, `tracestate`), for channels that
    /// pass it on to receivers; empty when tracing is off.
    public var traceHeaders: [String: String]
    /// The recipient's one-click unsubscribe link (`PUBLIC_URL/u/TOKEN`), when Herald serves them.
    public var unsubscribeURL: String?

    public init(
        messageID: String, recipient: Recipient, rendered: RenderedNotice, vars: [String: TemplateValue], noticeID: String,
        broadcastID: String?, incidentID: String?, attemptedAt: Date, traceHeaders: [String: String] = [:], unsubscribeURL: String? = nil
    ) {
        self.messageID = messageID
        self.recipient = recipient
        self.rendered = rendered
        self.vars = vars
        self.noticeID = noticeID
        self.broadcastID = broadcastID
        self.incidentID = incidentID
        self.attemptedAt = attemptedAt
        self.traceHeaders = traceHeaders
        self.unsubscribeURL = unsubscribeURL
    }
}
