import Foundation
import Yams

extension HeraldConfiguration {
    /// Reads and validates a config file.
    ///
    /// ```swift
    /// let config = try HeraldConfiguration.load(file: "Config/herald.yaml")
    /// ```
    /// - Throws: `ConfigurationError` naming the file, line and key path of the first problem, with
    ///   every other problem found in `others`.
    public static func load(file: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> HeraldConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigurationError(file: file, keyPath: "", reason: "cannot read the file (\(error.localizedDescription))")
        }
        return try parse(yaml: text, file: file, environment: environment)
    }

    /// Validates config text; `file` is only used to name the source in errors.
    public static func parse(yaml: String, file: String, environment: [String: String]) throws(ConfigurationError) -> HeraldConfiguration {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigurationError(file: file, keyPath: "", reason: "not valid YAML: \(error)")
        } catch {
            throw ConfigurationError(file: file, keyPath: "", reason: "not valid YAML: \(error)")
        }
        guard let node else { throw ConfigurationError(file: file, keyPath: "", reason: "the file is empty") }
        let root = ConfigNode(node: node, path: "", file: file, environment: environment)
        return try ConfigurationReader.read(root)
    }
}

/// Turns the YAML tree into a `HeraldConfiguration`, one section at a time.
enum ConfigurationReader {
    static func read(_ root: ConfigNode) throws(ConfigurationError) -> HeraldConfiguration {
        let keys: Set<String> = [
            "storage", "templates", "http", "channels", "routes", "retry", "circuit", "delivery", "digests", "egress", "timezone", "tracing", "unsubscribe", "status_page",
            "canaries",
        ]
        var config = HeraldConfiguration(storage: .sqlite(path: "herald.sqlite"), channels: [])
        var channelsNode: ConfigNode?
        var routesNode: ConfigNode?
        var unsubscribeNode: ConfigNode?
        var statusPageNode: ConfigNode?
        var canariesNode: ConfigNode?
        var problems = ConfigurationProblems()
        for (key, value) in try root.mapping(allowed: keys) {
            switch key {
            case "storage": problems.check { () throws(ConfigurationError) in config.storage = try storage(value) }
            case "templates": problems.check { () throws(ConfigurationError) in config.templatesPath = try value.nonEmptyString() }
            case "http": problems.check { () throws(ConfigurationError) in config.http = try http(value) }
            case "channels": channelsNode = value
            case "routes": routesNode = value
            case "canaries": canariesNode = value
            case "retry": problems.check { () throws(ConfigurationError) in config.retry = try retry(value) }
            case "circuit": problems.check { () throws(ConfigurationError) in config.circuit = try circuit(value) }
            case "delivery": problems.check { () throws(ConfigurationError) in config.delivery = try delivery(value) }
            case "digests": problems.check { () throws(ConfigurationError) in config.digests = try digests(value) }
            case "egress": problems.check { () throws(ConfigurationError) in config.egress = try egress(value) }
            case "tracing": problems.check { () throws(ConfigurationError) in config.tracing = try tracing(value) }
            case "status_page":
                statusPageNode = value
                problems.check { () throws(ConfigurationError) in config.statusPage = try statusPage(value) }
            case "unsubscribe":
                unsubscribeNode = value
                problems.check { () throws(ConfigurationError) in config.unsubscribe = try unsubscribe(value) }
            case "timezone":
                problems.check { () throws(ConfigurationError) in
                    let name = try value.nonEmptyString()
                    guard let zone = TimeZone(identifier: name) else { throw value.error("unknown time zone '\(name)' (expected an IANA name such as Asia/Seoul)") }
                    config.timeZone = zone
                }
            default: break
            }
        }
        if let channelsNode {
            // Routes name channels, so they are checked only against channels that all read well.
            let channelsRead = problems.check { () throws(ConfigurationError) in try channels(channelsNode) }
            if let channelsRead {
                config.channels = channelsRead
                if let routesNode { problems.check { () throws(ConfigurationError) in config.routes = try routes(routesNode, channels: channelsRead) } }
                if let canariesNode { problems.check { () throws(ConfigurationError) in config.canaries = try canaries(canariesNode, channels: channelsRead) } }
            }
        } else {
            problems.check { () throws(ConfigurationError) in throw root.error("channels: at least one channel is required") }
        }
        if config.unsubscribe != nil, config.http.publicURL == nil, let node = unsubscribeNode {
            problems.check { () throws(ConfigurationError) in throw node.error("needs http.public_url, the address unsubscribe links point to") }
        }
        if config.statusPage?.segment != nil, let node = statusPageNode?.member("segment") {
            if config.unsubscribe == nil {
                problems.check { () throws(ConfigurationError) in
                    throw node.error("subscriptions need unsubscribe: { secret } and http.public_url: confirmation links are signed with it, and every notice to subscribers carries an unsubscribe link")
                }
            }
            if channelsNode != nil, !config.channels.isEmpty, config.subscriptionRoute.isEmpty {
                problems.check { () throws(ConfigurationError) in throw node.error("subscriptions need an smtp (or outbox) channel to send the confirmation e-mail through") }
            }
        }
        try problems.finish()
        return config
    }

