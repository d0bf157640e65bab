import Foundation
import GRDB
import HeraldCore

extension SQLiteMessageStore {
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

    public func channelSummaries() async throws -> [ChannelSummary] {
        try await pool.read { db in
            var summaries: [String: ChannelSummary] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT channel, state FROM channel_health") {
                let name: String = row["channel"]
                summaries[name] = ChannelSummary(
                    name: name, circuit: CircuitBreaker.State(rawValue: row["state"]) ?? .closed, delivered: 0, failed: 0
                )
            }
            let counts = try Row.fetchAll(
                db,
                sql: """
                    SELECT channel, state, count(*) AS n FROM messages
                    WHERE channel IS NOT NULL AND state IN ('delivered', 'failed', 'queued', 'retrying', 'sending') GROUP BY channel, state
                    """
            )
            for row in counts {
                let name: String = row["channel"]
                var summary = summaries[name] ?? ChannelSummary(name: name, circuit: .closed, delivered: 0, failed: 0)
                let n: Int = row["n"]
                switch row["state"] as String {
                case "delivered": summary.delivered += n
                case "failed": summary.failed += n
                default: summary.queued += n
                }
                summaries[name] = summary
            }
            return summaries.values.sorted { $0.name < $1.name }
        }
    }
}
