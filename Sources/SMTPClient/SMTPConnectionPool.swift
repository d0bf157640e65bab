import NIOCore
import NIOPosix

/// Up to `maximumConnections` SMTP sessions to one server, reused across messages.
///
/// A message takes an idle connection, opens a new one while under the limit, or — when the server
/// pipelines — follows a message already on a connection (`SMTPConnection.maximumInFlight`), and
/// otherwise waits its turn. A connection stays in the pool after a message whether it was accepted
/// or refused (the session survives a refused message); one that failed, closed, or sat idle too
/// long is replaced.
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

    private struct Entry {
        var connection: SMTPConnection
        /// Messages leased on it and not yet given back.
        var inFlight: Int
        var lastUsed: ContinuousClock.Instant
    }

    private let configuration: Configuration
    private let group: any EventLoopGroup
    private var entries: [Entry] = []
    /// Connections being opened.
    private var opening = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var isShutDown = false

    public init(configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
    }

    /// How many connections are open or being opened now.
    public var connectionCount: Int { entries.count + opening }

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
                if error.leavesConnectionUsable && connection.isOpen {
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

    /// Closes every idle connection (with QUIT), and the others once their messages are done, and
    /// refuses new messages.
    public func shutdown() async {
        isShutDown = true
        let idle = entries.filter { $0.inFlight == 0 }
        entries.removeAll { $0.inFlight == 0 }
        for waiter in waiters { waiter.resume() }
        waiters = []
        for entry in idle { await entry.connection.close() }
    }

    /// A connection for one more message, and whether it was reused; counts the message in flight
    /// until given back or discarded.
    private func lease() async throws -> (SMTPConnection, reused: Bool) {
        while true {
            guard !isShutDown else { throw SMTPError.protocolViolation("the connection pool is shut down") }
            await closeStale()
            if let index = leastBusy(where: { $0.inFlight == 0 }) {
                return (take(index), true)
            }
            if connectionCount < configuration.maximumConnections {
                opening += 1
                do {
                    let connection = try await SMTPConnection.connect(
                        host: configuration.host, port: configuration.port, configuration: configuration.connection, group: group
                    )
                    opening -= 1
                    entries.append(Entry(connection: connection, inFlight: 1, lastUsed: .now))
                    return (connection, false)
                } catch {
                    opening -= 1
                    wakeWaiter()
                    throw error
                }
            }
            if let index = leastBusy(where: { $0.inFlight < $0.connection.maximumInFlight }) {
                return (take(index), true)
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    private func leastBusy(where admits: (Entry) -> Bool) -> Int? {
        entries.indices.filter { admits(entries[$0]) && entries[$0].connection.isOpen }.min { entries[$0].inFlight < entries[$1].inFlight }
    }

    private func take(_ index: Int) -> SMTPConnection {
        entries[index].inFlight += 1
        return entries[index].connection
    }

    /// Closes idle connections the server closed or that sat idle too long.
    private func closeStale() async {
        let stale = entries.filter { $0.inFlight == 0 && (!$0.connection.isOpen || $0.lastUsed.duration(to: .now) >= configuration.maximumIdleTime) }
        guard !stale.isEmpty else { return }
        entries.removeAll { entry in stale.contains { $0.connection === entry.connection } }
        for entry in stale { await entry.connection.close() }
    }

    private func giveBack(_ connection: SMTPConnection) {
        if let index = entries.firstIndex(where: { $0.connection === connection }) {
            entries[index].inFlight -= 1
            entries[index].lastUsed = .now
            if isShutDown, entries[index].inFlight == 0 {
                entries.remove(at: index)
                Task { await connection.close() }
            }
        }
        wakeWaiter()
    }

    private func discard(_ connection: SMTPConnection) async {
        entries.removeAll { $0.connection === connection }
        wakeWaiter()
        await connection.close()
    }

    /// A message's place is free: wake the next waiting one.
    private func wakeWaiter() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }
}

extension SMTPError {
    /// Whether the session goes on after this failure (a refused message is followed by RSET).
    var leavesConnectionUsable: Bool {
        switch self {
        case .rejected(_, let reply): reply.code != 421
        case .messageTooLarge: true
        case .startTLSNotOffered, .insecureAuthRefused, .noUsableAuthMechanism, .protocolViolation, .timeout, .tlsFailed, .certificateRejected: false
        }
    }

    /// Whether the connection was found closed (as happens to a session the server dropped while idle).
    var isClosedConnection: Bool {
        if case .protocolViolation = self { true } else { false }
    }
}
