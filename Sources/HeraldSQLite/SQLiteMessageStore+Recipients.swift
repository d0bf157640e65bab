import Foundation
import GRDB
import HeraldCore
import HeraldStore

extension SQLiteMessageStore {
    public func upsertRecipients(_ source: sending some BatchSource<Recipient>, now: Date) async throws -> Int {
        let source = WriterPull(source)
        let now = now.millis
        return try await pool.write { db in
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO recipients (id, name, locale, email, phone, webhook, segments, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET name = excluded.name, locale = excluded.locale, email = excluded.email,
                        phone = excluded.phone, webhook = excluded.webhook, segments = excluded.segments, updated_at = excluded.updated_at
                    """
            )
            let clearSegments = try db.cachedStatement(sql: "DELETE FROM recipient_segments WHERE recipient_id = ?")
            let addSegment = try db.cachedStatement(sql: "INSERT OR IGNORE INTO recipient_segments (segment, recipient_id) VALUES (?, ?)")
            var total = 0
            while let batch = try source.next(limit: Self.enqueueBatchSize) {
                for recipient in batch {
                    let contacts = recipient.contacts
                    try upsert.execute(arguments: [
                        recipient.id, recipient.name, recipient.locale, contacts.email, contacts.phone, contacts.webhook,
                        SegmentColumn.join(recipient.segments), now,
                    ])
                    try clearSegments.execute(arguments: [recipient.id])
                    for segment in recipient.segments { try addSegment.execute(arguments: [segment, recipient.id]) }
                }
                total += batch.count
            }
            return total
        }
    }

    public func removeRecipient(id: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM recipient_segments WHERE recipient_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM recipients WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func recipients(segment: String?, after cursor: String?, limit: Int) async throws -> [Recipient] {
        try await pool.read { db in
            try Self.recipientPage(db, segment: segment, after: cursor, limit: limit)
        }
    }

    public func recipientCount(segment: String?) async throws -> Int {
        try await pool.read { db in
            if let segment {
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM recipient_segments WHERE segment = ?", arguments: [segment]) ?? 0
            }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM recipients") ?? 0
        }
    }

    public func recipientStream(segment: String?) throws -> any BatchSource<AudienceEntry> {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(30)
        // A read-only connection of its own: WAL lets it read while the broadcast is written.
        let reader = try DatabaseQueue(path: path, configuration: configuration)
        return PagedRecipients { after, limit in
            try await reader.read { db in try Self.recipientPage(db, segment: segment, after: after, limit: limit) }
        }
    }

    /// One page of recipients ordered by id.
    static func recipientPage(_ db: Database, segment: String?, after cursor: String?, limit: Int) throws -> [Recipient] {
        let columns = "r.id, r.name, r.locale, r.email, r.phone, r.webhook, r.segments"
        let rows: [Row]
        if let segment {
            rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(columns) FROM recipient_segments s JOIN recipients r ON r.id = s.recipient_id
                    WHERE s.segment = ? AND s.recipient_id > ? ORDER BY s.recipient_id LIMIT ?
                    """,
                arguments: [segment, cursor ?? "", limit]
            )
        } else {
            rows = try Row.fetchAll(db, sql: "SELECT \(columns) FROM recipients r WHERE r.id > ? ORDER BY r.id LIMIT ?", arguments: [cursor ?? "", limit])
        }
        return rows.map { row in
            let segments: String = row[6]
            return Recipient(
                id: row[0], name: row[1], locale: row[2], contacts: ContactPoints(email: row[3], phone: row[4], webhook: row[5]),
                segments: SegmentColumn.split(segments)
            )
        }
    }
}
