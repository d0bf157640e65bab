import Dispatch
import HeraldCore
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// Pages through stored recipients for a broadcast, on a connection and event loop of its own.
///
/// `RecipientStream.next()` is synchronous (a broadcast's messages are pulled inside the store's
/// transaction), so a page is fetched by blocking the caller until it arrives. The connection runs on
/// this stream's own event loop, never on the loops the caller's tasks run on, so the wait cannot
/// stall the query it waits for.
final class PostgresRecipientStream: RecipientStream {
    static let pageSize = 2000
    private let location: PostgresLocation
    private let segment: String?
    private let logger: Logger
    private var loop: MultiThreadedEventLoopGroup?
    private var connection: PostgresConnection?
    private var page: ArraySlice<Recipient> = []
    private var cursor: String?
    private var row = 0
    private var exhausted = false

    init(location: PostgresLocation, segment: String?, logger: Logger) {
        self.location = location
        self.segment = segment
        self.logger = logger
    }

    deinit {
        let (connection, loop) = (self.connection, self.loop)
        guard let loop else { return }
        // Closed from the stream's own thread of work, never by blocking on the loop being shut down.
        DispatchQueue.global().async {
            try? connection?.close().wait()
            try? loop.syncShutdownGracefully()
        }
    }

    func next() throws -> (line: Int, recipient: Recipient)? {
        if page.isEmpty, !exhausted {
            let fetched = try fetchPage()
            exhausted = fetched.count < Self.pageSize
            cursor = fetched.last?.id
            page = fetched[...]
        }
        guard let recipient = page.popFirst() else { return nil }
        row += 1
        return (row, recipient)
    }

    private func fetchPage() throws -> [Recipient] {
        let connection = try connected()
        let query = PostgresMessageStore.recipientPage(segment: segment, after: cursor, limit: Self.pageSize)
        let rows = try Self.wait(for: connection.query(query, logger: logger).map(\.rows))
        return try PostgresMessageStore.recipients(from: rows)
    }

    private func connected() throws -> PostgresConnection {
        if let connection { return connection }
        let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.loop = loop
        let connection = try Self.wait(
            for: PostgresConnection.connect(
                on: loop.next(), configuration: try location.connectionConfiguration(), id: 1, logger: logger
            )
        )
        self.connection = connection
        return connection
    }

    /// Blocks this thread until `future` completes. Safe here because the future belongs to this
    /// stream's own event loop, which never runs the caller's work.
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
