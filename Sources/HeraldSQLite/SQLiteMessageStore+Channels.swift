import Foundation
import GRDB
import HeraldCore
import HeraldStore

extension SQLiteMessageStore {
    public func checkWritable(now: Date) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO readiness (id, checked_at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET checked_at = excluded.checked_at",
                arguments: [now.millis]
            )
        }
    }

    public func saveCircuit(_ circuit: CircuitRecord) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO channel_health (channel, state, failures, changed_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(channel) DO UPDATE SET state = excluded.state, failures = excluded.failures, changed_at = excluded.changed_at
                    """,
                arguments: [circuit.channel, circuit.state.rawValue, circuit.consecutiveFailures, circuit.changedAt.millis]
            )
        }
    }

    public func wakeRetrying(channel: String, now: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE messages SET next_attempt_at = ? WHERE state = 'retrying' AND channel = ? AND next_attempt_at > ?",
                arguments: [now.millis, channel, now.millis]
            )
            return db.changesCount
        }
    }

    public func circuits() async throws -> [CircuitRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT channel, state, failures, changed_at FROM channel_health").compactMap { row in
                CircuitBreaker.State(rawValue: row["state"]).map {
                    CircuitRecord(channel: row["channel"], state: $0, consecutiveFailures: row["failures"], changedAt: Date(millis: row["changed_at"]))
                }
            }
        }
    }

    public func claimProbe(channel: String, now: Date, cooldown: Duration) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE channel_health SET state = 'half_open', changed_at = ?
                    WHERE channel = ? AND state IN ('open', 'half_open') AND changed_at <= ?
                    """,
                arguments: [now.millis, channel, (now - cooldown.timeInterval).millis]
            )
            return db.changesCount > 0
        }
    }

    public func leaseSlots(channel: String, count: Int, interval: TimeInterval, now: Date) async throws -> Date {
        let span = Int64((interval * Double(count) * 1_000_000).rounded())
        let next = try await pool.write { db in
            try Int64.fetchOne(
                db,
                sql: """
                    INSERT INTO rate_slots (channel, next_at) VALUES (?, ? + ?)
                    ON CONFLICT(channel) DO UPDATE SET next_at = max(next_at, ?) + ?
                    RETURNING next_at
                    """,
                arguments: [channel, now.micros, span, now.micros, span]
            ) ?? now.micros + span
        }
        return Date(micros: next - span)
    }

    public func channelSummaries() async throws -> [ChannelSummary] {
        try await pool.read { db in
            var summaries = ChannelSummary.Tally()
            for row in try Row.fetchAll(db, sql: "SELECT channel, state FROM channel_health") {
                summaries.circuit(of: row["channel"], is: row["state"])
            }
            let counts = try Row.fetchAll(
                db,
                sql: """
                    SELECT channel, state, count(*) AS n FROM messages
                    WHERE channel IS NOT NULL AND state IN ('delivered', 'failed', 'queued', 'retrying', 'sending') GROUP BY channel, state
                    """
            )
            for row in counts { summaries.count(row["n"], of: row["channel"], in: row["state"]) }
            return summaries.sorted
        }
    }
}
