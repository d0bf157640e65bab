import HeraldCore
import HeraldPostgres
import HeraldSQLite
import HeraldStore

/// Opens the store a config names: the one place that knows every backend.
public enum StoreFactory {
    /// - Throws: `ConfigurationError` (key `storage`) when the store cannot be opened: a malformed
    ///   PostgreSQL URL, or a server that cannot be reached or refuses the login (never with the password).
    public static func open(_ location: StorageLocation, configFile: String) async throws -> any MessageStore {
        switch location {
        case .sqlite(let path):
            return try SQLiteMessageStore(path: path)
        case .postgres(let url):
            do {
                return try await PostgresMessageStore.open(url: url.value)
            } catch let error as PostgresStoreError {
                throw ConfigurationError(file: configFile, keyPath: "storage", reason: error.description)
            }
        }
    }
}
