import Foundation
import GRDB
import HeraldCore
import HeraldStore

extension SQLiteMessageStore {
    public func record(_ results: [DeliveryResult], owner: String, now: Date) async throws {
        guard !results.isEmpty else { return }
        let nowMillis = now.millis
        try await pool.write { db in
            let logAttempt = try db.cachedStatement(sql: "INSERT INTO attempts (message_id, at, channel, outcome, error) VALUES (?, ?, ?, ?, ?)")
            let finish = try db.cachedStatement(
                sql: """
                    UPDATE messages SET state = ?, last_error = ?, channel = COALESCE(?, channel), attempts = attempts + ?,
                        lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE id = ? AND lease_owner = ? AND state = 'sending'
                    """
            )
            let reschedule = try db.cachedStatement(
                sql: """
                    UPDATE messages SET state = 'retrying', last_error = ?, channel = COALESCE(?, channel), attempts = attempts + ?,
                        next_attempt_at = ?, route_index = ?, failures = ?, channel_since = ?,
                        lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE id = ? AND lease_owner = ? AND state = 'sending'
                    """
            )
            var delivering: Set<String> = []
            for result in results {
                if !result.learned.isEmpty { _ = try Self.insert(result.learned, into: db) }
                let tried = result.attempts.filter { $0.outcome != .skipped }
                let channel = tried.last?.channel
                switch result.transition {
                case .delivered:
                    try finish.execute(arguments: [MessageState.delivered.rawValue, nil, channel, tried.count, nowMillis, result.messageID, owner])
                case .failed(let error):
                    try finish.execute(arguments: [MessageState.failed.rawValue, error, channel, tried.count, nowMillis, result.messageID, owner])
                case .expired(let error):
                    try finish.execute(arguments: [MessageState.expired.rawValue, error, channel, tried.count, nowMillis, result.messageID, owner])
                case .dropped(let state, let reason):
                    try finish.execute(arguments: [state.rawValue, reason, channel, tried.count, nowMillis, result.messageID, owner])
                case .retry(let at, let routeIndex, let failures, let since, let error):
                    try reschedule.execute(arguments: [
                        error, channel, tried.count, at.millis, routeIndex, failures, since?.millis, nowMillis, result.messageID, owner,
                    ])
                }
                // A lease lost to another worker means this result is stale: keep the ledger truthful by skipping it.
                guard db.changesCount > 0 else { continue }
                if case .delivered(let channel) = result.transition { delivering.insert(channel) }
                for attempt in result.attempts {
                    try logAttempt.execute(arguments: [result.messageID, attempt.at.millis, attempt.channel, attempt.outcome.rawValue, attempt.error])
                }
            }
            guard !delivering.isEmpty else { return }
            try db.execute(
                sql: """
                    UPDATE channel_health SET state = 'closed', failures = 0, changed_at = ?
                    WHERE channel IN (\(databaseQuestionMarks(count: delivering.count))) AND state != 'closed'
                    """,
                arguments: StatementArguments([nowMillis] as [any DatabaseValueConvertible]) + StatementArguments(delivering.sorted())
            )
        }
    }
}
