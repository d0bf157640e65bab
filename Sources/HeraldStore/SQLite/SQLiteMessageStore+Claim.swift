import Foundation
import GRDB
import HeraldCore

extension SQLiteMessageStore {
    static let messageColumns = """
        id, notice_id, recipient_id, name, locale, email, phone, webhook, segments, state, route_index, attempts,
        failures, channel_since, last_error, created_at, channel, next_attempt_at, expires_at
        """

    public func claim(owner: String, limit: Int, now: Date, lease: Duration) async throws -> [QueuedMessage] {
        let nowMillis = now.millis
        let until = (now + lease.timeInterval).millis
        return try await pool.write { db in
            // Leases whose worker died are handed back before anything new is claimed.
            try db.execute(
                sql: """
                    UPDATE messages SET state = CASE WHEN attempts = 0 THEN 'queued' ELSE 'retrying' END,
                        lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE state = 'sending' AND lease_expires_at <= ?
                    """,
                arguments: [nowMillis, nowMillis]
            )
            let rows = try Row.fetchAll(
                db,
                sql: """
                    UPDATE messages SET state = 'sending', lease_owner = ?, lease_expires_at = ?, updated_at = ?
                    WHERE seq IN (
                        SELECT seq FROM messages INDEXED BY messages_ready
                        WHERE state IN ('queued', 'retrying') AND next_attempt_at <= ?
                        ORDER BY priority DESC, seq DESC LIMIT ?)
                    RETURNING priority, seq, \(Self.messageColumns)
                    """,
                arguments: [owner, until, nowMillis, nowMillis, limit]
            )
            return
                rows
                .sorted { ($0["priority"] as Int, $0["seq"] as Int64) > ($1["priority"] as Int, $1["seq"] as Int64) }
                .map(Self.message(from:))
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

    static func message(from row: Row) -> QueuedMessage {
        let segments: String = row["segments"]
        return QueuedMessage(
            id: row["id"],
            noticeID: row["notice_id"],
            recipient: Recipient(
                id: row["recipient_id"],
                name: row["name"],
                locale: row["locale"],
                contacts: ContactPoints(email: row["email"], phone: row["phone"], webhook: row["webhook"]),
                segments: segments.isEmpty ? [] : segments.split(separator: ";").map(String.init)
            ),
            state: MessageState(rawValue: row["state"]) ?? .queued,
            routeIndex: row["route_index"],
            attempts: row["attempts"],
            failures: row["failures"],
            channelSince: (row["channel_since"] as Int64?).map(Date.init(millis:)),
            lastError: row["last_error"],
            createdAt: Date(millis: row["created_at"]),
            expiresAt: Date(millis: row["expires_at"])
        )
    }
}
