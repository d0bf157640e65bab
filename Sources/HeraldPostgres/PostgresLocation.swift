import Foundation
import HeraldStore
import NIOSSL
import PostgresNIO

/// Where a PostgreSQL store lives, read from `storage: postgres://user:pass@host:5432/db?sslmode=…`.
///
/// `sslmode` follows libpq's names: `disable`, `prefer` (the default: TLS when the server offers it)
/// and `require` (TLS or no connection; the certificate is verified).
struct PostgresLocation: Sendable {
    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String
    var tls: TLSMode

    enum TLSMode: String, Sendable { case disable, prefer, require }

    /// A problem with the URL, described without its password.
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    init(url text: String) throws {
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw Invalid(description: "expected postgres://user:pass@host:5432/db")
        }
        guard let username = components.user, !username.isEmpty else { throw Invalid(description: "the URL names no user") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw Invalid(description: "the URL names no database (postgres://user:pass@host:5432/DATABASE)") }
        self.host = host
        self.port = components.port ?? 5432
        self.username = username
        self.password = components.password?.removingPercentEncoding
        self.database = database
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        guard let tls = TLSMode(rawValue: mode) else { throw Invalid(description: "sslmode '\(mode)' is not one of disable, prefer, require") }
        self.tls = tls
    }

    /// `host:port/database`, for error messages (never the password).
    var displayName: String { "\(host):\(port)/\(database)" }

    var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch self.tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = 16
        return configuration
    }

    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            switch self.tls {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        return PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }
}
