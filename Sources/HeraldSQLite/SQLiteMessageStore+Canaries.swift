import Foundation
import GRDB
import HeraldCore
import HeraldStore

/// Canary results (one row per channel) and drill reports (JSON, one row per drill).
extension SQLiteMessageStore {
    public func recordCanary(_ result: CanaryResult) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO canaries (channel, delivered, detail, at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(channel) DO UPDATE SET delivered = excluded.delivered, detail = excluded.detail, at = excluded.at
                    WHERE excluded.at >= canaries.at
                    """,
                arguments: [result.channel, result.delivered, result.detail, result.at.millis]
            )
        }
    }

    public func canaryResults() async throws -> [CanaryResult] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT channel, delivered, detail, at FROM canaries ORDER BY channel").map { row in
                CanaryResult(channel: row[0], delivered: row[1], detail: row[2], at: Date(millis: row[3]))
            }
        }
    }

    public func saveDrill(_ report: DrillReport) async throws {
        let json = try StoredDocument.encode(report)
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO drills (ran_at, report) VALUES (?, ?)", arguments: [report.ranAt.millis, json])
        }
    }

    public func lastDrill() async throws -> DrillReport? {
        let json = try await pool.read { db in try String.fetchOne(db, sql: "SELECT report FROM drills ORDER BY id DESC LIMIT 1") }
        return try json.map { try StoredDocument.decode($0, as: DrillReport.self) }
    }
}
