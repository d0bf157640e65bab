import Foundation

/// Everything `Config/herald.yaml` says, validated. Load it with `HeraldConfiguration.load(file:environment:)`.
public struct HeraldConfiguration: Sendable {
    /// Where the queue lives.
    public var storage: StorageLocation
    /// The templates folder (relative paths are relative to the current directory).
    public var templatesPath: String
    public var http: HTTPSettings
    /// Channels in the order the file declares them.
    public var channels: [ChannelSettings]
    /// Named routes; `default` is used when a caller names none.
    public var routes: [String: [String]]
    public var retry: RetrySettings
    public var circuit: CircuitSettings
    public var delivery: DeliverySettings
    public var digests: [DigestSettings]
    /// `canaries:` — Herald's own test notices, one per channel at most (`CanarySettings`).
    public var canaries: [CanarySettings] = []
    /// Which destinations caller-supplied webhook URLs may point at.
    public var egress: EgressPolicy
    /// `timezone:` — where times in notices are shown (`incident.updated_at_text`); UTC by default.
    /// A digest's own `timezone:` wins for its notices.
    public var timeZone: TimeZone = .gmt
    /// `tracing:` — where spans go; `nil` records none.
    public var tracing: TracingSettings?
    /// `unsubscribe: { secret: … }`: one-click unsubscribe links, when `http.public_url` is set too.
    public var unsubscribe: UnsubscribeSettings?
    /// `status_page: { title, services, export_dir, segment }`: the public status page `herald serve` answers without a token.
    public var statusPage: StatusPageSettings?

    public init(
        storage: StorageLocation,
        templatesPath: String = "Templates",
        http: HTTPSettings = .init(),
        channels: [ChannelSettings],
        routes: [String: [String]] = [:],
        retry: RetrySettings = .init(),
        circuit: CircuitSettings = .init(),
        delivery: DeliverySettings = .init(),
        digests: [DigestSettings] = [],
        egress: EgressPolicy = .init()
    ) {
        self.storage = storage
        self.templatesPath = templatesPath
        self.http = http
        self.channels = channels
        self.routes = routes
        self.retry = retry
        self.circuit = circuit
        self.delivery = delivery
        self.digests = digests
        self.egress = egress
    }

    /// The channel with this name.
    public func channel(named name: String) -> ChannelSettings? { channels.first { $0.name == name } }

    /// The route used when a caller gives none: `routes.default`, else every channel in file order.
    public var defaultRoute: [String] { routes["default"] ?? channels.map(\.name) }

    /// The route of a status page subscription's confirmation e-mail: the smtp channels, then the
    /// outboxes (which stand in for mail where there is no relay), in file order.
    public var subscriptionRoute: [String] {
        channels.filter { $0.kind == .smtp }.map(\.name) + channels.filter { $0.kind == .outbox }.map(\.name)
    }

    /// Where the status page's subscription form posts: `PUBLIC_URL/status/subscribe`, absolute so the
    /// exported page's form reaches `herald serve` too; `nil` when `status_page.segment` is not set.
    public var subscribeURL: String? {
        guard statusPage?.segment != nil, unsubscribe != nil, let base = http.publicURL else { return nil }
        return base + "/status/subscribe"
    }

    /// Resolves what a caller passed as `--route`: a route name (`critical`) or channel names (`sms,email`).
    public func resolveRoute(_ names: [String]?) throws(RouteError) -> [String] {
        guard let names, !names.isEmpty else { return defaultRoute }
        if names.count == 1, let named = routes[names[0]] { return named }
        for name in names where channel(named: name) == nil {
            throw RouteError(channel: name, known: channels.map(\.name) + routes.keys.sorted())
        }
        return names
    }
}

/// A route names a channel that is not configured.
public struct RouteError: Error, Sendable, CustomStringConvertible {
    public var channel: String
    public var known: [String]
    public var description: String { "unknown channel or route '\(channel)' (configured: \(known.joined(separator: ", ")))" }
}

/// The storage backend and its address.
public enum StorageLocation: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite file (created when missing).
    case sqlite(path: String)
    /// A PostgreSQL URL; the password is never printed.
    case postgres(url: Secret)

    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres: "postgres://<redacted>"
        }
    }
}

/// `http:` — the API listener and its bearer tokens.
public struct HTTPSettings: Sendable {
    public var listen: String
    public var tokens: [APIToken]
    /// Connections beyond this many are closed as soon as they are accepted.
    public var maxConnections: Int
    /// Where people and receivers reach this server from outside (`https://status.example.com`): the
    /// base of one-click unsubscribe links and of the URL Twilio signs inbound requests with.
    public var publicURL: String?

    public init(listen: String = "127.0.0.1:8080", tokens: [APIToken] = [], maxConnections: Int = 1024) {
        self.listen = listen
        self.tokens = tokens
        self.maxConnections = maxConnections
    }

    /// The shortest token accepted.
    public static let minimumTokenLength = 24

    /// Why serving on `listen` with these tokens would be unsafe, naming the token; `nil` when it is
    /// safe. A token that reads as a placeholder (`change-me…`, `example`, `placeholder`, `secret`,
    /// `token`) is allowed only on a loopback address, where only this machine can use it.
    public func exposureProblem(listen: String) -> String? {
        let host = listen.lastIndex(of: ":").map { String(listen[..<$0]) } ?? listen
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        let isLoopback = bare == "localhost" || IPAddress(bare).map { address in
            EgressPolicy.restrictedRanges.contains { $0.kind == "loopback" && $0.range.contains(address) }
        } == true
        guard !isLoopback else { return nil }
        for token in tokens where APIToken.looksLikePlaceholder(token.token.value) {
            return "token '\(token.name)' is a placeholder and \(listen) is not a loopback address: set a real token (e.g. HERALD_OPS_TOKEN=$(openssl rand -hex 24))"
        }
        return nil
    }
}

