import Foundation
import HeraldPostgres
import HeraldSQLite
import HeraldStore
import Logging
import NIOPosix
import PostgresNIO
import Synchronization
import Testing

/// The store backends the conformance suites run against: memory and SQLite always, PostgreSQL when
/// `HERALD_TEST_POSTGRES` names a server (scripts/test starts one and sets it).
public enum StoreBackend: String, Sendable, CustomTestStringConvertible {
    case memory
    case sqlite
    case postgres

    public var testDescription: String { rawValue }

    public static var allCases: [StoreBackend] { PostgresTestServer.adminURL == nil ? [.memory, .sqlite] : [.memory, .sqlite, .postgres] }

    /// A fresh, empty store for `directory`; called again with the same directory, the same data (to
    /// prove durability, or to open a second node on one queue). A PostgreSQL store's pool runs until
    /// the test closes it.
    public func makeStore(in directory: TemporaryDirectory) async throws -> any MessageStore {
        switch self {
        case .memory:
            return MemoryStores.shared.withLock { stores in
                if let store = stores[directory.path] { return store }
                let store = MemoryMessageStore()
                stores[directory.path] = store
                return store
            }
        case .sqlite:
            return try SQLiteMessageStore(path: directory.file("herald.sqlite"))
        case .postgres:
            return try await PostgresTestServer.openStore(url: try await PostgresTestServer.database(for: directory))
        }
    }
}

/// The memory store of each test directory, so "opening it again" finds the same queue.
private enum MemoryStores {
    static let shared = Mutex<[String: MemoryMessageStore]>([:])
}

/// The PostgreSQL server scripts/test started, with one database per test directory.
public enum PostgresTestServer {
    /// `HERALD_TEST_POSTGRES`: a URL that may create databases.
    public static var adminURL: String? { ProcessInfo.processInfo.environment["HERALD_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 } }

    /// The URL of the database that belongs to `directory`, created when missing.
    public static func database(for directory: TemporaryDirectory) async throws -> String {
        guard let admin = adminURL, var components = URLComponents(string: admin) else {
            throw SMTPTestError.commandFailed("HERALD_TEST_POSTGRES is not set; scripts/test starts a server and sets it")
        }
        let name = "herald_" + (directory.path as NSString).lastPathComponent.lowercased().filter { $0.isLetter || $0.isNumber }
        let connection = try await connect(to: components)
        let exists = try await connection.query("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: connection.logger).collect()
        if exists.isEmpty { try await connection.query("CREATE DATABASE \(unescaped: name)", logger: connection.logger) }
        try await connection.close()
        components.path = "/" + name
        return components.string ?? admin
    }

    /// The store at `url`, its pool running until the test closes it.
    public static func openStore(url: String) async throws -> PostgresMessageStore {
        let store = try await PostgresMessageStore.open(url: url)
        Task { await store.run() }
        return store
    }

    /// The ids of the messages `owner` (a worker) holds leases on in the database at `url`: what the
    /// store's API does not show, for a test of another worker taking them over.
    public static func messages(leasedBy owner: String, in url: String) async throws -> Set<String> {
        guard let components = URLComponents(string: url) else { throw SMTPTestError.commandFailed("not a URL: \(url)") }
        let connection = try await connect(to: components)
        let rows = try await connection.query(
            "SELECT id FROM messages WHERE state = 'sending' AND lease_owner = \(owner)", logger: connection.logger
        ).collect()
        try await connection.close()
        return Set(try rows.map { try $0.decode(String.self) })
    }

    private static func connect(to url: URLComponents) async throws -> PostgresConnection {
        try await PostgresConnection.connect(
            configuration: .init(
                host: url.host ?? "127.0.0.1", port: url.port ?? 5432, username: url.user ?? "postgres",
                password: url.password, database: String(url.path.dropFirst()), tls: .disable
            ),
            id: 0, logger: Logger(label: "herald.test.postgres")
        )
    }
}
