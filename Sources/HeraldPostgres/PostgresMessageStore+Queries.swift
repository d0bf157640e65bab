import Foundation
import HeraldCore
import HeraldStore
import PostgresNIO

extension PostgresMessageStore {
    public func notice(id: String) async throws -> Notice? {
        let found = try await rows(
            """
            SELECT id, kind, template, vars, locale, route, priority, collapse_key, expires_at, incident_id, created_at
            FROM notices WHERE id = \(id)
            """
        )
        guard let row = found.first else { return nil }
        let (id, kind, template, vars, locale, route, priority, collapseKey, expiresAt, incidentID, createdAt) = try row.decode(
            (String, String, String, String, String?, String, Int, String?, Int64, String?, Int64).self
        )
        return try NoticeRow.notice(
            id: id, kind: kind, template: template, vars: vars, locale: locale, route: route, priority: priority,
            collapseKey: collapseKey, expiresAt: expiresAt, incidentID: incidentID, createdAt: createdAt
        )
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
            ORDER BY seq LIMIT \(filter.limit)
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

    public func requeue(ids: [String]?, failedIn noticeID: String?, since: Date?, expiresAt: Date, now: Date) async throws -> [String] {
        // Named ids (failed, expired or cancelled), or every failed message of the notice (or queue) since `since`.
        let requeued = try await rows(
            """
            UPDATE messages SET state = 'queued', route_index = 0, failures = 0, channel_since = NULL, next_attempt_at = \(now.millis),
                expires_at = GREATEST(expires_at, \(expiresAt.millis)), updated_at = \(now.millis)
            WHERE (\(ids)::text[] IS NOT NULL AND state IN ('failed', 'expired', 'cancelled') AND id = ANY(\(ids)))
                OR (\(ids)::text[] IS NULL AND state = 'failed' AND (\(noticeID)::text IS NULL OR notice_id = \(noticeID))
                    AND (\(since?.millis)::bigint IS NULL OR updated_at >= \(since?.millis)))
            RETURNING id, seq
            """
        )
        return try requeued.map { try $0.decode((String, Int).self) }.sorted { $0.1 < $1.1 }.map(\.0)
    }
}
