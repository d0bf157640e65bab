import Foundation

/// One entry of `channels:`: a named transport and its settings.
public struct ChannelSettings: Sendable {
    public var name: String
    public var transport: Transport
    /// Most deliveries in flight at once on this channel.
    public var connections: Int
    /// Most deliveries per time unit, when set.
    public var rate: Rate?
    /// How long one delivery may take before it counts as a transient failure.
    public var timeout: Duration
    /// Services the channel itself runs on (`depends_on:`): while an open incident marks one of them
    /// `outage` or `degraded`, routes pass the channel over (`SharedFate`).
    public var dependsOn: [String]

    public var kind: ChannelKind {
        switch transport {
        case .smtp: .smtp
        case .webhook: .webhook
        case .sms: .sms
        case .outbox: .outbox
        }
    }

    /// Whether this channel can reach the recipient: it has the contact point the kind needs
    /// (a webhook channel with its own `url` reaches everyone; the outbox reaches everyone).
    public func canReach(_ recipient: Recipient) -> Bool {
        if case .webhook(let webhook) = transport, webhook.url != nil { return true }
        guard let contact = kind.contact else { return true }
        return !(recipient.contacts[contact] ?? "").isEmpty
    }

    /// The recipient's own contact point this channel delivers to, in the form suppressions are kept
    /// in; `nil` when it delivers elsewhere (the outbox, a webhook channel's own `url`).
    public func contactPoint(for recipient: Recipient) -> ContactPoint? {
        switch transport {
        case .smtp: recipient.contacts.email.map(ContactPoint.email)
        case .sms(let sms): recipient.contacts.phone.map { .phone($0, defaultRegion: sms.defaultRegion) }
        case .webhook: recipient.contacts.webhook.map { ContactPoint(kind: .webhook, normalized: $0) }
        case .outbox: nil
        }
    }

    /// Where a delivery to `recipient` goes, as logs name it: `host:port` of the webhook (the
    /// recipient's own URL, else the channel's), the SMS gateway or the SMTP server; the outbox folder.
    public func destination(for recipient: Recipient) -> String {
        func authority(_ url: String?) -> String { url.flatMap { try? HTTPDestination.memoized($0).authority } ?? "-" }
        switch transport {
        case .webhook(let webhook): return authority(recipient.contacts.webhook ?? webhook.url?.absoluteString)
        case .sms(let sms): return authority(sms.url.absoluteString)
        case .smtp(let smtp): return "\(smtp.host):\(smtp.port)"
        case .outbox(let outbox): return outbox.path
        }
    }

    public init(
        name: String, transport: Transport, connections: Int = 8, rate: Rate? = nil, timeout: Duration = .seconds(10), dependsOn: [String] = []
    ) {
        self.name = name
        self.transport = transport
        self.connections = connections
        self.rate = rate
        self.timeout = timeout
        self.dependsOn = dependsOn
    }

    /// The kind-specific part of a channel's settings.
    public enum Transport: Sendable {
        case smtp(SMTPSettings)
        case webhook(WebhookSettings)
        case sms(SMSSettings)
        case outbox(OutboxSettings)
    }
}

/// `kind: webhook` settings.
public struct WebhookSettings: Sendable {
    /// Where to post when the recipient has no `webhook` contact of their own.
    public var url: URL?
    /// `whsec_<base64 key>`; its decoded key signs every request.
    public var secret: Secret
    public var tlsVerify: Bool

    public init(url: URL?, secret: Secret, tlsVerify: Bool = true) {
        self.url = url
        self.secret = secret
        self.tlsVerify = tlsVerify
    }

    /// The HMAC key inside a `whsec_` secret, or `nil` when the secret is not of that form.
    public static func signingKey(from secret: String) -> [UInt8]? {
        guard secret.hasPrefix("whsec_"), let data = Data(base64Encoded: String(secret.dropFirst(6))), !data.isEmpty else { return nil }
        return Array(data)
    }
}

/// `kind: outbox` settings.
public struct OutboxSettings: Sendable {
    /// The folder that receives one file per rendered message.
    public var path: String

    public init(path: String) { self.path = path }
}

/// `kind: smtp` settings.
public struct SMTPSettings: Sendable {
    public enum Security: String, Sendable, CaseIterable { case starttls, tls, none }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: Secret?
    public var from: String
    public var unsubscribeURL: String?
    public var allowInsecureAuth: Bool
    public var tlsVerify: Bool

    public init(
        host: String, port: Int, security: Security, username: String? = nil, password: Secret? = nil, from: String,
        unsubscribeURL: String? = nil, allowInsecureAuth: Bool = false, tlsVerify: Bool = true
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.from = from
        self.unsubscribeURL = unsubscribeURL
        self.allowInsecureAuth = allowInsecureAuth
        self.tlsVerify = tlsVerify
    }
}

/// `kind: sms` settings.
public struct SMSSettings: Sendable {
    public enum Format: String, Sendable, CaseIterable { case json, twilio }

    public var url: URL
    public var format: Format
    public var token: Secret?
    public var account: String?
    public var sender: String
    public var defaultRegion: String?
    public var maxSegments: Int
    /// `max_segments` when the channel does not say.
    public static let defaultMaxSegments = 2
    public var tlsVerify: Bool

    public init(
        url: URL, format: Format, token: Secret?, account: String?, sender: String, defaultRegion: String?, maxSegments: Int, tlsVerify: Bool = true
    ) {
        self.url = url
        self.format = format
        self.token = token
        self.account = account
        self.sender = sender
        self.defaultRegion = defaultRegion
        self.maxSegments = maxSegments
        self.tlsVerify = tlsVerify
    }
}