    /// `canaries: [{ channel, to, every }]`: at most one per channel; `to` in the form the channel's kind
    /// needs (optional for an outbox, or a webhook channel with its own `url`); `every` 10 s or more (default 5m).
    static func canaries(_ node: ConfigNode, channels: [ChannelSettings]) throws(ConfigurationError) -> [CanarySettings] {
        var canaries: [CanarySettings] = []
        for item in try node.sequence() {
            var channelNode: ConfigNode?
            var canary = CanarySettings(channel: "", to: "")
            var toNode: ConfigNode?
            for (key, value) in try item.mapping(allowed: ["channel", "to", "every"]) {
                switch key {
                case "channel": (canary.channel, channelNode) = (try value.nonEmptyString(), value)
                case "to": (canary.to, toNode) = (try value.nonEmptyString(), value)
                default:
                    canary.every = try value.duration()
                    guard canary.every >= CanarySettings.shortestPeriod else { throw value.error("a canary's period must be 10s or more") }
                }
            }
            guard let channelNode else { throw item.error("a canary needs channel, the channel it proves") }
            guard let channel = channels.first(where: { $0.name == canary.channel }) else {
                throw channelNode.error("unknown channel '\(canary.channel)' (configured: \(channels.map(\.name).joined(separator: ", ")))")
            }
            guard !canaries.contains(where: { $0.channel == canary.channel }) else { throw channelNode.error("channel '\(canary.channel)' already has a canary") }
            if let problem = canaryContactProblem(canary.to, channel: channel) { throw (toNode ?? item).error(problem) }
            canaries.append(canary)
        }
        return canaries
    }

    /// Why `to` cannot be a canary's contact point on `channel`; `nil` when it can.
    private static func canaryContactProblem(_ to: String, channel: ChannelSettings) -> String? {
        switch channel.transport {
        case .outbox: return nil
        case .webhook(let webhook):
            if to.isEmpty { return webhook.url == nil ? "a canary on webhook channel '\(channel.name)' (which has no url) needs to: a URL" : nil }
            return ContactValidator.webhookProblem(to)
        case .smtp:
            return to.isEmpty ? "a canary on smtp channel '\(channel.name)' needs to: an e-mail address" : ContactValidator.emailProblem(to)
        case .sms(let sms):
            if to.isEmpty { return "a canary on sms channel '\(channel.name)' needs to: a phone number" }
            do { _ = try PhoneNumber.normalize(to, defaultRegion: sms.defaultRegion) } catch { return "\(error)" }
            return nil
        }
    }

    /// `status_page: { title, services: [names in display order], export_dir, segment }`.
    static func statusPage(_ node: ConfigNode) throws(ConfigurationError) -> StatusPageSettings {
        var title: String?
        var services: [String] = []
        var exportDir: String?
        var segment: String?
        for (key, value) in try node.mapping(allowed: ["title", "services", "export_dir", "segment"]) {
            switch key {
            case "title": title = try value.nonEmptyString()
            case "export_dir": exportDir = try value.nonEmptyString()
            case "segment": segment = try value.nonEmptyString()
            default: services = try value.stringList()
            }
        }
        guard let title else { throw node.error("needs title, the page's heading") }
        return StatusPageSettings(title: title, services: services, exportDir: exportDir, segment: segment)
    }

