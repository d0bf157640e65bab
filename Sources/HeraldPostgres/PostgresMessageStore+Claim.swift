import Foundation
import HeraldCore
import HeraldStore
import PostgresNIO

extension PostgresMessageStore {
    public func claim(owner: String, limit: Int, now: Date, lease: Duration) async throws -> [QueuedMessage] {
        let nowMillis = now.millis
        let until = (now + lease.timeInterval).millis
        let claimed = try await transaction { connection in
            // Leases whose worker died are handed back before anything new is claimed; never the
            // claimer's own: it is alive, so those are still being delivered.
            try await connection.query(
                """
                UPDATE messages SET state = CASE WHEN attempts = 0 THEN 'queued' ELSE 'retrying' END,
                    lease_owner = NULL, lease_expires_at = NULL, updated_at = \(nowMillis)
                WHERE state = 'sending' AND lease_expires_at <= \(nowMillis) AND lease_owner <> \(owner)
                """,
                logger: logger
            )
            // SKIP LOCKED: rows another node is claiming right now are passed over, not waited for.
            return try await rows(
                """
                UPDATE messages SET state = 'sending', lease_owner = \(owner), lease_expires_at = \(until), updated_at = \(nowMillis)
                WHERE seq IN (
                    SELECT seq FROM messages
                    WHERE state IN ('queued', 'retrying') AND next_attempt_at <= \(nowMillis)
                    ORDER BY priority DESC, seq DESC LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED)
                RETURNING priority, seq, \(unescaped: StoredMessage.columns)
                """,
                on: connection
            )
        }
        return try claimed.map { row -> (rank: Int, seq: Int, message: QueuedMessage) in
            let cells = row.makeRandomAccess()
            return (try cells[0].decode(Int.self), try cells[1].decode(Int.self), try Self.message(from: cells, offset: 2))
        }
        .sorted { ($0.rank, $0.seq) > ($1.rank, $1.seq) }
        .map(\.message)
    }

    public func nextLeaseExpiry(notOwnedBy owner: String) async throws -> Date? {
        try await rows("SELECT min(lease_expires_at) FROM messages WHERE state = 'sending' AND lease_owner <> \(owner)")
            .first?.decode(Int64?.self).map(Date.init(millis:))
    }

    public func releaseLeases(owner: String, now: Date) async throws {
        try await client.query(
            """
            UPDATE messages SET state = CASE WHEN attempts = 0 THEN 'queued' ELSE 'retrying' END,
                lease_owner = NULL, lease_expires_at = NULL, updated_at = \(now.millis)
            WHERE state = 'sending' AND lease_owner = \(owner)
            """,
            logger: logger
        )
    }

    public func renewLeases(owner: String, now: Date, lease: Duration) async throws {
        try await client.query(
            "UPDATE messages SET lease_expires_at = \((now + lease.timeInterval).millis) WHERE state = 'sending' AND lease_owner = \(owner)",
            logger: logger
        )
    }

    public func record(_ results: [DeliveryResult], owner: String, now: Date) async throws {
        guard !results.isEmpty else { return }
        let nowMillis = now.millis
        try await transaction { connection in
            var delivering: Set<String> = []
            let learned = results.flatMap(\.learned)
            if !learned.isEmpty { _ = try await insert(learned, on: connection) }
            for result in results {
                let tried = result.attempts.filter { $0.outcome != .skipped }
                let channel = tried.last?.channel
                let finish = { (state: MessageState, error: String?) -> PostgresQuery in
                    """
                    UPDATE messages SET state = \(state.rawValue), last_error = \(error), channel = COALESCE(\(channel), channel),
                        attempts = attempts + \(tried.count), lease_owner = NULL, lease_expires_at = NULL, updated_at = \(nowMillis)
                    WHERE id = \(result.messageID) AND lease_owner = \(owner) AND state = 'sending'
                    RETURNING id
                    """
                }
                let query: PostgresQuery
                switch result.transition {
                case .delivered: query = finish(.delivered, nil)
                case .failed(let error): query = finish(.failed, error)
                case .expired(let error): query = finish(.expired, error)
                case .dropped(let state, let reason): query = finish(state, reason)
                case .retry(let at, let routeIndex, let failures, let since, let error):
                    query = """
                        UPDATE messages SET state = 'retrying', last_error = \(error), channel = COALESCE(\(channel), channel),
                            attempts = attempts + \(tried.count), next_attempt_at = \(at.millis), route_index = \(routeIndex),
                            failures = \(failures), channel_since = \(since?.millis), lease_owner = NULL, lease_expires_at = NULL,
                            updated_at = \(nowMillis)
                        WHERE id = \(result.messageID) AND lease_owner = \(owner) AND state = 'sending'
                        RETURNING id
                        """
                }
                // A lease lost to another worker means this result is stale: keep the ledger truthful by skipping it.
                guard !(try await rows(query, on: connection).isEmpty) else { continue }
                if case .delivered(let channel) = result.transition { delivering.insert(channel) }
                for attempt in result.attempts {
                    try await connection.query(
                        """
                        INSERT INTO attempts (message_id, at, channel, outcome, error)
                        VALUES (\(result.messageID), \(attempt.at.millis), \(attempt.channel), \(attempt.outcome.rawValue), \(attempt.error))
                        """,
                        logger: logger
                    )
                }
            }
            guard !delivering.isEmpty else { return }
            try await connection.query(
                """
                UPDATE channel_health SET state = 'closed', failures = 0, changed_at = \(nowMillis)
                WHERE channel = ANY(\(delivering.sorted())) AND state <> 'closed'
                """,
                logger: logger
            )
        }
    }

    /// A message from a row whose columns, from `offset` on, are `StoredMessage.columns`.
    static func message(from cells: PostgresRandomAccessRow, offset: Int = 0) throws -> QueuedMessage {
        let segments = try cells[offset + 8].decode(String.self)
        return QueuedMessage(
            id: try cells[offset].decode(String.self),
            noticeID: try cells[offset + 1].decode(String.self),
            recipient: Recipient(
                id: try cells[offset + 2].decode(String.self),
                name: try cells[offset + 3].decode(String.self),
                locale: try cells[offset + 4].decode(String?.self),
                contacts: ContactPoints(
                    email: try cells[offset + 5].decode(String?.self), phone: try cells[offset + 6].decode(String?.self),
                    webhook: try cells[offset + 7].decode(String?.self)
                ),
                segments: SegmentColumn.split(segments)
            ),
            state: MessageState(rawValue: try cells[offset + 9].decode(String.self)) ?? .queued,
            routeIndex: try cells[offset + 10].decode(Int.self),
            attempts: try cells[offset + 11].decode(Int.self),
            failures: try cells[offset + 12].decode(Int.self),
            channelSince: try cells[offset + 13].decode(Int64?.self).map(Date.init(millis:)),
            lastError: try cells[offset + 14].decode(String?.self),
            createdAt: Date(millis: try cells[offset + 15].decode(Int64.self)),
            expiresAt: Date(millis: try cells[offset + 18].decode(Int64.self))
        )
    }
}
