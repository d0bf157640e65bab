import NIOCore
import NIOPosix
import NIOSSL

/// One SMTP session to a server, ready to send messages: one at a time, or two when the server
/// pipelines (the second follows the first's content without waiting for its final reply).
///
/// ```swift
/// let connection = try await SMTPConnection.connect(host: "127.0.0.1", port: 2525, configuration: .init(session: .init(security: .none)))
/// let reply = try await connection.send(envelope)   // 250 …
/// await connection.close()
/// ```
public final class SMTPConnection: Sendable {
    /// Where and how to connect, with a default for every field.
    public struct Configuration: Sendable {
        public var session: SMTPConnectionStateMachine.Configuration
        /// TLS settings for STARTTLS and implicit TLS; certificates are verified unless this says otherwise.
        public var tls: TLSConfiguration
        public var timeouts: Timeouts
        public var connectTimeout: Duration

        public init(
            session: SMTPConnectionStateMachine.Configuration = .init(), tls: TLSConfiguration = .makeClientConfiguration(),
            timeouts: Timeouts = .init(), connectTimeout: Duration = .seconds(30)
        ) {
            self.session = session
            self.tls = tls
            self.timeouts = timeouts
            self.connectTimeout = connectTimeout
        }
    }

    /// Reply timeouts: RFC 5321 §4.5.3.2 values by default, capped by `maximum` when set.
    public struct Timeouts: Sendable {
        public var maximum: Duration?

        public init(maximum: Duration? = nil) { self.maximum = maximum }

        func limit(_ wait: Duration?) -> Duration? {
            guard let wait else { return nil }
            guard let maximum else { return wait }
            return min(wait, maximum)
        }
    }

    private let channel: any Channel
    private let handler: NIOLoopBound<SMTPClientHandler>
    /// How many messages `send` may have in flight at once: `pipelineDepth` when the server offers
    /// PIPELINING, else 1.
    public let maximumInFlight: Int
    /// Messages a pipelining session takes at once: one awaiting its final reply, one whose commands
    /// follow its content, and two waiting so that each content goes out with the next commands
    /// in one write (and the server answers both in one read).
    public static let pipelineDepth = 4

    private init(channel: any Channel, handler: NIOLoopBound<SMTPClientHandler>, maximumInFlight: Int) {
        self.channel = channel
        self.handler = handler
        self.maximumInFlight = maximumInFlight
    }

    /// Connects and completes greeting, EHLO, STARTTLS and AUTH as configured.
    /// - Throws: `SMTPError` with what the server said, or the connection error.
    public static func connect(
        host: String, port: Int, configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> SMTPConnection {
        let tls = configuration.session.security == .none ? nil : try NIOSSLContext(configuration: configuration.tls)
        let serverHostname = host.first?.isNumber == true ? nil : host
        let eventLoop = group.next()
        let ready = eventLoop.makePromise(of: Void.self)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if configuration.session.security == .implicitTLS, let tls {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                    }
                    let handler = SMTPClientHandler(
                        machine: SMTPConnectionStateMachine(configuration: configuration.session), tls: tls, serverHostname: serverHostname,
                        timeouts: configuration.timeouts, ready: ready
                    )
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            ready.fail(error)
            throw error
        }
        do {
            try await ready.futureResult.get()
        } catch {
            try? await channel.close()
            throw error
        }
        let (handler, pipelines) = try await eventLoop.submit {
            let handler = try channel.pipeline.syncOperations.handler(type: SMTPClientHandler.self)
            return (NIOLoopBound(handler, eventLoop: eventLoop), handler.pipelines)
        }.get()
        return SMTPConnection(channel: channel, handler: handler, maximumInFlight: pipelines ? pipelineDepth : 1)
    }

    /// Sends one message and returns the server's final reply. Up to `maximumInFlight` calls may
    /// run at once; messages go out in the order the calls were made, each as soon as the session can
    /// take it.
    /// - Throws: `SMTPError` (the connection stays usable after a rejected message).
    public func send(_ envelope: SMTPConnectionStateMachine.Envelope) async throws -> SMTPReply {
        let promise = channel.eventLoop.makePromise(of: SMTPReply.self)
        let handler = self.handler
        channel.eventLoop.execute { handler.value.send(envelope, promise: promise) }
        return try await promise.futureResult.get()
    }

    /// Whether the connection is still open (the server may close an idle one at any time).
    public var isOpen: Bool { channel.isActive }

    /// Sends QUIT when idle and waits for the connection to close.
    public func close() async {
        let handler = self.handler
        channel.eventLoop.execute { handler.value.quit() }
        try? await channel.closeFuture.get()
    }
}