    /// `unsubscribe: { secret }`: at least 24 characters, never a placeholder.
    static func unsubscribe(_ node: ConfigNode) throws(ConfigurationError) -> UnsubscribeSettings {
        var secret: String?
        for (_, value) in try node.mapping(allowed: ["secret"]) {
            let text = try value.nonEmptyString()
            guard text.count >= HTTPSettings.minimumTokenLength, !APIToken.looksLikePlaceholder(text) else {
                throw value.error("use a random secret of at least \(HTTPSettings.minimumTokenLength) characters (e.g. openssl rand -hex 24)")
            }
            secret = text
        }
        guard let secret else { throw node.error("needs secret, the key unsubscribe links are signed with") }
        return UnsubscribeSettings(secret: Secret(secret))
    }

    /// `http.public_url`: an absolute http(s) URL with no query or fragment; kept without a trailing `/`.
    static func publicURL(_ node: ConfigNode) throws(ConfigurationError) -> String {
        let text = try node.nonEmptyString()
        guard let url = URLComponents(string: text), ["http", "https"].contains(url.scheme ?? ""), !(url.host ?? "").isEmpty,
            url.query == nil, url.fragment == nil
        else { throw node.error("expected an http(s) URL such as https://status.example.com, with no query") }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    static func tracing(_ node: ConfigNode) throws(ConfigurationError) -> TracingSettings {
        var endpoint: URL?
        var serviceName = "herald"
        for (key, value) in try node.mapping(allowed: ["otlp_endpoint", "service_name"]) {
            switch key {
            case "otlp_endpoint": endpoint = try value.url()
            case "service_name": serviceName = try value.nonEmptyString()
            default: break
            }
        }
        guard let endpoint else { throw node.error("needs otlp_endpoint, e.g. http://127.0.0.1:4318") }
        return TracingSettings(otlpEndpoint: endpoint, serviceName: serviceName)
    }

    static func storage(_ node: ConfigNode) throws(ConfigurationError) -> StorageLocation {
        let text = try node.nonEmptyString()
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw node.error("sqlite: needs a file path, e.g. sqlite:herald.sqlite") }
            return .sqlite(path: path)
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") { return .postgres(url: Secret(text)) }
        throw node.error("expected sqlite:PATH or postgres://user:pass@host:5432/db")
    }

    static func http(_ node: ConfigNode) throws(ConfigurationError) -> HTTPSettings {
        var settings = HTTPSettings()
        for (key, value) in try node.mapping(allowed: ["listen", "tokens", "max_connections", "public_url"]) {
            switch key {
            case "public_url": settings.publicURL = try publicURL(value)
            case "listen":
                settings.listen = try value.nonEmptyString()
                let parts = settings.listen.split(separator: ":")
                guard parts.count == 2, let port = Int(parts[1]), (0...65535).contains(port) else { throw value.error("expected HOST:PORT") }
            case "max_connections":
                settings.maxConnections = try value.int(in: 1...1_000_000)
            default:
                settings.tokens = try tokens(value)
            }
        }
        if let problem = settings.exposureProblem(listen: settings.listen) { throw node.error(problem) }
        return settings
    }

    /// `http.tokens`: each with a name, a unique value of at least 24 characters, and scopes.
    static func tokens(_ node: ConfigNode) throws(ConfigurationError) -> [APIToken] {
        var tokens: [APIToken] = []
        for item in try node.sequence() {
            var name = "", token = "", scopes: Set<APIToken.Scope> = []
            var tokenNode = item
            for (field, fieldValue) in try item.mapping(allowed: ["name", "token", "scopes"]) {
                switch field {
                case "name": name = try fieldValue.nonEmptyString()
                case "token":
                    token = try fieldValue.nonEmptyString()
                    tokenNode = fieldValue
                default: for scope in try fieldValue.sequence() { scopes.insert(try scope.oneOf(APIToken.Scope.self)) }
                }
            }
            guard !name.isEmpty, !token.isEmpty else { throw item.error("a token needs a name and a token") }
            guard token.count >= HTTPSettings.minimumTokenLength else {
                throw tokenNode.error("token '\(name)' has \(token.count) characters; use at least \(HTTPSettings.minimumTokenLength) (e.g. openssl rand -hex 24)")
            }
            if let twin = tokens.first(where: { $0.token.value == token }) {
                throw tokenNode.error("token '\(name)' has the same value as token '\(twin.name)'; every token must be unique")
            }
            if tokens.contains(where: { $0.name == name }) { throw item.error("two tokens are named '\(name)'") }
            tokens.append(APIToken(name: name, token: Secret(token), scopes: scopes))
        }
        return tokens
    }

