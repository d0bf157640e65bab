import GRDB
import HeraldStore

/// The tables and indexes, as ordered migrations.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE notices (
                        id TEXT PRIMARY KEY NOT NULL,
                        kind TEXT NOT NULL,
                        template TEXT NOT NULL,
                        vars TEXT NOT NULL,
                        locale TEXT,
                        route TEXT NOT NULL,
                        priority INTEGER NOT NULL,
                        collapse_key TEXT,
                        expires_at INTEGER NOT NULL,
                        incident_id TEXT,
                        created_at INTEGER NOT NULL,
                        total INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE TABLE messages (
                        seq INTEGER PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        notice_id TEXT NOT NULL REFERENCES notices(id),
                        recipient_id TEXT NOT NULL,
                        name TEXT NOT NULL,
                        locale TEXT,
                        email TEXT,
                        phone TEXT,
                        webhook TEXT,
                        segments TEXT NOT NULL,
                        priority INTEGER NOT NULL,
                        collapse_key TEXT,
                        state TEXT NOT NULL,
                        route_index INTEGER NOT NULL DEFAULT 0,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        failures INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL,
                        lease_owner TEXT,
                        lease_expires_at INTEGER,
                        channel TEXT,
                        channel_since INTEGER,
                        last_error TEXT,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE INDEX messages_ready ON messages(priority DESC, seq DESC) WHERE state IN ('queued', 'retrying');
                    CREATE INDEX messages_leased ON messages(lease_expires_at) WHERE state = 'sending';
                    CREATE INDEX messages_by_notice ON messages(notice_id, state);
                    CREATE INDEX messages_collapse ON messages(recipient_id, collapse_key) WHERE collapse_key IS NOT NULL;
                    CREATE TABLE attempts (
                        message_id TEXT NOT NULL,
                        at INTEGER NOT NULL,
                        channel TEXT NOT NULL,
                        outcome TEXT NOT NULL,
                        error TEXT
                    );
                    CREATE INDEX attempts_by_message ON attempts(message_id);
                    """
            )
        }
        migrator.registerMigration("v2-channel-health") { db in
            try db.execute(
                sql: """
                    CREATE TABLE channel_health (
                        channel TEXT PRIMARY KEY NOT NULL,
                        state TEXT NOT NULL,
                        failures INTEGER NOT NULL,
                        changed_at INTEGER NOT NULL
                    );
                    CREATE INDEX messages_by_channel ON messages(channel, state) WHERE channel IS NOT NULL;
                    """
            )
        }
        migrator.registerMigration("v3-recipients-idempotency") { db in
            try db.execute(
                sql: """
                    CREATE TABLE recipients (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        locale TEXT,
                        email TEXT,
                        phone TEXT,
                        webhook TEXT,
                        segments TEXT NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE TABLE recipient_segments (
                        segment TEXT NOT NULL,
                        recipient_id TEXT NOT NULL,
                        PRIMARY KEY (segment, recipient_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX recipient_segments_by_recipient ON recipient_segments(recipient_id);
                    CREATE TABLE idempotency_keys (
                        key TEXT PRIMARY KEY NOT NULL,
                        fingerprint TEXT NOT NULL,
                        status INTEGER,
                        content_type TEXT,
                        body BLOB,
                        created_at INTEGER NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v4-incidents") { db in
            try db.execute(
                sql: """
                    CREATE TABLE incidents (
                        id TEXT PRIMARY KEY NOT NULL,
                        state TEXT NOT NULL,
                        opened_at INTEGER NOT NULL,
                        document TEXT NOT NULL
                    );
                    CREATE TABLE digest_slots (
                        name TEXT PRIMARY KEY NOT NULL,
                        slot INTEGER NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v5-readiness") { db in
            try db.execute(sql: "CREATE TABLE readiness (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at INTEGER NOT NULL)")
        }
        // Recipients' segments were joined with `,`, messages' with `;`: one separator now (`SegmentColumn`).
        migrator.registerMigration("v6-segment-separator") { db in
            try db.execute(sql: "UPDATE recipients SET segments = replace(segments, ',', ';')")
        }
        // `herald broadcasts` lists the newest broadcasts among every single send's notice too.
        migrator.registerMigration("v7-notices-by-kind") { db in
            try db.execute(sql: "CREATE INDEX notices_by_kind ON notices(kind, created_at)")
        }
        // Each notice keeps the trace context of its accept, for the delivery spans to link to.
        migrator.registerMigration("v8-notice-traceparent") { db in
            try db.execute(sql: "ALTER TABLE notices ADD COLUMN traceparent TEXT")
        }
        // A fleet-wide send timeline per rate-limited channel (microseconds since 1970).
        migrator.registerMigration("v9-rate-slots") { db in
            try db.execute(sql: "CREATE TABLE rate_slots (channel TEXT PRIMARY KEY NOT NULL, next_at INTEGER NOT NULL)")
        }
        // The suppression list: one row per contact point (in its normal form) and reason.
        migrator.registerMigration("v10-suppressions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE suppressions (
                        contact TEXT NOT NULL, reason TEXT NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL, detail TEXT,
                        added_at INTEGER NOT NULL, PRIMARY KEY (contact, reason)
                    ) WITHOUT ROWID
                    """
            )
        }
        migrator.registerMigration("v11-canaries-drills") { db in
            try db.execute(
                sql: """
                    CREATE TABLE canaries (channel TEXT PRIMARY KEY, delivered INTEGER NOT NULL, detail TEXT, at INTEGER NOT NULL) WITHOUT ROWID;
                    CREATE TABLE drills (id INTEGER PRIMARY KEY AUTOINCREMENT, ran_at INTEGER NOT NULL, report TEXT NOT NULL);
                    """
            )
        }
        return migrator
    }
}
