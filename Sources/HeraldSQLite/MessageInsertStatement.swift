import GRDB
import GRDBSQLite
import HeraldCore
import HeraldStore

/// The prepared `INSERT` a broadcast's messages go through, bound with SQLite's C API directly.
///
/// This is the hottest loop of an accept (a million rows in one transaction): the values every message
/// of a notice shares are bound once, and only the per-recipient values are bound per row,
/// without GRDB's per-call argument arrays.
struct MessageInsertStatement {
    private let statement: Statement
    private let handle: SQLiteStatement

    init(db: Database, notice: Notice) throws {
        statement = try db.cachedStatement(
            sql: """
                INSERT INTO messages (id, recipient_id, name, locale, email, phone, webhook, segments,
                    notice_id, priority, collapse_key, next_attempt_at, expires_at, created_at, updated_at, state, last_error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        handle = statement.sqliteStatement
        let created = notice.createdAt.millis
        // Values shared by every message of the notice: bound once; sqlite3_reset keeps them.
        bind(9, notice.id)
        SQLiteBinding.bind(handle, 10, Int64(notice.priority.rank))
        bind(11, notice.collapseKey)
        for index in Int32(12)...15 { SQLiteBinding.bind(handle, index, index == 13 ? notice.expiresAt.millis : created) }
    }

    /// Inserts one message.
    func insert(_ message: NewMessage) throws {
        let recipient = message.recipient
        bind(1, message.id)
        bind(2, recipient.id)
        bind(3, recipient.name)
        bind(4, recipient.locale)
        bind(5, recipient.contacts.email)
        bind(6, recipient.contacts.phone)
        bind(7, recipient.contacts.webhook)
        bind(8, SegmentColumn.join(recipient.segments))
        // Queued, or already suppressed with why (`NewMessage.suppression`).
        bind(16, message.suppression == nil ? MessageState.queued.rawValue : MessageState.suppressed.rawValue)
        bind(17, message.suppression)
        try SQLiteBinding.execute(statement, "inserting message \(message.id)")
    }

    private func bind(_ index: Int32, _ value: String?) {
        SQLiteBinding.bind(handle, index, value)
    }
}