/// One bearer token and what it may do.
public struct APIToken: Sendable {
    public var name: String
    public var token: Secret
    public var scopes: Set<Scope>

    public enum Scope: String, Sendable, CaseIterable { case send, read, admin }

    public init(name: String, token: Secret, scopes: Set<Scope>) {
        self.name = name
        self.token = token
        self.scopes = scopes
    }

    /// Whether a token value reads like the example of a config file rather than a secret.
    public static func looksLikePlaceholder(_ value: String) -> Bool {
        let lower = value.lowercased()
        return ["change-me", "changeme", "example", "placeholder", "replace-me", "your-token"].contains { lower.contains($0) }
            || Set(lower).count <= 2
    }
}

/// `retry:` — when to try again, fail over, and give up.
public struct RetrySettings: Sendable, Hashable {
    /// Delays between attempts on one channel; the last step repeats. Jitter is added on top.
    public var backoff: [Duration]
    /// Undelivered messages expire this long after they were accepted (unless the caller set `expires_in`).
    public var expireAfter: Duration
    /// A message that has not been delivered on its current channel for this long moves to the next one.
    public var failoverAfter: Duration

    public init(
        backoff: [Duration] = [.seconds(5), .seconds(15), .seconds(60), .seconds(300), .seconds(900), .seconds(1800), .seconds(3600)],
        expireAfter: Duration = .seconds(86_400),
        failoverAfter: Duration = .seconds(300)
    ) {
        self.backoff = backoff
        self.expireAfter = expireAfter
        self.failoverAfter = failoverAfter
    }
}

/// `circuit:` — when a channel's breaker opens and how long it stays open.
public struct CircuitSettings: Sendable, Hashable {
    public var openAfter: Int
    public var cooldown: Duration
    /// How long a recovered channel with a `rate` takes to ramp from 10 % of its rate to all of it.
    public var ramp: Duration

    public init(openAfter: Int = 5, cooldown: Duration = .seconds(15), ramp: Duration = .seconds(60)) {
        self.openAfter = openAfter
        self.cooldown = cooldown
        self.ramp = ramp
    }
}

/// `delivery:` — how each worker process claims and paces work.
public struct DeliverySettings: Sendable, Hashable {
    /// How long a claimed message stays ours; a worker that dies loses its messages to others after this.
    public var lease: Duration
    /// Messages in flight at once per worker process (each channel is further bounded by its `connections`).
    public var concurrency: Int
    /// How long an idle worker waits before looking for due messages again.
    public var poll: Duration

    public init(lease: Duration = .seconds(60), concurrency: Int = 256, poll: Duration = .milliseconds(200)) {
        self.lease = lease
        self.concurrency = concurrency
        self.poll = poll
    }
}

/// One entry of `digests:`.
public struct DigestSettings: Sendable, Hashable {
    public var name: String
    public var schedule: String
    public var template: String
    public var segment: String?
    public var condition: Condition
    public var timezone: String?
    /// The schedule, parsed once; `nil` when it does not parse (configuration loading refuses that).
    public let cron: CronSchedule?

    public enum Condition: String, Sendable, CaseIterable {
        case incidentOpen = "incident-open"
        case always
    }

    public init(name: String, schedule: String, template: String, segment: String?, condition: Condition, timezone: String?) {
        self.name = name
        self.schedule = schedule
        self.template = template
        self.segment = segment
        self.condition = condition
        self.timezone = timezone
        self.cron = try? CronSchedule(schedule, timeZone: timezone)
    }
}

/// `tracing:` — OpenTelemetry spans of accepts and deliveries, exported over OTLP/HTTP.
public struct TracingSettings: Sendable, Hashable {
    /// The collector's OTLP/HTTP endpoint, e.g. `http://127.0.0.1:4318`; spans are posted to
    /// `/v1/traces` under it unless the URL names that path itself.
    public var otlpEndpoint: URL
    /// `service.name` of the exported spans.
    public var serviceName: String

    public init(otlpEndpoint: URL, serviceName: String = "herald") {
        self.otlpEndpoint = otlpEndpoint
        self.serviceName = serviceName
    }

    /// The URL spans are posted to.
    public var tracesURL: String {
        let text = otlpEndpoint.absoluteString
        if otlpEndpoint.path.hasSuffix("/v1/traces") { return text }
        return (text.hasSuffix("/") ? String(text.dropLast()) : text) + "/v1/traces"
    }
}

/// `unsubscribe:`: the key that signs one-click unsubscribe tokens.
public struct UnsubscribeSettings: Sendable {
    /// The key, prepared from `secret` once.
    public let key: UnsubscribeKey

    public init(secret: Secret) {
        self.key = UnsubscribeKey(secret: secret)
    }
}

/// Makes one-click unsubscribe links: `PUBLIC_URL/u/TOKEN`.
public struct UnsubscribeLinks: Sendable {
    /// `http.public_url`, without a trailing `/`.
    public var base: String
    public var key: UnsubscribeKey

    public init(base: String, key: UnsubscribeKey) {
        self.base = base
        self.key = key
    }

    /// The link that unsubscribes `contact` (from notices of `category` and every other but `essential`).
    public func url(for contact: ContactPoint, category: String) -> String {
        "\(base)/u/\(UnsubscribeToken(contact: contact, category: category).signed(with: key))"
    }
}

extension HeraldConfiguration {
    /// Links for one-click unsubscribe; `nil` unless both `http.public_url` and `unsubscribe.secret` are set.
    public var unsubscribeLinks: UnsubscribeLinks? {
        guard let base = http.publicURL, let unsubscribe else { return nil }
        return UnsubscribeLinks(base: base, key: unsubscribe.key)
    }
}
