import Foundation
import HeraldCore

/// Builds the configured channels.
public enum ChannelFactory {
    /// One `Channel` per configured channel, keyed by name.
    /// - Throws: `ConfigurationError` for a setting a channel cannot work with.
    /// - Parameter egress: where recipients' own webhook URLs may point.
    public static func make(_ settings: [ChannelSettings], egress: EgressPolicy, configFile: String) throws -> [String: any Channel] {
        var channels: [String: any Channel] = [:]
        for channel in settings {
            switch channel.transport {
            case .webhook(let webhook):
                channels[channel.name] = WebhookChannel(
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
                channels[channel.name] = OutboxChannel(name: channel.name, configuration: .init(folder: outbox.path))
            case .sms(let sms):
                channels[channel.name] = SMSChannel(
                    name: channel.name,
                    configuration: .init(gateway: sms, connections: channel.connections, timeout: channel.timeout)
                )
            case .smtp(let smtp):
                do {
                    channels[channel.name] = try SMTPChannel(
                        name: channel.name, configuration: .init(server: smtp, connections: channel.connections, timeout: channel.timeout)
                    )
                } catch {
                    throw ConfigurationError(file: configFile, keyPath: "channels.\(channel.name).\(error.field)", reason: error.reason)
                }
            }
        }
        return channels
    }
}
