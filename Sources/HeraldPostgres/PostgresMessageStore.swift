import Foundation
import HeraldCore
import HeraldStore
import Logging
import PostgresNIO

/// The shared queue: PostgreSQL through postgres-nio's connection pool, so any number of `serve` and
/// `work` nodes can use one database.
///
/// Workers lease messages with `FOR UPDATE SKIP LOCKED`, so two nodes never claim the same message and
/// never wait on each other's claims; a lease that expires (its node died) is claimable again. Every
/// commit is durable with PostgreSQL's default `synchronous_commit = on`.
///
/// ```swift
/// let store = try await PostgresMessageStore.open(url: "postgres://herald:secret@db:5432/herald")
/// async let pool: Void = store.run()
/// ```
public final class PostgresMessageStore: MessageStore {
    let client: PostgresClient
    let location: PostgresLocation
    let logger: Logger
    /// Finished by `close()`, which ends `run()`.
    private let closing: (stream: AsyncStream<Never>, continuation: AsyncStream<Never>.Continuation)

    private init(location: PostgresLocation, logger: Logger) {
        self.location = location
        self.logger = logger
        // The pool logs connection attempts cut short by `close()` at `info`, and a first lease that
        // races `run()` starting at `warning`; neither is something an operator can act on.
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: location.clientConfiguration, backgroundLogger: background)
        self.client = client
        closing = AsyncStream.makeStream()
    }

    /// Connects once to migrate the schema; the pool starts with `run()`.
    ///
    /// The first connection is made directly, not through the pool, so a server that is down or
    /// refuses the login fails here at once with its reason; the pool would keep retrying for a minute.
    /// - Throws: `PostgresStoreError` naming the server (never the password) when the URL is malformed or
    ///   the database cannot be used.
    public static func open(url: String, logger: Logger = Logger(label: "herald.postgres")) async throws -> PostgresMessageStore {
        let location: PostgresLocation
        do { location = try PostgresLocation(url: url) } catch { throw PostgresStoreError(server: nil, reason: "\(error)") }
        do {
            let connection = try await PostgresConnection.connect(configuration: try location.connectionConfiguration(), id: 0, logger: logger)
            do { try await PostgresSchema.migrate(connection, logger: logger) } catch {
                try? await connection.close()
                throw error
            }
            try await connection.close()
        } catch {
            throw PostgresStoreError(server: location.displayName, reason: PostgresStoreError.describe(error))
        }
        return PostgresMessageStore(location: location, logger: logger)
    }

    /// Runs the connection pool until `close()` or cancellation; queries wait for it to start.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.client.run() }
            for await _ in closing.stream {}
            group.cancelAll()
        }
    }

    /// Ends `run()`, which closes the pool's connections before it returns.
    public func close() async throws {
        closing.continuation.finish()
    }

    /// Runs `body` in a transaction on one pooled connection: committed when it returns, rolled back
    /// when it throws, with the error it threw (not wrapped).
    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            let result: Result
            do {
                result = try await body(connection)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
            try await connection.query("COMMIT", logger: logger)
            return result
        }
    }

    /// Every row of a query, read to the end.
    func rows(_ query: PostgresQuery, on connection: PostgresConnection? = nil) async throws -> [PostgresRow] {
        if let connection { return try await connection.query(query, logger: logger).collect() }
        return try await client.query(query, logger: logger).collect()
    }
}

/// The PostgreSQL store could not be opened.
public struct PostgresStoreError: Error, CustomStringConvertible {
    /// `host:port/database`, when the URL could be read.
    public var server: String?
    public var reason: String

    public var description: String {
        server.map { "cannot use PostgreSQL at \($0): \(reason)" } ?? "invalid PostgreSQL URL: \(reason)"
    }

    /// The server's own message, or what failed on the way to it; postgres-nio's `description` hides both.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PostgresTransactionError, let cause = error.closureError ?? error.commitError ?? error.beginError {
            return describe(cause)
        }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            return error.underlying.map { "\(error.code): \($0)" } ?? "\(error.code)"
        }
        return "\(error)"
    }
}
