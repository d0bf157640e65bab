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
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO messages (id, notice_id, recipient_id, name, locale, email, phone, webhook, segments,
                        priority, collapse_key, state, next_attempt_at, expires_at, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)
                    """
            )
            let supersede = try db.cachedStatement(
                sql: """
                    UPDATE messages SET state = 'superseded', last_error = 'superseded by ' || ?, updated_at = ?,
                        lease_owner = NULL, lease_expires_at = NULL
                    WHERE recipient_id = ? AND collapse_key = ? AND state IN ('queued', 'retrying', 'sending') AND id != ?
                    """
            )
            let created = notice.createdAt.millis
            let expires = notice.expiresAt.millis
            let priority = notice.priority.rank
            var total = 0
            while let batch = try source.value.nextBatch(limit: Self.enqueueBatchSize) {
                for message in batch {
                    let recipient = message.recipient
                    try insert.execute(arguments: [
                        message.id, notice.id, recipient.id, recipient.name, recipient.locale, recipient.contacts.email,
                        recipient.contacts.phone, recipient.contacts.webhook, recipient.segments.joined(separator: ";"),
                        priority, notice.collapseKey, created, expires, created, created,
                    ])
                    if let key = notice.collapseKey {
                        try supersede.execute(arguments: [message.id, created, recipient.id, key, message.id])
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
