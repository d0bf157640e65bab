import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// Counts the API's open connections and refuses those over the limit: the connection is accepted
/// and closed at once, before any request is read, so the process never runs out of file descriptors
/// (at the descriptor limit libdispatch kills the whole process, not just the connection).
final class ConnectionGate: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes a slot, or says no when all `limit` are in use.
    func admit() -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, seen) = open.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = seen
        }
        refused.add(1, ordering: .relaxed)
        return false
    }

    func release() {
        open.subtract(1, ordering: .relaxed)
    }

    /// Connections open now.
    var current: Int { open.load(ordering: .relaxed) }
    /// Connections refused since start.
    var refusedCount: Int { refused.load(ordering: .relaxed) }
}

/// A connection refused because `http.max_connections` were open.
struct ConnectionLimitReached: Error {}

/// Hummingbird's HTTP/1.1 child channel behind a `ConnectionGate`. The refusal happens in `setup`,
/// before Hummingbird wraps the channel, which it would otherwise expect to run to completion.
struct GatedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let base: HTTP1Channel
    let gate: ConnectionGate

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard gate.admit() else {
            // Reported once per hundred, so a flood does not also flood the log.
            if gate.refusedCount % 100 == 1 {
                logger.warning("refusing connections: http.max_connections (\(gate.limit)) are open", metadata: ["refused": "\(gate.refusedCount)"])
            }
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(ConnectionLimitReached())
        }
        let gate = self.gate
        channel.closeFuture.whenComplete { _ in gate.release() }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
