import Foundation
import GRDB
import HeraldCore

extension SQLiteMessageStore {
    /// Rows per batch pulled from the source; one prepared statement serves them all.
    static let enqueueBatchSize = 2000

    public func enqueue(_ notice: Notice, messages: sending some MessageSource) async throws -> Int {
        let source = Transfer<any MessageSource>(value: messages)
        return try await pool.write { db in
            try Self.insert(notice, into: db)
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
            while let batch = try source.value.nextBatch(limit: Self.enqueueBatchSize) {
                for message in batch {
                    try insert.insert(message)
                    if let key = notice.collapseKey {
                        try supersede.execute(arguments: [message.id, created, message.recipient.id, key, message.id])
                    }
                }
                total += batch.count
            }
            try db.execute(sql: "UPDATE notices SET total = ? WHERE id = ?", arguments: [total, notice.id])
            return total
        }
    }

    private static func insert(_ notice: Notice, into db: Database) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let vars = String(decoding: try encoder.encode(notice.vars), as: UTF8.self)
        let route = String(decoding: try encoder.encode(notice.route), as: UTF8.self)
        try db.execute(
            sql: """
                INSERT INTO notices (id, kind, template, vars, locale, route, priority, collapse_key, expires_at, incident_id, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                notice.id, notice.kind.rawValue, notice.template, vars, notice.locale, route, notice.priority.rank,
                notice.collapseKey, notice.expiresAt.millis, notice.incidentID, notice.createdAt.millis,
            ]
        )
    }
}
