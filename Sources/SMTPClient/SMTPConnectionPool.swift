import NIOCore
import NIOPosix
import Synchronization

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
public final class SMTPConnectionPool: Sendable {
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

    /// The state machine, the sessions it names, and the messages parked waiting for one; changed
    /// only under the lock, and every resulting I/O (connect, close, resume) done outside it.
    private struct Shared {
        var machine: SMTPPoolStateMachine
        var connections: [SMTPPoolStateMachine.ConnectionID: SMTPConnection] = [:]
        var parked: [SMTPPoolStateMachine.WaiterID: CheckedContinuation<Void, any Error>] = [:]
        /// Woken (or cancelled) before it had parked: it resumes as soon as it parks.
        var early: [SMTPPoolStateMachine.WaiterID: Result<Void, any Error>] = [:]

        /// Wakes `waiter`, now if parked, else when it parks.
        mutating func wake(_ waiter: SMTPPoolStateMachine.WaiterID?, with result: Result<Void, any Error> = .success(())) -> Wakeup? {
            guard let waiter else { return nil }
            guard let continuation = parked.removeValue(forKey: waiter) else {
                early[waiter] = result
                return nil
            }
            return Wakeup(continuation: continuation, result: result)
        }

        /// Forgets sessions leaving the pool and returns them to be closed.
        mutating func remove(_ ids: [SMTPPoolStateMachine.ConnectionID]) -> [SMTPConnection] {
            ids.compactMap { connections.removeValue(forKey: $0) }
        }
    }

    /// A parked message to resume, outside the lock.
    private struct Wakeup {
        let continuation: CheckedContinuation<Void, any Error>
        let result: Result<Void, any Error>

        func resume() { continuation.resume(with: result) }
    }

    /// A session leased to one message.
    private struct Lease {
        let id: SMTPPoolStateMachine.ConnectionID
        let connection: SMTPConnection
        let reused: Bool
    }

    private let configuration: Configuration
    private let group: any EventLoopGroup
    private let shared: Mutex<Shared>

    public init(configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
        shared = Mutex(Shared(machine: SMTPPoolStateMachine(maximumConnections: configuration.maximumConnections, maximumIdleTime: configuration.maximumIdleTime)))
    }

    /// How many connections are open or being opened now.
    public var connectionCount: Int { shared.withLock { $0.machine.connectionCount } }

    /// Sends one message on a pooled connection and returns the server's final reply.
    ///
    /// A reused connection that turns out to have been closed by the server while idle is replaced
    /// once, transparently; every other failure is the caller's to classify (`SMTPError.isTransient`).
    /// A message waiting for a session stops waiting when its task is cancelled.
    public func send(_ envelope: SMTPConnectionStateMachine.Envelope) async throws -> SMTPReply {
        var lease = try await self.lease()
        while true {
            do {
                let reply = try await lease.connection.send(envelope)
                await giveBack(lease)
                return reply
            } catch let error as SMTPError {
                if error.leavesConnectionUsable && lease.connection.isOpen {
                    await giveBack(lease)
                    throw error
                }
                await discard(lease)
                guard lease.reused, error.isClosedConnection else { throw error }
                lease = try await self.lease()
            } catch {
                await discard(lease)
                throw error
            }
        }
    }

    /// Closes every idle connection (with QUIT), and the others once their messages are done, and
    /// refuses new messages.
    public func shutdown() async {
        let (idle, wakeups) = shared.withLock { shared in
            let (close, waiters) = shared.machine.shutdown()
            return (shared.remove(close), waiters.compactMap { shared.wake($0) })
        }
        for wakeup in wakeups { wakeup.resume() }
        for connection in idle { await connection.close() }
    }

    /// A session for one more message: the machine decides, this carries it out.
    private func lease() async throws -> Lease {
        while true {
            let now = ContinuousClock.now
            let (action, stale, leased) = shared.withLock { shared in
                let connections = shared.connections
                let (action, close) = shared.machine.lease(now: now) { connections[$0]?.isOpen ?? false }
                guard case .use(let id, _) = action else { return (action, shared.remove(close), nil as SMTPConnection?) }
                return (action, shared.remove(close), connections[id])
            }
            for connection in stale { await connection.close() }
            switch action {
            case .use(let id, let reused):
                // The machine names only sessions that are in the table; both change under one lock.
                guard let leased else { preconditionFailure("session \(id.value) leased but not in the table") }
                return Lease(id: id, connection: leased, reused: reused)
            case .open(let id):
                return try await open(id)
            case .wait(let waiter):
                try await park(waiter)
            case .refuse:
                throw SMTPError.protocolViolation("the connection pool is shut down")
            }
        }
    }

    private func open(_ id: SMTPPoolStateMachine.ConnectionID) async throws -> Lease {
        do {
            let connection = try await SMTPConnection.connect(
                host: configuration.host, port: configuration.port, configuration: configuration.connection, group: group
            )
            shared.withLock { shared in
                shared.machine.connected(id, maximumInFlight: connection.maximumInFlight, now: .now)
                shared.connections[id] = connection
            }
            return Lease(id: id, connection: connection, reused: false)
        } catch {
            shared.withLock { shared in shared.wake(shared.machine.connectFailed(id)) }?.resume()
            throw error
        }
    }

    /// Waits until woken; a cancelled task stops waiting at once with `CancellationError`.
    private func park(_ waiter: SMTPPoolStateMachine.WaiterID) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let ready = shared.withLock { shared -> Result<Void, any Error>? in
                    if let result = shared.early.removeValue(forKey: waiter) { return result }
                    shared.parked[waiter] = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            shared.withLock { shared -> Wakeup? in
                guard shared.machine.cancelWait(waiter) else { return nil }
                return shared.wake(waiter, with: .failure(CancellationError()))
            }?.resume()
        }
    }

    private func giveBack(_ lease: Lease) async {
        let (wakeup, closing) = shared.withLock { shared in
            let (wake, close) = shared.machine.giveBack(lease.id, now: .now)
            return (shared.wake(wake), shared.remove(close.map { [$0] } ?? []))
        }
        wakeup?.resume()
        for connection in closing { await connection.close() }
    }

    private func discard(_ lease: Lease) async {
        let wakeup = shared.withLock { shared in
            _ = shared.remove([lease.id])
            return shared.wake(shared.machine.discard(lease.id))
        }
        wakeup?.resume()
        await lease.connection.close()
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
