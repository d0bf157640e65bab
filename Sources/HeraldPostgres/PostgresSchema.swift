import HeraldStore
import Logging
import PostgresNIO

/// The tables and indexes, as ordered migrations, applied by whichever node opens the database first:
/// the others wait on an advisory lock and find them done.
enum PostgresSchema {
    /// Statements of each migration, by name, in order. A migration is recorded in `herald_migrations`
    /// in the same transaction as its statements.
    static let migrations: [(name: String, statements: [PostgresQuery])] = [
        (
            "v1",
            [
                """
                CREATE TABLE notices (
                    id TEXT PRIMARY KEY, kind TEXT NOT NULL, template TEXT NOT NULL, vars TEXT NOT NULL, locale TEXT,
                    route TEXT NOT NULL, priority INTEGER NOT NULL, collapse_key TEXT, expires_at BIGINT NOT NULL,
                    incident_id TEXT, created_at BIGINT NOT NULL, total INTEGER NOT NULL DEFAULT 0)
                """,
                """
                CREATE TABLE messages (
                    seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, notice_id TEXT NOT NULL REFERENCES notices(id),
                    recipient_id TEXT NOT NULL, name TEXT NOT NULL, locale TEXT, email TEXT, phone TEXT, webhook TEXT,
                    segments TEXT NOT NULL, priority INTEGER NOT NULL, collapse_key TEXT, state TEXT NOT NULL,
                    route_index INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, lease_owner TEXT, lease_expires_at BIGINT,
                    channel TEXT, channel_since BIGINT, last_error TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
                """,
                "CREATE INDEX messages_ready ON messages (priority DESC, seq DESC) WHERE state IN ('queued', 'retrying')",
                "CREATE INDEX messages_leased ON messages (lease_expires_at) WHERE state = 'sending'",
                "CREATE INDEX messages_by_notice ON messages (notice_id, state)",
                "CREATE INDEX messages_collapse ON messages (recipient_id, collapse_key) WHERE collapse_key IS NOT NULL",
                "CREATE INDEX messages_by_channel ON messages (channel, state) WHERE channel IS NOT NULL",
                """
                CREATE TABLE attempts (
                    seq BIGSERIAL PRIMARY KEY, message_id TEXT NOT NULL, at BIGINT NOT NULL, channel TEXT NOT NULL,
                    outcome TEXT NOT NULL, error TEXT)
                """,
                "CREATE INDEX attempts_by_message ON attempts (message_id, seq)",
                "CREATE TABLE channel_health (channel TEXT PRIMARY KEY, state TEXT NOT NULL, failures INTEGER NOT NULL, changed_at BIGINT NOT NULL)",
                """
                CREATE TABLE recipients (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, locale TEXT, email TEXT, phone TEXT, webhook TEXT,
                    segments TEXT NOT NULL, updated_at BIGINT NOT NULL)
                """,
                "CREATE TABLE recipient_segments (segment TEXT NOT NULL, recipient_id TEXT NOT NULL, PRIMARY KEY (segment, recipient_id))",
                "CREATE INDEX recipient_segments_by_recipient ON recipient_segments (recipient_id)",
                """
                CREATE TABLE idempotency_keys (
                    key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER, content_type TEXT, body BYTEA,
                    created_at BIGINT NOT NULL)
                """,
                "CREATE TABLE incidents (id TEXT PRIMARY KEY, state TEXT NOT NULL, opened_at BIGINT NOT NULL, document TEXT NOT NULL)",
                "CREATE TABLE digest_slots (name TEXT PRIMARY KEY, slot BIGINT NOT NULL)",
            ]
        ),
        ("v2-readiness", ["CREATE TABLE readiness (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at BIGINT NOT NULL)"]),
        // Recipients' segments were joined with `,`, messages' with `;`: one separator now (`SegmentColumn`).
        ("v3-segment-separator", ["UPDATE recipients SET segments = replace(segments, ',', ';')"]),
        // `herald broadcasts` lists the newest broadcasts among every single send's notice too.
        ("v4-notices-by-kind", ["CREATE INDEX notices_by_kind ON notices (kind, created_at)"]),
        // Each notice keeps the trace context of its accept, for the delivery spans to link to.
        ("v5-notice-traceparent", ["ALTER TABLE notices ADD COLUMN traceparent TEXT"]),
        // A fleet-wide send timeline per rate-limited channel (microseconds since 1970).
        ("v6-rate-slots", ["CREATE TABLE rate_slots (channel TEXT PRIMARY KEY, next_at BIGINT NOT NULL)"]),
        // The suppression list: one row per contact point (in its normal form) and reason.
        (
            "v7-suppressions",
            [
                """
                CREATE TABLE suppressions (
                    contact TEXT NOT NULL, reason TEXT NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL, detail TEXT,
                    added_at BIGINT NOT NULL, PRIMARY KEY (contact, reason))
                """
            ]
        ),
        (
            "v8-canaries-drills",
            [
                "CREATE TABLE canaries (channel TEXT PRIMARY KEY, delivered BOOLEAN NOT NULL, detail TEXT, at BIGINT NOT NULL)",
                "CREATE TABLE drills (id BIGSERIAL PRIMARY KEY, ran_at BIGINT NOT NULL, report TEXT NOT NULL)",
            ]
        ),
    ]

    /// An arbitrary key for `pg_advisory_xact_lock`, taken while migrating so nodes starting together
    /// migrate one after the other.
    static let migrationLock: Int64 = 0x4845_5241_4C44  // "HERALD"

    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS herald_migrations (name TEXT PRIMARY KEY)", logger: logger)
            var applied: Set<String> = []
            for try await name in try await connection.query("SELECT name FROM herald_migrations", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            for migration in migrations where !applied.contains(migration.name) {
                for statement in migration.statements { try await connection.query(statement, logger: logger) }
                try await connection.query("INSERT INTO herald_migrations (name) VALUES (\(migration.name))", logger: logger)
            }
        }
    }
}
