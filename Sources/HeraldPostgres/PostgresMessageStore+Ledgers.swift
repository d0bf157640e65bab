import Foundation
import HeraldCore
import HeraldStore
import PostgresNIO

/// Circuits, Idempotency-Keys, incidents and digest slots: small tables every node shares.
extension PostgresMessageStore {
    public func checkWritable(now: Date) async throws {
        try await client.query(
            "INSERT INTO readiness (id, checked_at) VALUES (1, \(now.millis)) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
            logger: logger
        )
    }

    public func saveCircuit(_ circuit: CircuitRecord) async throws {
        try await client.query(
            """
            INSERT INTO channel_health (channel, state, failures, changed_at)
            VALUES (\(circuit.channel), \(circuit.state.rawValue), \(circuit.consecutiveFailures), \(circuit.changedAt.millis))
            ON CONFLICT (channel) DO UPDATE SET state = excluded.state, failures = excluded.failures, changed_at = excluded.changed_at
            """,
            logger: logger
        )
    }

    public func wakeRetrying(channel: String, now: Date) async throws -> Int {
        try await rows(
            """
            UPDATE messages SET next_attempt_at = \(now.millis)
            WHERE state = 'retrying' AND channel = \(channel) AND next_attempt_at > \(now.millis)
            RETURNING id
            """
        ).count
    }

    public func circuits() async throws -> [CircuitRecord] {
        try await rows("SELECT channel, state, failures, changed_at FROM channel_health").compactMap { row in
            let (channel, state, failures, changedAt) = try row.decode((String, String, Int, Int64).self)
            return CircuitBreaker.State(rawValue: state).map {
                CircuitRecord(channel: channel, state: $0, consecutiveFailures: failures, changedAt: Date(millis: changedAt))
            }
        }
    }

    public func claimProbe(channel: String, now: Date, cooldown: Duration) async throws -> Bool {
        try await !rows(
            """
            UPDATE channel_health SET state = 'half_open', changed_at = \(now.millis)
            WHERE channel = \(channel) AND state IN ('open', 'half_open') AND changed_at <= \((now - cooldown.timeInterval).millis)
            RETURNING channel
            """
        ).isEmpty
    }

    public func leaseSlots(channel: String, count: Int, interval: TimeInterval, now: Date) async throws -> Date {
        let span = Int64((interval * Double(count) * 1_000_000).rounded())
        let next = try await rows(
            """
            INSERT INTO rate_slots (channel, next_at) VALUES (\(channel), \(now.micros + span))
            ON CONFLICT (channel) DO UPDATE SET next_at = GREATEST(rate_slots.next_at, \(now.micros)) + \(span)
            RETURNING next_at
            """
        ).first?.decode(Int64.self) ?? now.micros + span
        return Date(micros: next - span)
    }

    public func channelSummaries() async throws -> [ChannelSummary] {
        var summaries = ChannelSummary.Tally()
        for row in try await rows("SELECT channel, state FROM channel_health") {
            let (name, state) = try row.decode((String, String).self)
            summaries.circuit(of: name, is: state)
        }
        let counts = try await rows(
            """
            SELECT channel, state, count(*) FROM messages
            WHERE channel IS NOT NULL AND state IN ('delivered', 'failed', 'queued', 'retrying', 'sending') GROUP BY channel, state
            """
        )
        for row in counts {
            let (name, state, n) = try row.decode((String, String, Int).self)
            summaries.count(n, of: name, in: state)
        }
        return summaries.sorted
    }

    public func claimDigestSlot(_ digest: String, slot: Date) async throws -> Bool {
        // The row lock of the upsert orders nodes claiming the same slot: exactly one sees its update applied.
        let claimed = try await rows(
            """
            INSERT INTO digest_slots (name, slot) VALUES (\(digest), \(slot.millis))
            ON CONFLICT (name) DO UPDATE SET slot = excluded.slot WHERE excluded.slot > digest_slots.slot
            RETURNING name
            """
        )
        return !claimed.isEmpty
    }

    public func lastDigestSlot(_ digest: String) async throws -> Date? {
        try await rows("SELECT slot FROM digest_slots WHERE name = \(digest)").first.map { Date(millis: try $0.decode(Int64.self)) }
    }

    public func claimIdempotencyKey(_ key: String, fingerprint: String, now: Date, window: Duration) async throws -> IdempotencyClaim {
        let oldest = now.addingTimeInterval(-window.timeInterval).millis
        return try await transaction { connection in
            try await connection.query("DELETE FROM idempotency_keys WHERE key = \(key) AND created_at < \(oldest)", logger: logger)
            // Of two requests with a new key, one inserts; the other waits on its row and then finds it.
            let inserted = try await rows(
                """
                INSERT INTO idempotency_keys (key, fingerprint, created_at) VALUES (\(key), \(fingerprint), \(now.millis))
                ON CONFLICT (key) DO NOTHING RETURNING key
                """,
                on: connection
            )
            if !inserted.isEmpty { return .claimed }
            guard let row = try await rows("SELECT fingerprint, status, content_type, body FROM idempotency_keys WHERE key = \(key)", on: connection).first
            else { return .inProgress }
            let (storedFingerprint, status, contentType, body) = try row.decode((String, Int?, String?, ByteBuffer?).self)
            guard storedFingerprint == fingerprint else { return .mismatch }
            guard let status else { return .inProgress }
            return .replay(
                StoredResponse(status: status, contentType: contentType ?? "application/json", body: body.map { Array($0.readableBytesView) } ?? [])
            )
        }
    }

    public func completeIdempotencyKey(_ key: String, response: StoredResponse) async throws {
        try await client.query(
            """
            UPDATE idempotency_keys SET status = \(response.status), content_type = \(response.contentType),
                body = \(ByteBuffer(bytes: response.body)) WHERE key = \(key)
            """,
            logger: logger
        )
    }

    public func releaseIdempotencyKey(_ key: String) async throws {
        try await client.query("DELETE FROM idempotency_keys WHERE key = \(key) AND status IS NULL", logger: logger)
    }

    public func saveNewIncident(_ incident: Incident) async throws {
        try await client.query(
            """
            INSERT INTO incidents (id, state, opened_at, document)
            VALUES (\(incident.id), \(incident.state.rawValue), \(incident.openedAt.millis), \(try StoredDocument.encode(incident)))
            """,
            logger: logger
        )
    }

    public func changeIncident(id: String, _ change: @Sendable (inout Incident) throws -> Void) async throws -> Incident? {
        try await transaction { connection in
            // FOR UPDATE: a second operator's change waits for this one and then applies to its result.
            guard let row = try await rows("SELECT document FROM incidents WHERE id = \(id) FOR UPDATE", on: connection).first else { return nil }
            var incident = try StoredDocument.decode(try row.decode(String.self), as: Incident.self)
            try change(&incident)
            try await connection.query(
                "UPDATE incidents SET state = \(incident.state.rawValue), document = \(try StoredDocument.encode(incident)) WHERE id = \(id)",
                logger: logger
            )
            return incident
        }
    }

    public func incident(id: String) async throws -> Incident? {
        try await rows("SELECT document FROM incidents WHERE id = \(id)").first.map { try StoredDocument.decode(try $0.decode(String.self), as: Incident.self) }
    }

    public func incidents(openOnly: Bool) async throws -> [Incident] {
        let documents = try await rows(
            "SELECT document FROM incidents WHERE NOT \(openOnly) OR state = 'open' ORDER BY opened_at DESC, id DESC"
        )
        return try documents.map { try StoredDocument.decode(try $0.decode(String.self), as: Incident.self) }
    }
}
