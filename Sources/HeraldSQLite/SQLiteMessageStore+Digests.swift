import Foundation
import GRDB
import HeraldStore

extension SQLiteMessageStore {
    public func claimDigestSlot(_ digest: String, slot: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO digest_slots (name, slot) VALUES (?, ?)
                    ON CONFLICT(name) DO UPDATE SET slot = excluded.slot WHERE excluded.slot > digest_slots.slot
                    """,
                arguments: [digest, slot.millis]
            )
            return db.changesCount > 0
        }
    }

    public func lastDigestSlot(_ digest: String) async throws -> Date? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT slot FROM digest_slots WHERE name = ?", arguments: [digest]).map(Date.init(millis:))
        }
    }
}
