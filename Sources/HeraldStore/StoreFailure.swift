import GRDB
import PostgresNIO

/// What a store error means for a caller, in plain words: whether the store cannot be used right now
/// (a full disk, a read-only file, a lock held elsewhere, an unreachable server) — worth a 503 and a
/// retry, not a 500 — and a line that names the condition without a library's dump.
public enum StoreFailure {
    /// Whether the error says the store is unavailable now rather than that a request was wrong.
    public static func isUnavailable(_ error: any Error) -> Bool {
        if let error = error as? DatabaseError { return sqliteCondition(error) != nil }
        return error is PSQLError || error is PostgresTransactionError
    }

    /// One line for logs, `/readyz` and problem details.
    public static func plain(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return sqliteCondition(error) ?? "SQLite: \(error.message ?? "error \(error.resultCode.rawValue)")" }
        if error is PSQLError || error is PostgresTransactionError { return "PostgreSQL: \(PostgresStoreError.describe(error))" }
        return String(describing: error)
    }

    private static func sqliteCondition(_ error: DatabaseError) -> String? {
        switch error.resultCode {
        case .SQLITE_FULL: "the disk holding the SQLite file is full"
        case .SQLITE_READONLY: "the SQLite file is read-only"
        case .SQLITE_BUSY, .SQLITE_LOCKED: "the SQLite file is locked by another writer"
        case .SQLITE_IOERR: "the SQLite file cannot be read or written (I/O error)"
        case .SQLITE_CANTOPEN, .SQLITE_PERM: "the SQLite file cannot be opened"
        default: nil
        }
    }
}
