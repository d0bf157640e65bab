import Foundation
import HeraldCore
import HeraldStore
import NIOPosix
import PostgresNIO

extension PostgresMessageStore {
    /// Messages per multi-row `INSERT` (8 parameters each, under PostgreSQL's 65,535 per statement).
    static let enqueueBatchSize = 2000

    public func enqueue(_ notice: Notice, messages: sending some BatchSource<NewMessage>) async throws -> Int {
        let source = Transfer<any BatchSource<NewMessage>>(value: messages)
        let row = NoticeRow(notice)
        return try await transaction { connection in
            try await insert(row, total: 0, on: connection)
            var total = 0
            while let batch = try await source.value.nextBatch(limit: Self.enqueueBatchSize) {
                try await insert(batch, of: notice, on: connection)
                total += batch.count
            }
            try await connection.query("UPDATE notices SET total = \(total) WHERE id = \(notice.id)", logger: logger)
            return total
        }
    }

    /// A single send is one statement, so one round trip and its own transaction (PostgreSQL flushes
    /// concurrent commits together): the notice, its message, and the supersede of older messages
    /// with its collapse key are data-modifying parts of one query, all or nothing.
    public func enqueue(_ notice: Notice, message: NewMessage) async throws {
        let row = NoticeRow(notice)
        let recipient = message.recipient
        let created = notice.createdAt.millis
        try await client.query(
            """
            WITH notice AS (
                INSERT INTO notices (id, kind, template, vars, locale, route, priority, collapse_key, expires_at, incident_id, created_at, total, traceparent)
                VALUES (\(notice.id), \(notice.kind.rawValue), \(notice.template), \(row.vars), \(notice.locale), \(row.route),
                    \(notice.priority.rank), \(notice.collapseKey), \(notice.expiresAt.millis), \(notice.incidentID), \(created), 1, \(notice.traceparent))
            ), superseded AS (
                UPDATE messages SET state = 'superseded', last_error = 'superseded by ' || \(message.id), updated_at = \(created),
                    lease_owner = NULL, lease_expires_at = NULL
                WHERE \(notice.collapseKey)::text IS NOT NULL AND recipient_id = \(recipient.id) AND collapse_key = \(notice.collapseKey)
                    AND state IN ('queued', 'retrying', 'sending')
            )
            INSERT INTO messages (id, recipient_id, name, locale, email, phone, webhook, segments,
                notice_id, priority, collapse_key, next_attempt_at, expires_at, created_at, updated_at, state, last_error)
            VALUES (\(message.id), \(recipient.id), \(recipient.name), \(recipient.locale), \(recipient.contacts.email),
                \(recipient.contacts.phone), \(recipient.contacts.webhook), \(SegmentColumn.join(recipient.segments)),
                \(notice.id), \(notice.priority.rank), \(notice.collapseKey), \(created), \(notice.expiresAt.millis), \(created), \(created),
                \(message.suppression == nil ? "queued" : "suppressed"), \(message.suppression))
            """,
            logger: logger
        )
    }

    private func insert(_ row: NoticeRow, total: Int, on connection: PostgresConnection) async throws {
        let notice = row.notice
        try await connection.query(
            """
            INSERT INTO notices (id, kind, template, vars, locale, route, priority, collapse_key, expires_at, incident_id, created_at, total, traceparent)
            VALUES (\(notice.id), \(notice.kind.rawValue), \(notice.template), \(row.vars), \(notice.locale), \(row.route),
                \(notice.priority.rank), \(notice.collapseKey), \(notice.expiresAt.millis), \(notice.incidentID),
                \(notice.createdAt.millis), \(total), \(notice.traceparent))
            """,
            logger: logger
        )
    }

    /// Inserts a batch in one statement and, for a collapse key, supersedes every older undelivered
    /// message of the same recipient and key (older: an earlier row, in this batch or before it).
    private func insert(_ batch: [NewMessage], of notice: Notice, on connection: PostgresConnection) async throws {
        var bindings = PostgresBindings(capacity: 6 + batch.count * 8)
        let created = notice.createdAt.millis
        bindings.append(notice.id)
        bindings.append(notice.priority.rank)
        bindings.append(notice.collapseKey)
        bindings.append(created)
        bindings.append(notice.expiresAt.millis)
        var rows: [String] = []
        rows.reserveCapacity(batch.count)
        for message in batch {
            let own = bindings.appendRow { row in
                row.append(message.id)
                row.appendRecipient(message.recipient)
            }
            if let reason = message.suppression {
                bindings.append(reason)
                rows.append("(\(own), $1, $2, $3, $4, $5, $4, $4, 'suppressed', $\(bindings.count))")
            } else {
                rows.append("(\(own), $1, $2, $3, $4, $5, $4, $4, 'queued', NULL)")
            }
        }
        let sql = """
            INSERT INTO messages (id, recipient_id, name, locale, email, phone, webhook, segments,
                notice_id, priority, collapse_key, next_attempt_at, expires_at, created_at, updated_at, state, last_error)
            VALUES \(rows.joined(separator: ", "))
            RETURNING seq, id, recipient_id
            """
        let inserted = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).collect()
        guard let key = notice.collapseKey else { return }
        var (sequence, ids, recipients) = ([Int](), [String](), [String]())
        for row in inserted {
            let (seq, id, recipient) = try row.decode((Int, String, String).self)
            sequence.append(seq)
            ids.append(id)
            recipients.append(recipient)
        }
        try await connection.query(
            """
            UPDATE messages m SET state = 'superseded', last_error = 'superseded by ' || n.id, updated_at = \(created),
                lease_owner = NULL, lease_expires_at = NULL
            FROM unnest(\(sequence), \(ids), \(recipients)) AS n(seq, id, recipient_id)
            WHERE m.recipient_id = n.recipient_id AND m.collapse_key = \(key) AND m.seq < n.seq
                AND m.state IN ('queued', 'retrying', 'sending')
            """,
            logger: logger
        )
    }
}
