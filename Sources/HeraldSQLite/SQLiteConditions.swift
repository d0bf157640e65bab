import GRDB
import HeraldStore

/// SQLite's result codes in plain words: the ones that mean the file cannot be used right now are
/// "unavailable" (a 503 and a retry), the rest are described by SQLite's own message.
extension DatabaseError: StoreConditionError {
    public var unavailableCondition: String? {
        switch resultCode {
        case .SQLITE_FULL: "the disk holding the SQLite file is full"
        case .SQLITE_READONLY: "the SQLite file is read-only"
        case .SQLITE_BUSY, .SQLITE_LOCKED: "the SQLite file is locked by another writer"
        case .SQLITE_IOERR: "the SQLite file cannot be read or written (I/O error)"
        case .SQLITE_CANTOPEN, .SQLITE_PERM: "the SQLite file cannot be opened"
        default: nil
        }
    }

    public var plainDescription: String { "SQLite: \(message ?? "error \(resultCode.rawValue)")" }
}
