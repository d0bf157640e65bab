import Foundation
import HeraldCore
import HeraldStore
import PostgresNIO

extension PostgresMessageStore {
    public func suppressions(of contacts: [ContactPoint]) async throws -> [Suppression] {
        let values = Array(Set(contacts.map(\.value)))
        guard !values.isEmpty else { return [] }
        let rows = try await client.query(
            "SELECT contact, reason, kind, source, detail, added_at FROM suppressions WHERE contact = ANY(\(values))", logger: logger
        )
        return try await Self.suppressions(rows)
    }

    public func suppress(_ entries: [Suppression]) async throws -> Int {
        guard !entries.isEmpty else { return 0 }
        return try await transaction { connection in try await insert(entries, on: connection) }
    }

    public func unsuppress(_ contact: ContactPoint, reasons: Set<SuppressionReason>?) async throws -> Int {
        let reasonNames = reasons.map { $0.map(\.rawValue) } ?? SuppressionReason.allCases.map(\.rawValue)
        let rows = try await client.query(
            "DELETE FROM suppressions WHERE contact = \(contact.value) AND reason = ANY(\(reasonNames)) RETURNING reason", logger: logger
        )
        var removed = 0
        for try await _ in rows { removed += 1 }
        return removed
    }

    public func suppressionList(after: String?, limit: Int) async throws -> [Suppression] {
        let rows = try await client.query(
            """
            SELECT contact, reason, kind, source, detail, added_at FROM suppressions
            WHERE contact IN (SELECT DISTINCT contact FROM suppressions WHERE contact > \(after ?? "") ORDER BY contact LIMIT \(limit))
            ORDER BY contact, reason
            """,
            logger: logger
        )
        return try await Self.suppressions(rows)
    }

    /// Adds the entries not listed yet, on the caller's transaction. - Returns: how many were new.
    func insert(_ entries: [Suppression], on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(
            """
            INSERT INTO suppressions (contact, reason, kind, source, detail, added_at)
            SELECT c, r, k, s, NULLIF(d, ''), a FROM unnest(\(entries.map(\.contact.value)), \(entries.map(\.reason.rawValue)),
                \(entries.map(\.contact.kind.rawValue)), \(entries.map(\.source)), \(entries.map { $0.detail ?? "" }), \(entries.map(\.addedAt.millis)))
                AS n(c, r, k, s, d, a)
            ON CONFLICT (contact, reason) DO NOTHING
            RETURNING contact
            """,
            logger: logger
        )
        var added = 0
        for try await _ in rows { added += 1 }
        return added
    }

    private static func suppressions(_ rows: PostgresRowSequence) async throws -> [Suppression] {
        var found: [Suppression] = []
        for try await (contact, reason, kind, source, detail, addedAt) in rows.decode((String, String, String, String, String?, Int64).self) {
            guard let reason = SuppressionReason(rawValue: reason), let kind = ContactKind(rawValue: kind) else { continue }
            found.append(
                Suppression(contact: ContactPoint(kind: kind, normalized: contact), reason: reason, source: source, detail: detail, addedAt: Date(millis: addedAt))
            )
        }
        return found
    }
}
