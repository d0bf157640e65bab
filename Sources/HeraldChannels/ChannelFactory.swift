import Foundation
import HeraldCore

/// Builds the configured channels.
public enum ChannelFactory {
    /// Each configured channel with its transport, in the config's order.
    /// - Throws: `ConfigurationError` for a setting a channel cannot work with.
    /// - Parameter egress: where recipients' own webhook URLs may point.
    public static func make(_ settings: [ChannelSettings], egress: EgressPolicy, configFile: String) throws -> [ConfiguredChannel] {
        try settings.map { ConfiguredChannel(settings: $0, transport: try transport(for: $0, egress: egress, configFile: configFile)) }
    }

    private static func transport(for channel: ChannelSettings, egress: EgressPolicy, configFile: String) throws -> any Channel {
        switch channel.transport {
        case .webhook(let webhook):
            return WebhookChannel(
                name: channel.name,
                configuration: .init(
                    url: webhook.url,
                    signingKey: WebhookSettings.signingKey(from: webhook.secret.value) ?? [],
                    connections: channel.connections,
                    timeout: channel.timeout,
                    tlsVerify: webhook.tlsVerify,
                    egress: egress
                )
            )
        case .outbox(let outbox):
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: outbox.path, isDirectory: &isFolder), !isFolder.boolValue {
                throw ConfigurationError(
                    file: configFile, keyPath: "channels.\(channel.name).path", reason: "'\(outbox.path)' is a file; an outbox path names a folder"
                )
            }
            return OutboxChannel(name: channel.name, configuration: .init(folder: outbox.path))
        case .sms(let sms):
            return SMSChannel(
                name: channel.name,
                configuration: .init(gateway: sms, connections: channel.connections, timeout: channel.timeout)
            )
        case .smtp(let smtp):
            do {
                return try SMTPChannel(
                    name: channel.name, configuration: .init(server: smtp, connections: channel.connections, timeout: channel.timeout)
                )
            } catch {
                throw ConfigurationError(file: configFile, keyPath: "channels.\(channel.name).\(error.field)", reason: error.reason)
            }
        }
    }
}
