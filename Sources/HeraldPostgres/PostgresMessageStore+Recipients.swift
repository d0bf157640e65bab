import Foundation
import HeraldCore
import HeraldStore
import NIOPosix
import PostgresNIO

extension PostgresMessageStore {
    public func upsertRecipients(_ source: sending some BatchSource<Recipient>, now: Date) async throws -> Int {
        let source = Transfer<any BatchSource<Recipient>>(value: source)
        let now = now.millis
        return try await transaction { connection in
            var total = 0
            while let batch = try await source.value.nextBatch(limit: Self.enqueueBatchSize) {
                try await upsert(Self.lastOfEachID(batch), now: now, on: connection)
                total += batch.count
            }
            return total
        }
    }

    /// One multi-row upsert per batch; PostgreSQL refuses to update one row twice in a statement, so a
    /// recipient listed twice in a batch keeps its last entry, as it would when written one by one.
    private static func lastOfEachID(_ batch: [Recipient]) -> [Recipient] {
        var seen: Set<String> = []
        return batch.reversed().filter { seen.insert($0.id).inserted }.reversed()
    }

    private func upsert(_ recipients: [Recipient], now: Int64, on connection: PostgresConnection) async throws {
        var bindings = PostgresBindings(capacity: 1 + recipients.count * 7)
        bindings.append(now)
        var rows: [String] = []
        var (memberships, members) = ([String](), [String]())
        for recipient in recipients {
            let own = bindings.appendRow { $0.appendRecipient(recipient) }
            rows.append("(\(own), $1)")
            for segment in recipient.segments {
                memberships.append(segment)
                members.append(recipient.id)
            }
        }
        let sql = """
            INSERT INTO recipients (id, name, locale, email, phone, webhook, segments, updated_at) VALUES \(rows.joined(separator: ", "))
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, locale = excluded.locale, email = excluded.email,
                phone = excluded.phone, webhook = excluded.webhook, segments = excluded.segments, updated_at = excluded.updated_at
            """
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        try await connection.query("DELETE FROM recipient_segments WHERE recipient_id = ANY(\(recipients.map(\.id)))", logger: logger)
        try await connection.query(
            """
            INSERT INTO recipient_segments (segment, recipient_id) SELECT * FROM unnest(\(memberships), \(members))
            ON CONFLICT DO NOTHING
            """,
            logger: logger
        )
    }

    public func removeRecipient(id: String) async throws -> Bool {
        try await transaction { connection in
            try await connection.query("DELETE FROM recipient_segments WHERE recipient_id = \(id)", logger: logger)
            return try await rows("DELETE FROM recipients WHERE id = \(id) RETURNING id", on: connection).isEmpty == false
        }
    }

    public func recipients(segment: String?, after cursor: String?, limit: Int) async throws -> [Recipient] {
        try Self.recipients(from: try await rows(Self.recipientPage(segment: segment, after: cursor, limit: limit)))
    }

    public func recipientCount(segment: String?) async throws -> Int {
        let query: PostgresQuery =
            if let segment {
                "SELECT count(*) FROM recipient_segments WHERE segment = \(segment)"
            } else {
                "SELECT count(*) FROM recipients"
            }
        return try await rows(query).first?.decode(Int.self) ?? 0
    }

    public func recipientStream(segment: String?) throws -> any BatchSource<AudienceEntry> {
        let reader = PostgresSegmentReader(location: location, segment: segment, logger: logger)
        return PagedRecipients { after, limit in try await reader.page(after: after, limit: limit) }
    }

    /// One page of recipients ordered by id, after `cursor`.
    static func recipientPage(segment: String?, after cursor: String?, limit: Int) -> PostgresQuery {
        let columns = "r.id, r.name, r.locale, r.email, r.phone, r.webhook, r.segments"
        if let segment {
            return """
                SELECT \(unescaped: columns) FROM recipient_segments s JOIN recipients r ON r.id = s.recipient_id
                WHERE s.segment = \(segment) AND s.recipient_id > \(cursor ?? "") ORDER BY s.recipient_id LIMIT \(limit)
                """
        }
        return "SELECT \(unescaped: columns) FROM recipients r WHERE r.id > \(cursor ?? "") ORDER BY r.id LIMIT \(limit)"
    }

    static func recipients(from rows: [PostgresRow]) throws -> [Recipient] {
        try rows.map { row in
            let (id, name, locale, email, phone, webhook, segments) = try row.decode((String, String, String?, String?, String?, String?, String).self)
            return Recipient(
                id: id, name: name, locale: locale, contacts: ContactPoints(email: email, phone: phone, webhook: webhook),
                segments: SegmentColumn.split(segments)
            )
        }
    }
}
