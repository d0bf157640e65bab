import NIOCore
import NIOPosix

/// Up to `maximumConnections` SMTP sessions to one server, reused across messages.
///
/// A message takes an idle connection, opens a new one while under the limit, or waits its turn.
/// A connection goes back to the pool after a message whether it was accepted or refused (the
/// session survives a refused message); one that failed, closed, or sat idle too long is replaced.
///
/// ```swift
/// let pool = SMTPConnectionPool(configuration: .init(host: "127.0.0.1", port: 2525, maximumConnections: 8))
/// let reply = try await pool.send(envelope)
/// await pool.shutdown()
/// ```
public actor SMTPConnectionPool {
    /// Where to connect, how, and how many sessions to keep.
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var connection: SMTPConnection.Configuration
        public var maximumConnections: Int
        /// An idle connection older than this is closed instead of reused (servers drop idle sessions).
        public var maximumIdleTime: Duration

        public init(
            host: String, port: Int, connection: SMTPConnection.Configuration = .init(), maximumConnections: Int = 8,
            maximumIdleTime: Duration = .seconds(60)
        ) {
            self.host = host
            self.port = port
            self.connection = connection
            self.maximumConnections = max(1, maximumConnections)
            self.maximumIdleTime = maximumIdleTime
        }
    }

    private struct Idle {
        var connection: SMTPConnection
        var since: ContinuousClock.Instant
    }

    private let configuration: Configuration
    private let group: any EventLoopGroup
    private var idle: [Idle] = []
    /// Connections leased or being opened.
    private var busy = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var isShutDown = false

    public init(configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    /// How many connections are open or being opened now.
    public var connectionCount: Int { idle.count + busy }

    /// Sends one message on a pooled connection and returns the server's final reply.
    ///
    /// A reused connection that turns out to have been closed by the server while idle is replaced
    /// once, transparently; every other failure is the caller's to classify (`SMTPError.isTransient`).
    public func send(_ envelope: SMTPConnectionStateMachine.Envelope) async throws -> SMTPReply {
        var (connection, reused) = try await lease()
        while true {
            do {
                let reply = try await connection.send(envelope)
                giveBack(connection)
                return reply
            } catch let error as SMTPError {
                let keep = error.leavesConnectionUsable && connection.isOpen
                if keep {
                    giveBack(connection)
                    throw error
                }
                await discard(connection)
                guard reused, error.isClosedConnection else { throw error }
                (connection, reused) = try await lease()
            } catch {
                await discard(connection)
                throw error
            }
        }
    }

    /// Closes every idle connection (with QUIT) and refuses new messages.
    public func shutdown() async {
        isShutDown = true
        let closing = idle
        idle = []
        for waiter in waiters { waiter.resume() }
        waiters = []
        for entry in closing { await entry.connection.close() }
    }

    /// An open connection and whether it was reused; counts as busy until given back or discarded.
    private func lease() async throws -> (SMTPConnection, reused: Bool) {
        while true {
            guard !isShutDown else { throw SMTPError.protocolViolation("the connection pool is shut down") }
            while let entry = idle.popLast() {
                if entry.connection.isOpen, entry.since.duration(to: .now) < configuration.maximumIdleTime {
                    busy += 1
                    return (entry.connection, true)
                }
                await entry.connection.close()
            }
            if busy < configuration.maximumConnections {
                busy += 1
                do {
                    let connection = try await SMTPConnection.connect(
                        host: configuration.host, port: configuration.port, configuration: configuration.connection, group: group
                    )
                    return (connection, false)
                } catch {
                    release()
                    throw error
                }
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    private func giveBack(_ connection: SMTPConnection) {
        if isShutDown {
            Task { await connection.close() }
        } else {
            idle.append(Idle(connection: connection, since: .now))
        }
        release()
    }

    private func discard(_ connection: SMTPConnection) async {
        release()
        await connection.close()
    }

    /// One busy slot is free: wake the next waiting message.
    private func release() {
        busy -= 1
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }
}

extension SMTPError {
    /// Whether the session goes on after this failure (a refused message is followed by RSET).
    var leavesConnectionUsable: Bool {
        switch self {
        case .rejected(_, let reply): reply.code != 421
        case .messageTooLarge: true
        case .startTLSNotOffered, .insecureAuthRefused, .noUsableAuthMechanism, .protocolViolation, .timeout, .tlsFailed: false
        }
    }

    /// Whether the connection was found closed (as happens to a session the server dropped while idle).
    var isClosedConnection: Bool {
        if case .protocolViolation = self { true } else { false }
    }
}