    /// `egress: { allow: [...], deny: [...] }`: address ranges or host names.
    static func egress(_ node: ConfigNode) throws(ConfigurationError) -> EgressPolicy {
        var policy = EgressPolicy()
        for (key, value) in try node.mapping(allowed: ["allow", "deny"]) {
            var rules: [EgressPolicy.Rule] = []
            for item in try value.sequence() {
                let text = try item.nonEmptyString()
                guard let rule = EgressPolicy.Rule(text) else {
                    throw item.error("expected an address, a range such as 10.0.0.0/8 or fd00::/8, or a host name, got '\(text)'")
                }
                rules.append(rule)
            }
            if key == "allow" { policy.allow = rules } else { policy.deny = rules }
        }
        return policy
    }

    static func routes(_ node: ConfigNode, channels: [ChannelSettings]) throws(ConfigurationError) -> [String: [String]] {
        var routes: [String: [String]] = [:]
        for (name, value) in try node.mapping(allowed: nil) {
            let items = try value.sequence()
            guard !items.isEmpty else { throw value.error("a route needs at least one channel") }
            var route: [String] = []
            for item in items {
                let channel = try item.nonEmptyString()
                guard channels.contains(where: { $0.name == channel }) else {
                    throw item.error("unknown channel '\(channel)' (configured: \(channels.map(\.name).joined(separator: ", ")))")
                }
                route.append(channel)
            }
            routes[name] = route
        }
        return routes
    }

    static func retry(_ node: ConfigNode) throws(ConfigurationError) -> RetrySettings {
        var settings = RetrySettings()
        for (key, value) in try node.mapping(allowed: ["backoff", "expire_after", "failover_after"]) {
            switch key {
            case "backoff":
                var steps: [Duration] = []
                for step in try value.sequence() { steps.append(try step.duration()) }
                guard !steps.isEmpty else { throw value.error("needs at least one step") }
                settings.backoff = steps
            case "expire_after": settings.expireAfter = try value.duration()
            default: settings.failoverAfter = try value.duration()
            }
        }
        return settings
    }

    static func circuit(_ node: ConfigNode) throws(ConfigurationError) -> CircuitSettings {
        var settings = CircuitSettings()
        for (key, value) in try node.mapping(allowed: ["open_after", "cooldown", "ramp"]) {
            switch key {
            case "open_after": settings.openAfter = try value.int(in: 1...10_000)
            case "cooldown": settings.cooldown = try value.duration()
            default: settings.ramp = try value.duration()
            }
        }
        return settings
    }

    static func delivery(_ node: ConfigNode) throws(ConfigurationError) -> DeliverySettings {
        var settings = DeliverySettings()
        for (key, value) in try node.mapping(allowed: ["lease", "concurrency", "poll"]) {
            switch key {
            case "lease": settings.lease = try value.duration()
            case "concurrency": settings.concurrency = try value.int(in: 1...100_000)
            default: settings.poll = try value.duration()
            }
        }
        guard settings.lease >= .seconds(1) else { throw node.error("lease: must be at least 1s") }
        return settings
    }

    static func digests(_ node: ConfigNode) throws(ConfigurationError) -> [DigestSettings] {
        var digests: [DigestSettings] = []
        for item in try node.sequence() {
            var name = "", schedule = "", template = "", segment: String?, timezone: String?
            var condition = DigestSettings.Condition.incidentOpen
            for (key, value) in try item.mapping(allowed: ["name", "schedule", "template", "segment", "while", "timezone"]) {
                switch key {
                case "name": name = try value.nonEmptyString()
                case "schedule":
                    schedule = try value.nonEmptyString()
                    do { _ = try CronSchedule(schedule) } catch { throw value.error("\(error) (expected a 5-field cron schedule such as \"0 * * * *\")") }
                case "template": template = try value.nonEmptyString()
                case "segment": segment = try value.nonEmptyString()
                case "timezone": timezone = try value.nonEmptyString()
                default: condition = try value.oneOf(DigestSettings.Condition.self)
                }
            }
            guard !name.isEmpty, !schedule.isEmpty, !template.isEmpty else { throw item.error("a digest needs name, schedule and template") }
            do { _ = try CronSchedule(schedule, timeZone: timezone) } catch { throw item.error("timezone: \(error.reason)") }
            digests.append(DigestSettings(name: name, schedule: schedule, template: template, segment: segment, condition: condition, timezone: timezone))
        }
        return digests
    }
}
