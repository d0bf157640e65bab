import Foundation

extension ConfigurationReader {
    static func channels(_ node: ConfigNode) throws(ConfigurationError) -> [ChannelSettings] {
        var channels: [ChannelSettings] = []
        var problems = ConfigurationProblems()
        let members = try node.mapping(allowed: nil)
        for (name, value) in members {
            if let channel = problems.check({ () throws(ConfigurationError) in try channel(named: name, value) }) { channels.append(channel) }
        }
        try problems.finish()
        guard !members.isEmpty else { throw node.error("at least one channel is required") }
        return channels
    }

    /// Keys every kind accepts.
    private static let commonKeys: Set<String> = ["kind", "connections", "rate", "timeout", "depends_on"]
    private static let kindKeys: [ChannelKind: Set<String>] = [
        .webhook: ["url", "secret", "tls_verify"],
        .outbox: ["path"],
        .smtp: ["host", "port", "security", "username", "password", "from", "unsubscribe_url", "allow_insecure_auth", "tls_verify"],
        .sms: ["url", "format", "token", "account", "sender", "default_region", "max_segments", "tls_verify"],
    ]

    static func channel(named name: String, _ node: ConfigNode) throws(ConfigurationError) -> ChannelSettings {
        let members = try node.mapping(allowed: nil)
        guard let kindNode = members.first(where: { $0.key == "kind" })?.value else {
            throw node.error("needs a kind (\(ChannelKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let kind = try kindNode.oneOf(ChannelKind.self)
        let allowed = commonKeys.union(kindKeys[kind, default: []])
        var fields: [String: ConfigNode] = [:]
        for (key, value) in members {
            guard allowed.contains(key) else {
                throw value.error("unknown key for a \(kind.rawValue) channel (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
            fields[key] = value
        }
        func required(_ key: String) throws(ConfigurationError) -> ConfigNode {
            guard let value = fields[key] else { throw node.error("a \(kind.rawValue) channel needs '\(key)'") }
            return value
        }

        let transport: ChannelSettings.Transport
        switch kind {
        case .outbox:
            transport = .outbox(OutboxSettings(path: try required("path").nonEmptyString()))
        case .webhook:
            let secretNode = try required("secret")
            let secret = try secretNode.nonEmptyString()
            guard WebhookSettings.signingKey(from: secret) != nil else {
                throw secretNode.error("expected whsec_ followed by a base64 key (the Standard Webhooks secret format)")
            }
            transport = .webhook(
                WebhookSettings(url: try fields["url"]?.url(), secret: Secret(secret), tlsVerify: try fields["tls_verify"]?.bool() ?? true)
            )
        case .smtp:
            let securityValue = try fields["security"]?.oneOf(SMTPSettings.Security.self) ?? .starttls
            transport = .smtp(
                SMTPSettings(
                    host: try required("host").nonEmptyString(),
                    port: try fields["port"]?.int(in: 1...65535) ?? (securityValue == .tls ? 465 : 587),
                    security: securityValue,
                    username: try fields["username"]?.nonEmptyString(),
                    password: try fields["password"].map { value throws(ConfigurationError) in Secret(try value.nonEmptyString()) },
                    from: try senderAddress(required("from")),
                    unsubscribeURL: try fields["unsubscribe_url"]?.nonEmptyString(),
                    allowInsecureAuth: try fields["allow_insecure_auth"]?.bool() ?? false,
                    tlsVerify: try fields["tls_verify"]?.bool() ?? true
                )
            )
        case .sms:
            let format = try fields["format"]?.oneOf(SMSSettings.Format.self) ?? .json
            let token = try fields["token"].map { value throws(ConfigurationError) in Secret(try value.nonEmptyString()) }
            let account = try fields["account"]?.nonEmptyString()
            if format == .twilio {
                guard account != nil else { throw node.error("a twilio-format sms channel needs 'account' (the Account SID)") }
                guard token != nil else { throw node.error("a twilio-format sms channel needs 'token' (the auth token)") }
            }
            var region: String?
            if let regionNode = fields["default_region"] {
                let code = try regionNode.nonEmptyString().uppercased()
                guard PhoneNumber.regions[code] != nil else {
                    throw regionNode.error("unknown region '\(code)' (known: \(PhoneNumber.regions.keys.sorted().joined(separator: ", ")))")
                }
                region = code
            }
            // The sender may be a number, a short code or an alphanumeric sender id: the gateway decides.
            let sender = try required("sender").nonEmptyString()
            transport = .sms(
                SMSSettings(
                    url: try required("url").url(), format: format, token: token, account: account, sender: sender, defaultRegion: region,
                    maxSegments: try fields["max_segments"]?.int(in: 1...20) ?? SMSSettings.defaultMaxSegments, tlsVerify: try fields["tls_verify"]?.bool() ?? true
                )
            )
        }
        return ChannelSettings(
            name: name,
            transport: transport,
            connections: try fields["connections"]?.int(in: 1...1024) ?? (kind == .outbox ? 4 : 8),
            rate: try fields["rate"]?.rate(),
            timeout: try fields["timeout"]?.duration() ?? .seconds(10),
            dependsOn: try fields["depends_on"]?.stringList() ?? []
        )
    }

    /// `Name <address>` or a bare address; the address must be valid, so every message has a sender domain.
    static func senderAddress(_ node: ConfigNode) throws(ConfigurationError) -> String {
        let value = try node.nonEmptyString()
        var address = Substring(value)
        if let open = value.lastIndex(of: "<"), value.hasSuffix(">") {
            address = value[value.index(after: open)..<value.index(before: value.endIndex)]
        }
        if let problem = ContactValidator.emailProblem(String(address)) {
            throw node.error("expected an address such as \"Example Status <status@example.com>\": \(problem)")
        }
        return value
    }
}
