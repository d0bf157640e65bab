import Foundation
import HeraldCore
import HeraldStore
import PostgresNIO

extension PostgresMessageStore {
    /// The columns `notice(from:)` reads, in order.
    static let noticeColumns = "id, kind, template, vars, locale, route, priority, collapse_key, expires_at, incident_id, created_at, traceparent"

    public func notice(id: String) async throws -> Notice? {
        try await rows("SELECT \(unescaped: Self.noticeColumns) FROM notices WHERE id = \(id)").first.map(Self.notice(from:))
    }

    private static func notice(from row: PostgresRow) throws -> Notice {
        let (id, kind, template, vars, locale, route, priority, collapseKey, expiresAt, incidentID, createdAt, traceparent) = try row.decode(
            (String, String, String, String, String?, String, Int, String?, Int64, String?, Int64, String?).self
        )
        return try NoticeRow.notice(
            id: id, kind: kind, template: template, vars: vars, locale: locale, route: route, priority: priority,
            collapseKey: collapseKey, expiresAt: expiresAt, incidentID: incidentID, createdAt: createdAt, traceparent: traceparent
        )
    }

    public func broadcasts(limit: Int) async throws -> [BroadcastSummary] {
        let notices = try await rows(
            "SELECT \(unescaped: Self.noticeColumns) FROM notices WHERE kind = 'broadcast' ORDER BY created_at DESC, id DESC LIMIT \(limit)"
        ).map(Self.notice(from:))
        guard !notices.isEmpty else { return [] }
        var counts: [String: StateCounts] = [:]
        for row in try await rows("SELECT notice_id, state, count(*) FROM messages WHERE notice_id = ANY(\(notices.map(\.id))) GROUP BY notice_id, state") {
            let (noticeID, state, n) = try row.decode((String, String, Int).self)
            if let state = MessageState(rawValue: state) { counts[noticeID, default: StateCounts()][state] = n }
        }
        return notices.map { BroadcastSummary(notice: $0, counts: counts[$0.id] ?? StateCounts()) }
    }

    public func failureReasons(noticeID: String, limit: Int) async throws -> [FailureReason] {
        try await rows(
            """
            SELECT last_error, count(*) AS n FROM messages
            WHERE notice_id = \(noticeID) AND state IN ('retrying', 'failed', 'expired') AND last_error IS NOT NULL
            GROUP BY last_error ORDER BY n DESC, last_error LIMIT \(limit)
            """
        ).map { row in
            let (error, count) = try row.decode((String, Int).self)
            return FailureReason(error: error, count: count)
        }
    }

    public func counts(noticeID: String?) async throws -> StateCounts {
        let query: PostgresQuery =
            if let noticeID {
                "SELECT state, count(*) FROM messages WHERE notice_id = \(noticeID) GROUP BY state"
            } else {
                "SELECT state, count(*) FROM messages GROUP BY state"
            }
        var counts = StateCounts()
        for row in try await rows(query) {
            let (state, n) = try row.decode((String, Int).self)
            if let state = MessageState(rawValue: state) { counts[state] = n }
        }
        return counts
    }

    public func message(id: String) async throws -> MessageDetail? {
        try await details(of: try await rows("SELECT \(unescaped: StoredMessage.columns) FROM messages WHERE id = \(id)")).first
    }

    public func messages(_ filter: MessageFilter) async throws -> [MessageDetail] {
        let found = try await rows(
            """
            SELECT \(unescaped: StoredMessage.columns) FROM messages
            WHERE (\(filter.noticeID)::text IS NULL OR notice_id = \(filter.noticeID))
                AND (\(filter.state?.rawValue)::text IS NULL OR state = \(filter.state?.rawValue))
            ORDER BY seq DESC LIMIT \(filter.limit)
            """
        )
        return try await details(of: found)
    }

    /// Messages from rows of `StoredMessage.columns`, with their attempt ledgers read in one query
    /// for all of them (not one round trip per message).
    private func details(of found: [PostgresRow]) async throws -> [MessageDetail] {
        let cells = found.map { $0.makeRandomAccess() }
        let messages = try cells.map { try Self.message(from: $0) }
        guard !messages.isEmpty else { return [] }
        var ledgers: [String: [Attempt]] = [:]
        let attempts = try await rows(
            "SELECT message_id, at, channel, outcome, error FROM attempts WHERE message_id = ANY(\(messages.map(\.id))) ORDER BY seq"
        )
        for attempt in attempts {
            let (id, at, channel, outcome, error) = try attempt.decode((String, Int64, String, String, String?).self)
            ledgers[id, default: []].append(
                Attempt(at: Date(millis: at), channel: channel, outcome: Attempt.Outcome(rawValue: outcome) ?? .transient, error: error)
            )
        }
        return try zip(messages, cells).map { message, cells in
            MessageDetail(
                message: message,
                channel: try cells[16].decode(String?.self),
                nextAttemptAt: message.state.isFinal ? nil : Date(millis: try cells[17].decode(Int64.self)),
                attemptLog: ledgers[message.id] ?? []
            )
        }
    }

    public func state(ofMessage id: String) async throws -> MessageState? {
        try await rows("SELECT state FROM messages WHERE id = \(id)").first.flatMap { MessageState(rawValue: try $0.decode(String.self)) }
    }

    public func cancel(noticeID: String, reason: String, now: Date) async throws -> Int {
        try await rows(
            """
            UPDATE messages SET state = 'cancelled', last_error = \(reason), updated_at = \(now.millis)
            WHERE notice_id = \(noticeID) AND state IN ('queued', 'retrying')
            RETURNING id
            """
        ).count
    }

    public func cancel(messageID: String, reason: String, now: Date) async throws -> Bool {
        try await !rows(
            """
            UPDATE messages SET state = 'cancelled', last_error = \(reason), lease_owner = NULL, lease_expires_at = NULL, updated_at = \(now.millis)
            WHERE id = \(messageID) AND (state IN ('queued', 'retrying') OR (state = 'sending' AND lease_expires_at < \(now.millis)))
            RETURNING id
            """
        ).isEmpty
    }

    public func requeue(_ selection: RequeueSelection, expiresAt: Date, now: Date) async throws -> [String] {
        let requeued = try await rows(
            """
            UPDATE messages SET state = 'queued', route_index = 0, failures = 0, channel_since = NULL, next_attempt_at = \(now.millis),
                expires_at = GREATEST(expires_at, \(expiresAt.millis)), updated_at = \(now.millis)
            WHERE state = ANY(\(selection.stateList))
                AND (\(selection.ids)::text[] IS NULL OR id = ANY(\(selection.ids)))
                AND (\(selection.ids)::text[] IS NOT NULL OR (
                    (\(selection.noticeID)::text IS NULL OR notice_id = \(selection.noticeID))
                    AND (\(selection.since?.millis)::bigint IS NULL OR updated_at >= \(selection.since?.millis))))
            RETURNING id, seq
            """
        )
        return try requeued.map { try $0.decode((String, Int).self) }.sorted { $0.1 < $1.1 }.map(\.0)
    }
}
