import Foundation
import GRDB
import HeraldCore

extension SQLiteMessageStore {
    /// Rows per batch pulled from the source; one prepared statement serves them all.
    static let enqueueBatchSize = 2000

    public func enqueue(_ notice: Notice, messages: sending some MessageSource) async throws -> Int {
        let source = Transfer<any MessageSource>(value: messages)
        return try await pool.write { db in try Self.write(notice, messages: source.value, into: db) }
    }

    public func enqueue(_ notice: Notice, message: NewMessage) async throws {
        try await singles.submit((notice, message))
    }

    /// One transaction for every single send waiting. When it fails (a duplicate id), each send is
    /// written again in a transaction of its own, so the one that fails fails alone.
    static func writeSingles(_ sends: [(Notice, NewMessage)], pool: DatabasePool) async throws -> [Result<Void, any Error>] {
        do {
            try await pool.write { db in
                for (notice, message) in sends { _ = try Self.write(notice, messages: ArrayMessageSource([message]), into: db) }
            }
            return sends.map { _ in .success(()) }
        } catch {
            guard sends.count > 1 else { return [.failure(error)] }
            var results: [Result<Void, any Error>] = []
            for (notice, message) in sends {
                do {
                    try await pool.write { db in _ = try Self.write(notice, messages: ArrayMessageSource([message]), into: db) }
                    results.append(.success(()))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }

    /// Writes the notice and its messages, superseding older ones with the same collapse key.
    private static func write(_ notice: Notice, messages source: any MessageSource, into db: Database) throws -> Int {
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
        while let batch = try source.nextBatch(limit: Self.enqueueBatchSize) {
            for message in batch {
                try insert.insert(message)
                if let key = notice.collapseKey {
                    try supersede.execute(arguments: [message.id, created, message.recipient.id, key, message.id])
                }
            }
            total += batch.count
        }
        try db.cachedStatement(sql: "UPDATE notices SET total = ? WHERE id = ?").execute(arguments: [total, notice.id])
        return total
    }

    private static func insert(_ notice: Notice, into db: Database) throws {
        let vars = TemplateValue.object(notice.vars).jsonText
        let route = TemplateValue.list(notice.route.map(TemplateValue.string)).jsonText
        try db.cachedStatement(
            sql: """
                INSERT INTO notices (id, kind, template, vars, locale, route, priority, collapse_key, expires_at, incident_id, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                notice.id, notice.kind.rawValue, notice.template, vars, notice.locale, route, notice.priority.rank,
                notice.collapseKey, notice.expiresAt.millis, notice.incidentID, notice.createdAt.millis,
            ]
        )
    }
}
