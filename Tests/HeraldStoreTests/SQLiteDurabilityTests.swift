import GRDB
import HeraldTestSupport
import Testing

@testable import HeraldStore

@Suite("SQLite durability settings")
struct SQLiteDurabilityTests {
    /// GRDB turns WAL on with `synchronous = NORMAL`, which can lose the last commits to a power cut;
    /// the store must end up with FULL on the connection that writes, so every accept is on disk.
    @Test func theWriterCommitsWithSynchronousFull() async throws {
        let directory = TemporaryDirectory()
        let store = try SQLiteMessageStore(path: directory.file("herald.sqlite"))
        let level = try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(level == 2, "2 is FULL; 1 would be NORMAL")
        let mode = try await store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        try await store.close()
    }
}
