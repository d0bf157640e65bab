import GRDB
import GRDBSQLite
import HeraldStore

/// Binding values to a prepared statement with SQLite's C API, for the insert loops where GRDB's
/// per-call argument arrays would cost more than the insert.
enum SQLiteBinding {
    /// Binds text, or NULL for `nil`; SQLite copies the text before this returns.
    static func bind(_ handle: SQLiteStatement, _ index: Int32, _ value: String?) {
        guard let value else {
            sqlite3_bind_null(handle, index)
            return
        }
        var text = value
        text.withUTF8 { bytes in
            _ = sqlite3_bind_text(handle, index, bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, Int32(bytes.count), transient)
        }
    }

    static func bind(_ handle: SQLiteStatement, _ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    /// Runs a statement that returns no rows, keeping its bindings for the next run.
    static func execute(_ statement: Statement, _ what: @autoclosure () -> String) throws {
        let code = sqlite3_step(statement.sqliteStatement)
        sqlite3_reset(statement.sqliteStatement)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: what(), sql: statement.sql)
        }
    }

    /// SQLITE_TRANSIENT: SQLite copies the value before `bind` returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
