import Foundation
import GRDB
import HeraldStore

extension SQLiteMessageStore {
    public func claimIdempotencyKey(_ key: String, fingerprint: String, now: Date, window: Duration) async throws -> IdempotencyClaim {
        let oldest = now.addingTimeInterval(-window.timeInterval).millis
        return try await pool.write { db in
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE key = ? AND created_at < ?", arguments: [key, oldest])
            if let row = try Row.fetchOne(db, sql: "SELECT fingerprint, status, content_type, body FROM idempotency_keys WHERE key = ?", arguments: [key]) {
                guard row["fingerprint"] as String == fingerprint else { return .mismatch }
                guard let status = row["status"] as Int? else { return .inProgress }
                let body: Data = row["body"] ?? Data()
                return .replay(StoredResponse(status: status, contentType: row["content_type"] ?? "application/json", body: Array(body)))
            }
            try db.execute(
                sql: "INSERT INTO idempotency_keys (key, fingerprint, created_at) VALUES (?, ?, ?)", arguments: [key, fingerprint, now.millis]
            )
            return .claimed
        }
    }

    public func completeIdempotencyKey(_ key: String, response: StoredResponse) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE idempotency_keys SET status = ?, content_type = ?, body = ? WHERE key = ?",
                arguments: [response.status, response.contentType, Data(response.body), key]
            )
        }
    }

    public func releaseIdempotencyKey(_ key: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE key = ? AND status IS NULL", arguments: [key])
        }
    }
}
