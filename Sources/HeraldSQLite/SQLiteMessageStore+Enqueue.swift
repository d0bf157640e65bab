import Foundation
import GRDB
import HeraldCore
import HeraldStore

extension SQLiteMessageStore {
    /// Rows per batch pulled from the source; one prepared statement serves them all.
    static let enqueueBatchSize = 2000

    public func enqueue(_ notice: Notice, messages: sending some BatchSource<NewMessage>) async throws -> Int {
        let source = WriterPull(messages)
        let row = NoticeRow(notice)
        return try await pool.write { db in try Self.write(row, messages: source.next, into: db) }
    }

    public func enqueue(_ notice: Notice, message: NewMessage) async throws {
        try await singles.submit((NoticeRow(notice), message))
    }

    /// One transaction for every single send waiting. When it fails (a duplicate id), each send is
    /// written again in a transaction of its own, so the one that fails fails alone.
    static func writeSingles(_ sends: [(NoticeRow, NewMessage)], into db: Database) -> [Result<Void, any Error>] {
        let together = Result { try db.inTransaction { try writeEach(sends, into: db) } }
        guard case .failure = together, sends.count > 1 else { return sends.map { _ in together } }
        return sends.map { send in Result { try db.inTransaction { try writeEach([send], into: db) } } }
    }

    private static func writeEach(_ sends: [(NoticeRow, NewMessage)], into db: Database) throws -> Database.TransactionCompletion {
        for (row, message) in sends {
            var single: [NewMessage]? = [message]
            _ = try write(row, messages: { _ in defer { single = nil }; return single }, total: 1, into: db)
        }
        return .commit
    }

    /// Writes the notice and its messages, superseding older ones with the same collapse key.
    /// - Parameters:
    ///   - messages: the next batch of at most the given size, `nil` when done.
    ///   - total: the number of messages when known up front (a single send); otherwise the
    ///     notice's total is set once they are all written.
    private static func write(
        _ row: NoticeRow, messages next: (_ limit: Int) throws -> [NewMessage]?, total known: Int? = nil, into db: Database
    ) throws -> Int {
        let notice = row.notice
        try Self.insert(row, total: known ?? 0, into: db)
        let insert = try MessageInsertStatement(db: db, notice: notice)
        let supersede = try db.cachedStatement(
            sql: """
                UPDATE messages SET state = 'superseded', last_error = 'superseded by ' || ?, updated_at = ?,
                    lease_owner = NULL, lease_expires_at = NULL
                WHERE recipient_id = ? AND collapse_key = ? AND state IN ('queued', 'retrying', 'sending') AND id != ?
                """
        )
        let created = notice.createdAt.millis
        var total = 0
        while let batch = try next(Self.enqueueBatchSize) {
            for message in batch {
                try insert.insert(message)
                if let key = notice.collapseKey {
                    try supersede.execute(arguments: [message.id, created, message.recipient.id, key, message.id])
                }
            }
            total += batch.count
        }
        if total != known {
            try db.cachedStatement(sql: "UPDATE notices SET total = ? WHERE id = ?").execute(arguments: [total, notice.id])
        }
        return total
    }

    private static func insert(_ row: NoticeRow, total: Int, into db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO notices (id, kind, template, vars, locale, route, priority, collapse_key, expires_at, incident_id, created_at, total, traceparent)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        let handle = statement.sqliteStatement
        let notice = row.notice
        SQLiteBinding.bind(handle, 1, notice.id)
        SQLiteBinding.bind(handle, 2, notice.kind.rawValue)
        SQLiteBinding.bind(handle, 3, notice.template)
        SQLiteBinding.bind(handle, 4, row.vars)
        SQLiteBinding.bind(handle, 5, notice.locale)
        SQLiteBinding.bind(handle, 6, row.route)
        SQLiteBinding.bind(handle, 7, Int64(notice.priority.rank))
        SQLiteBinding.bind(handle, 8, notice.collapseKey)
        SQLiteBinding.bind(handle, 9, notice.expiresAt.millis)
        SQLiteBinding.bind(handle, 10, notice.incidentID)
        SQLiteBinding.bind(handle, 11, notice.createdAt.millis)
        SQLiteBinding.bind(handle, 12, Int64(total))
        SQLiteBinding.bind(handle, 13, notice.traceparent)
        try SQLiteBinding.execute(statement, "inserting notice \(notice.id)")
    }
}
