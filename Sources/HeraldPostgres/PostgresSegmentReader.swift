import HeraldCore
import Logging
import PostgresNIO

/// Reads a broadcast's segment page by page on a connection of its own, while `enqueue` holds a pooled
/// connection for its transaction: sharing the pool, sixteen concurrent segment broadcasts would hold
/// every connection and wait for a seventeenth. Connected on first read; closed when the last page has
/// been read, or when the reader is released.
final class PostgresSegmentReader {
    private let location: PostgresLocation
    private let segment: String?
    private let logger: Logger
    private var connection: PostgresConnection?

    init(location: PostgresLocation, segment: String?, logger: Logger) {
        self.location = location
        self.segment = segment
        self.logger = logger
    }

    deinit {
        // `close()` only starts the close on the connection's event loop; nothing here waits for it.
        let _: EventLoopFuture<Void>? = connection?.close()
    }

    /// Up to `limit` recipients after the id `cursor`.
    func page(after cursor: String?, limit: Int) async throws -> [Recipient] {
        let connection = try await connected()
        let query = PostgresMessageStore.recipientPage(segment: segment, after: cursor, limit: limit)
        let rows = try await connection.query(query, logger: logger).collect()
        if rows.count < limit {
            self.connection = nil
            try await connection.close()
        }
        return try PostgresMessageStore.recipients(from: rows)
    }

    private func connected() async throws -> PostgresConnection {
        if let connection { return connection }
        let connection = try await PostgresConnection.connect(configuration: try location.connectionConfiguration(), id: 1, logger: logger)
        self.connection = connection
        return connection
    }
}
