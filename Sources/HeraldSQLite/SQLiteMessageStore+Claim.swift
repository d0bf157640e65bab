import Foundation
import GRDB
import HeraldCore
import HeraldStore

extension SQLiteMessageStore {
    public func claim(owner: String, limit: Int, now: Date, lease: Duration) async throws -> [QueuedMessage] {
        let nowMillis = now.millis
        let until = (now + lease.timeInterval).millis
        return try await pool.write { db in
            // Leases whose worker died are handed back before anything new is claimed; never the
            // claimer's own: it is alive, so those are still being delivered.
            try db.execute(
                sql: """
                    UPDATE messages SET state = CASE WHEN attempts = 0 THEN 'queued' ELSE 'retrying' END,
                        lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE state = 'sending' AND lease_expires_at <= ? AND lease_owner != ?
                    """,
                arguments: [nowMillis, nowMillis, owner]
            )
            let rows = try Row.fetchAll(
                db,
                sql: """
                    UPDATE messages SET state = 'sending', lease_owner = ?, lease_expires_at = ?, updated_at = ?
                    WHERE seq IN (
                        SELECT seq FROM messages INDEXED BY messages_ready
                        WHERE state IN ('queued', 'retrying') AND next_attempt_at <= ?
                        ORDER BY priority DESC, seq DESC LIMIT ?)
                    RETURNING priority, seq, \(StoredMessage.columns)
                    """,
                arguments: [owner, until, nowMillis, nowMillis, limit]
            )
            return
                rows
                .sorted { ($0[0] as Int, $0[1] as Int64) > ($1[0] as Int, $1[1] as Int64) }
                .map { Self.message(from: $0, offset: 2) }
        }
    }

    public func nextLeaseExpiry(notOwnedBy owner: String) async throws -> Date? {
        try await pool.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT min(lease_expires_at) FROM messages WHERE state = 'sending' AND lease_owner != ?", arguments: [owner]
            ).map(Date.init(millis:))
        }
    }

    public func releaseLeases(owner: String, now: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE messages SET state = CASE WHEN attempts = 0 THEN 'queued' ELSE 'retrying' END,
                        lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE state = 'sending' AND lease_owner = ?
                    """,
                arguments: [now.millis, owner]
            )
        }
    }

    public func renewLeases(owner: String, now: Date, lease: Duration) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE messages SET lease_expires_at = ? WHERE state = 'sending' AND lease_owner = ?",
                arguments: [(now + lease.timeInterval).millis, owner]
            )
        }
    }

    /// A message from a row whose columns, from `offset` on, are `StoredMessage.columns`.
    static func message(from row: Row, offset: Int = 0) -> QueuedMessage {
        let segments: String = row[offset + 8]
        return QueuedMessage(
            id: row[offset],
            noticeID: row[offset + 1],
            recipient: Recipient(
                id: row[offset + 2],
                name: row[offset + 3],
                locale: row[offset + 4],
                contacts: ContactPoints(email: row[offset + 5], phone: row[offset + 6], webhook: row[offset + 7]),
                segments: SegmentColumn.split(segments)
            ),
            state: MessageState(rawValue: row[offset + 9]) ?? .queued,
            routeIndex: row[offset + 10],
            attempts: row[offset + 11],
            failures: row[offset + 12],
            channelSince: (row[offset + 13] as Int64?).map(Date.init(millis:)),
            lastError: row[offset + 14],
            createdAt: Date(millis: row[offset + 15]),
            expiresAt: Date(millis: row[offset + 18])
        )
    }
}
