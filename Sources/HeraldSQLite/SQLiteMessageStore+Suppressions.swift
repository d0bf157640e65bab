import Foundation
import GRDB
import HeraldCore
import HeraldStore

extension SQLiteMessageStore {
    public func suppressions(of contacts: [ContactPoint]) async throws -> [Suppression] {
        let values = Array(Set(contacts.map(\.value)))
        guard !values.isEmpty else { return [] }
        return try await pool.read { db in
            var found: [Suppression] = []
            // Under SQLite's 32,766 parameters per statement.
            for start in stride(from: 0, to: values.count, by: 1000) {
                let chunk = values[start..<min(start + 1000, values.count)]
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                found += try Row.fetchAll(
                    db, sql: "SELECT \(Self.suppressionColumns) FROM suppressions WHERE contact IN (\(marks))", arguments: StatementArguments(Array(chunk))
                ).compactMap(Self.suppression)
            }
            return found
        }
    }

    public func suppress(_ entries: [Suppression]) async throws -> Int {
        guard !entries.isEmpty else { return 0 }
        return try await pool.write { db in try Self.insert(entries, into: db) }
    }

    public func unsuppress(_ contact: ContactPoint, reasons: Set<SuppressionReason>?) async throws -> Int {
        try await pool.write { db in
            if let reasons {
                let marks = Array(repeating: "?", count: reasons.count).joined(separator: ", ")
                try db.execute(
                    sql: "DELETE FROM suppressions WHERE contact = ? AND reason IN (\(marks))",
                    arguments: StatementArguments([contact.value] + reasons.map(\.rawValue))
                )
            } else {
                try db.execute(sql: "DELETE FROM suppressions WHERE contact = ?", arguments: [contact.value])
            }
            return db.changesCount
        }
    }

    public func suppressionList(after: String?, limit: Int) async throws -> [Suppression] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.suppressionColumns) FROM suppressions
                    WHERE contact IN (SELECT DISTINCT contact FROM suppressions WHERE contact > ? ORDER BY contact LIMIT ?)
                    ORDER BY contact, reason
                    """,
                arguments: [after ?? "", limit]
            ).compactMap(Self.suppression)
        }
    }

    /// Adds the entries not listed yet, inside the caller's transaction. - Returns: how many were new.
    static func insert(_ entries: [Suppression], into db: Database) throws -> Int {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO suppressions (contact, reason, kind, source, detail, added_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (contact, reason) DO NOTHING
                """
        )
        var added = 0
        for entry in entries {
            try statement.execute(arguments: [
                entry.contact.value, entry.reason.rawValue, entry.contact.kind.rawValue, entry.source, entry.detail, entry.addedAt.millis,
            ])
            added += db.changesCount
        }
        return added
    }

    static let suppressionColumns = "contact, reason, kind, source, detail, added_at"

    /// A row of `suppressionColumns`; `nil` for a reason or kind this version does not know.
    static func suppression(_ row: Row) -> Suppression? {
        guard let reason = SuppressionReason(rawValue: row[1]), let kind = ContactKind(rawValue: row[2]) else { return nil }
        return Suppression(
            contact: ContactPoint(kind: kind, normalized: row[0]), reason: reason, source: row[3], detail: row[4], addedAt: Date(millis: row[5])
        )
    }
}
