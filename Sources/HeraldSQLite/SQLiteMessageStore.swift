import Foundation
import GRDB
import HeraldCore
import HeraldStore

/// The embedded queue: one SQLite file in WAL mode, written through GRDB.
///
/// Commits use `synchronous = FULL`, so an accepted message survives `kill -9` and power loss.
/// Reads (counts, listings) run concurrently with the single writer.
///
/// ```swift
/// let store = try SQLiteMessageStore(path: "herald.sqlite")
/// ```
public final class SQLiteMessageStore: MessageStore {
    let pool: DatabasePool
    /// The database file, for connections of their own (recipient streams).
    let path: String
    /// Single sends waiting to be committed together.
    let singles: GroupCommit<(NoticeRow, NewMessage), Database>

    /// Opens (creating when missing) and migrates the database file.
    public init(path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        self.path = path
        // Processes that open a new file at the same moment (`herald work` and `herald broadcast`
        // started together) race: turning WAL on can find the file locked without waiting, and two
        // can both try to create the schema: the loser sees a table that exists (SQLITE_ERROR) or, when
        // the migration creates none, the winner's row in grdb_migrations (SQLITE_CONSTRAINT). It
        // opens again and finds the schema done.
        var attempt = 0
        while true {
            do {
                pool = try Self.open(path)
                break
            } catch let error as DatabaseError where attempt < 20 && [.SQLITE_BUSY, .SQLITE_ERROR, .SQLITE_CONSTRAINT].contains(error.resultCode) {
                attempt += 1
                usleep(useconds_t(5_000 * attempt))
            }
        }
        let pool = self.pool
        singles = GroupCommit(
            linger: Self.singlesLinger,
            schedule: { commit in pool.asyncWriteWithoutTransaction(commit) },
            write: { db, sends in Self.writeSingles(sends, into: db) }
        )
    }

    /// Under load, a commit of single sends waits up to 100 µs for 12 of them, a fraction of the
    /// fsync each accept waits for anyway. Measured with `scripts/bench-api`'s load (32 connections),
    /// alternating four times with commits that never wait: 12.7k against 11.5k accepted/s on average;
    /// waiting for 16 (150 µs) gave 12.5k.
    static let singlesLinger = CommitLinger.onEventLoops(batch: 12, delay: .microseconds(100))

    private static func open(_ path: String) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in
            // 32 MiB of page cache per connection keeps a large broadcast's index pages in memory while it is written.
            try db.execute(sql: "PRAGMA cache_size = -32768")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        // GRDB sets `synchronous = NORMAL` on the writer when it turns WAL on, after `prepareDatabase`
        // has run: NORMAL survives a crash of the process but can lose the last commits to a power cut.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try SQLiteSchema.migrator.migrate(pool)
        return pool
    }

    public func close() async throws {
        try pool.close()
    }
}
