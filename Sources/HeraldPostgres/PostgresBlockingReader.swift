import Dispatch
import HeraldCore
import HeraldStore
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// Runs queries for a caller that must block: a broadcast's recipient stream, whose synchronous
/// `next()` is pulled inside the store's transaction, on NIO's thread pool for blocking work
/// (`BlockingWork`).
///
/// Its connection runs on an event loop of its own, never on the loops the caller's tasks run on,
/// so blocking the caller cannot stall the query it waits for. Connected on first use; closed when
/// the reader is released.
final class PostgresBlockingReader {
    private let location: PostgresLocation
    private let logger: Logger
    private var loop: MultiThreadedEventLoopGroup?
    private var connection: PostgresConnection?

    init(location: PostgresLocation, logger: Logger) {
        self.location = location
        self.logger = logger
    }

    deinit {
        let (connection, loop) = (self.connection, self.loop)
        guard let loop else { return }
        // Closed from another thread: the releasing thread may be one of the caller's event loops.
        DispatchQueue.global().async {
            try? connection?.close().wait()
            try? loop.syncShutdownGracefully()
        }
    }

    /// Every row `query` returns, blocking until they have all arrived.
    func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
        let connection = try connected()
        return try Self.wait(for: connection.query(query, logger: logger).map(\.rows))
    }

    private func connected() throws -> PostgresConnection {
        if let connection { return connection }
        let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.loop = loop
        let connection = try Self.wait(
            for: PostgresConnection.connect(on: loop.next(), configuration: try location.connectionConfiguration(), id: 1, logger: logger)
        )
        self.connection = connection
        return connection
    }

    /// Blocks this thread until `future` completes; safe because the future belongs to this reader's
    /// own event loop, which never runs the caller's work.
    private static func wait<Value: Sendable>(for future: EventLoopFuture<Value>) throws -> Value {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<Value, any Error>!
        future.whenComplete {
            result = $0
            done.signal()
        }
        done.wait()
        return try result.get()
    }
}
