import Foundation
import GRDB
import HeraldCore
import HeraldStore

extension SQLiteMessageStore {
    public func notice(id: String) async throws -> Notice? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM notices WHERE id = ?", arguments: [id]).map(Self.notice(from:))
        }
    }

    private static func notice(from row: Row) throws -> Notice {
        try NoticeRow.notice(
            id: row["id"], kind: row["kind"], template: row["template"], vars: row["vars"], locale: row["locale"],
            route: row["route"], priority: row["priority"], collapseKey: row["collapse_key"], expiresAt: row["expires_at"],
            incidentID: row["incident_id"], createdAt: row["created_at"], traceparent: row["traceparent"]
        )
    }

    public func broadcasts(limit: Int) async throws -> [BroadcastSummary] {
        try await pool.read { db in
            let notices = try Row.fetchAll(
                db, sql: "SELECT * FROM notices WHERE kind = 'broadcast' ORDER BY created_at DESC, id DESC LIMIT ?", arguments: [limit]
            ).map(Self.notice(from:))
            guard !notices.isEmpty else { return [] }
            var counts: [String: StateCounts] = [:]
            let rows = try Row.fetchAll(
                db, sql: "SELECT notice_id, state, count(*) AS n FROM messages WHERE notice_id IN (\(databaseQuestionMarks(count: notices.count))) GROUP BY notice_id, state",
                arguments: StatementArguments(notices.map(\.id))
            )
            for row in rows {
                if let state = MessageState(rawValue: row["state"]) { counts[row["notice_id"], default: StateCounts()][state] = row["n"] }
            }
            return notices.map { BroadcastSummary(notice: $0, counts: counts[$0.id] ?? StateCounts()) }
        }
    }

    public func failureReasons(noticeID: String, limit: Int) async throws -> [FailureReason] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT last_error, count(*) AS n FROM messages
                    WHERE notice_id = ? AND state IN ('retrying', 'failed', 'expired') AND last_error IS NOT NULL
                    GROUP BY last_error ORDER BY n DESC, last_error LIMIT ?
                    """,
                arguments: [noticeID, limit]
            ).map { FailureReason(error: $0["last_error"], count: $0["n"]) }
        }
    }

    public func counts(noticeID: String?) async throws -> StateCounts {
        try await pool.read { db in
            let rows: [Row]
            if let noticeID {
                rows = try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM messages WHERE notice_id = ? GROUP BY state", arguments: [noticeID])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM messages GROUP BY state")
            }
            var counts = StateCounts()
            for row in rows {
                if let state = MessageState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    public func message(id: String) async throws -> MessageDetail? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(StoredMessage.columns) FROM messages WHERE id = ?", arguments: [id]) else { return nil }
            return try Self.detail(from: row, db: db)
        }
    }

    public func messages(_ filter: MessageFilter) async throws -> [MessageDetail] {
        try await pool.read { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let noticeID = filter.noticeID {
                clauses.append("notice_id = ?")
                arguments += [noticeID]
            }
            if let state = filter.state {
                clauses.append("state = ?")
                arguments += [state.rawValue]
            }
            let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            arguments += [filter.limit]
            let rows = try Row.fetchAll(db, sql: "SELECT \(StoredMessage.columns) FROM messages \(whereClause) ORDER BY seq DESC LIMIT ?", arguments: arguments)
            return try rows.map { try Self.detail(from: $0, db: db) }
        }
    }

    private static func detail(from row: Row, db: Database) throws -> MessageDetail {
        let message = message(from: row)
        let attempts = try Row.fetchAll(
            db, sql: "SELECT at, channel, outcome, error FROM attempts WHERE message_id = ? ORDER BY rowid", arguments: [message.id]
        ).map { attempt in
            Attempt(
                at: Date(millis: attempt["at"]),
                channel: attempt["channel"],
                outcome: Attempt.Outcome(rawValue: attempt["outcome"]) ?? .transient,
                error: attempt["error"]
            )
        }
        let state = message.state
        return MessageDetail(
            message: message,
            channel: row["channel"],
            nextAttemptAt: state.isFinal ? nil : (row["next_attempt_at"] as Int64?).map(Date.init(millis:)),
            attemptLog: attempts
        )
    }
}
