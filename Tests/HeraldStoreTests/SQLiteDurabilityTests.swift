import GRDB
import HeraldTestSupport
import Testing

@testable import HeraldSQLite
import HeraldStore

@Suite("SQLite durability settings", .hangGuard)
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

@Suite("SQLite: several processes opening one new database", .hangGuard)
struct SQLiteConcurrentOpenTests {
    /// `herald work` and `herald broadcast` started together on a new file both create the schema;
    /// neither may fail because the other got there first.
    @Test func storesOpenedAtOnceOnANewFileAllSucceed() async throws {
        for round in 0..<5 {
            let directory = TemporaryDirectory()
            let path = directory.file("herald-\(round).sqlite")
            let opened = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        let store = try SQLiteMessageStore(path: path)
                        try await store.close()
                        return true
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(opened == 6)
        }
    }
}
