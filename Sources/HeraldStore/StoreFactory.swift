import HeraldCore

/// Opens the store a config names.
public enum StoreFactory {
    /// - Throws: `ConfigurationError` (key `storage`) for a backend this build does not have yet.
    public static func open(_ location: StorageLocation, configFile: String) throws -> any MessageStore {
        switch location {
        case .sqlite(let path):
            return try SQLiteMessageStore(path: path)
        case .postgres:
            throw ConfigurationError(
                file: configFile, keyPath: "storage", reason: "PostgreSQL storage is not available in this build yet; use sqlite:PATH"
            )
        }
    }
}
