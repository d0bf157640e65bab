import Foundation
import HeraldCore
import HeraldStore
import PostgresNIO

/// Canary results (one row per channel, the latest kept whichever node wrote it) and drill reports (JSON).
extension PostgresMessageStore {
    public func recordCanary(_ result: CanaryResult) async throws {
        try await client.query(
            """
            INSERT INTO canaries (channel, delivered, detail, at) VALUES (\(result.channel), \(result.delivered), \(result.detail), \(result.at.millis))
            ON CONFLICT (channel) DO UPDATE SET delivered = excluded.delivered, detail = excluded.detail, at = excluded.at
            WHERE excluded.at >= canaries.at
            """,
            logger: logger
        )
    }

    public func canaryResults() async throws -> [CanaryResult] {
        try await rows("SELECT channel, delivered, detail, at FROM canaries ORDER BY channel").map { row in
            let (channel, delivered, detail, at) = try row.decode((String, Bool, String?, Int64).self)
            return CanaryResult(channel: channel, delivered: delivered, detail: detail, at: Date(millis: at))
        }
    }

    public func saveDrill(_ report: DrillReport) async throws {
        let json = try StoredDocument.encode(report)
        try await client.query("INSERT INTO drills (ran_at, report) VALUES (\(report.ranAt.millis), \(json))", logger: logger)
    }

    public func lastDrill() async throws -> DrillReport? {
        try await rows("SELECT report FROM drills ORDER BY id DESC LIMIT 1").first.map { try StoredDocument.decode(try $0.decode(String.self), as: DrillReport.self) }
    }
}
