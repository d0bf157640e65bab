import Foundation
import GRDB
import HeraldCore
import HeraldStore

extension SQLiteMessageStore {
    public func state(ofMessage id: String) async throws -> MessageState? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT state FROM messages WHERE id = ?", arguments: [id]).flatMap(MessageState.init(rawValue:))
        }
    }

    public func cancel(noticeID: String, reason: String, now: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE messages SET state = 'cancelled', last_error = ?, updated_at = ?
                    WHERE notice_id = ? AND state IN ('queued', 'retrying')
                    """,
                arguments: [reason, now.millis, noticeID]
            )
            return db.changesCount
        }
    }

    public func cancel(messageID: String, reason: String, now: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE messages SET state = 'cancelled', last_error = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE id = ? AND (state IN ('queued', 'retrying') OR (state = 'sending' AND lease_expires_at < ?))
                    """,
                arguments: [reason, now.millis, messageID, now.millis]
            )
            return db.changesCount > 0
        }
    }

    public func requeue(_ selection: RequeueSelection, expiresAt: Date, now: Date) async throws -> [String] {
        try await pool.write { db in
            let states = selection.stateList
            var clauses = ["state IN (\(databaseQuestionMarks(count: states.count)))"]
            var arguments = StatementArguments(states)
            if let ids = selection.ids {
                clauses.append("id IN (\(databaseQuestionMarks(count: ids.count)))")
                arguments += StatementArguments(ids)
            } else {
                if let noticeID = selection.noticeID {
                    clauses.append("notice_id = ?")
                    arguments += [noticeID]
                }
                if let since = selection.since {
                    clauses.append("updated_at >= ?")
                    arguments += [since.millis]
                }
            }
            guard !states.isEmpty else { return [] }
            let selected = try String.fetchAll(
                db, sql: "SELECT id FROM messages WHERE \(clauses.joined(separator: " AND ")) ORDER BY seq", arguments: arguments
            )
            let update = try db.cachedStatement(
                sql: """
                    UPDATE messages SET state = 'queued', route_index = 0, failures = 0, channel_since = NULL, next_attempt_at = ?,
                        expires_at = MAX(expires_at, ?), updated_at = ?
                    WHERE id = ?
                    """
            )
            for id in selected { try update.execute(arguments: [now.millis, expiresAt.millis, now.millis, id]) }
            return selected
        }
    }
}
