import Foundation
import HeraldCore
import NIOSSL
import SMTPClient

/// Sends each message's e-mail parts through an SMTP server, over a pool of reused sessions.
///
/// The message carries `Message-ID: <message id@sender domain>` so receivers can deduplicate, and
/// `List-Unsubscribe` when the channel has `unsubscribe_url` (`{{recipient.id}}` in it is replaced).
/// Replies: 2xx delivered, 4xx transient, 5xx permanent for that recipient (the route moves on);
/// connection failures, TLS failures and timeouts are transient.
public struct SMTPChannel: HeraldCore.Channel {
    /// The server as configured under `channels:`, with the pool size and the per-delivery time limit.
    public struct Configuration: Sendable {
        public var server: SMTPSettings
        public var connections: Int
        public var timeout: Duration

        public init(server: SMTPSettings, connections: Int = 8, timeout: Duration = .seconds(30)) {
            self.server = server
            self.connections = connections
            self.timeout = timeout
        }
    }

    public let name: String
    public var kind: ChannelKind { .smtp }
    public var messagesPerConnection: Int { SMTPConnection.pipelineDepth }
    let configuration: Configuration
    let envelopes: SMTPEnvelopeBuilder
    let pool: SMTPConnectionPool

    /// - Throws: `ChannelConfigurationError` when `from` is not an address.
    public init(name: String, configuration: Configuration) throws(ChannelConfigurationError) {
        let server = configuration.server
        guard let sender = Mailbox(parsing: server.from) else {
            throw ChannelConfigurationError(field: "from", reason: "'\(server.from)' is not an address such as \"Status <status@example.com>\"")
        }
        self.name = name
        self.configuration = configuration
        self.envelopes = SMTPEnvelopeBuilder(sender: sender, unsubscribeURL: server.unsubscribeURL)
        self.pool = SMTPConnectionPool(
            configuration: .init(
                host: server.host, port: server.port, connection: Self.connectionConfiguration(server, sender: sender, timeout: configuration.timeout),
                maximumConnections: configuration.connections
            )
        )
    }

    public func deliver(_ delivery: Delivery) async throws {
        let envelope = try envelopes.envelope(for: delivery)
        do {
            _ = try await pool.send(envelope)
        } catch {
            throw SMTPOutcome.classify(error, server: "\(configuration.server.host):\(configuration.server.port)")
        }
    }

    public func shutdown() async throws {
        await pool.shutdown()
    }

    static func connectionConfiguration(_ server: SMTPSettings, sender: Mailbox, timeout: Duration) -> SMTPConnection.Configuration {
        let security: SMTPConnectionStateMachine.Configuration.Security =
            switch server.security {
            case .starttls: .startTLS
            case .tls: .implicitTLS
            case .none: .none
            }
        var tls = TLSConfiguration.makeClientConfiguration()
        if !server.tlsVerify { tls.certificateVerification = .none }
        return SMTPConnection.Configuration(
            session: .init(
                hostname: sender.domain, security: security, username: server.username, password: server.password?.value,
                allowInsecureAuth: server.allowInsecureAuth
            ),
            tls: tls, timeouts: .init(maximum: timeout), connectTimeout: timeout
        )
    }
}

/// A channel setting that cannot work, found when the channel is built.
public struct ChannelConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var reason: String
    public var description: String { "\(field): \(reason)" }
}
