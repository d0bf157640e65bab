import Foundation
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Testing

/// Guarantee 7 with real processes: two `herald work` nodes share one PostgreSQL queue; one is killed
/// with `kill -9` mid-broadcast and the other delivers everything, its own and the dead node's.
@Suite("Several nodes on PostgreSQL", .serialized, .hangGuard, .enabled(if: PostgresTestServer.adminURL != nil))
struct SharedQueueTests {
    static let recipients = 2_000

    @Test func twoWorkersShareTheQueueAndTheSurvivorFinishesADeadNodesWork() async throws {
        let workspace = try HeraldProcess.workspace()
        let herald = HeraldProcess(workingDirectory: workspace.path)
        let database = try await PostgresTestServer.database(for: workspace)
        let sink = try await HTTPSink.start { _, _ in .slow(204, delay: .milliseconds(2)) }
        workspace.write(
            "nodes.yaml",
            """
            storage: \(database)
            templates: Templates
            channels:
              partners: { kind: webhook, secret: "whsec_aGVyYWxkLWRlbW8tc2lnbmluZy1rZXk=", connections: 8, timeout: 5s }
            routes: { default: [partners] }
            delivery: { lease: 2s, concurrency: 32, poll: 100ms }
            """
        )
        var csv = "id,webhook\n"
        for index in 0..<Self.recipients { csv += "u\(index),\(sink.url)/hooks/\(index)\n" }
        workspace.write("audience.csv", csv)
        let config = ["--config", "nodes.yaml"]

        let queued = try await herald.run(config + ["broadcast", "outage-apology", "--audience", "audience.csv"] + HeraldCommandTests.apologyVars)
        #expect(queued.status == 0, "\(queued.stderr)")
        let broadcast = queued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let doomed = try herald.start(config + ["work"])
        let survivor = try herald.start(config + ["work"])
        try await sink.wait { $0.count >= Self.recipients / 3 }
        // The survivor is paused while the other node dies and the messages in flight are read, so it
        // cannot take over (and finish) the dead node's leases before they are seen.
        survivor.signal(SIGSTOP)
        doomed.signal(SIGKILL)
        #expect(await doomed.finish().status != 0)

        let store = try await PostgresMessageStore.open(url: database)
        let inFlight = Set(try await store.messages(MessageFilter(noticeID: broadcast, state: .sending, limit: Self.recipients)).map(\.message.id))
        #expect(try await store.counts(noticeID: broadcast)[.delivered] < Self.recipients, "the kill came mid-broadcast")

        // The survivor goes on, and takes the dead node's leases once they expire.
        survivor.signal(SIGCONT)
        try await sink.wait { Set($0.compactMap { $0.headers["webhook-id"] }).count == Self.recipients }
        survivor.signal(SIGTERM)
        let stopped = await survivor.finish()
        #expect(stopped.status == 0, "graceful stop: \(stopped.stderr.suffix(500))")
        await sink.stop()

        let ids = sink.received.compactMap { $0.headers["webhook-id"] }
        let unexplained = try await DuplicateAudit.unexplained(received: ids, inFlightAtKill: inFlight, store: store)
        #expect(unexplained.isEmpty, "duplicates only among messages in flight at the kill, never from two live nodes: \(unexplained)")
        let counts = try await store.counts(noticeID: broadcast)
        #expect(counts[.delivered] == Self.recipients, "\(counts)")
        try await store.close()
    }

    @Test func anUnreachableServerIsAConfigErrorThatNamesItButNotThePassword() async throws {
        let workspace = try HeraldProcess.workspace()
        let herald = HeraldProcess(workingDirectory: workspace.path)
        let closed = try await HTTPSink.closedPort()
        workspace.write(
            "herald.yaml",
            """
            storage: postgres://herald:s3cret-pw@127.0.0.1:\(closed)/herald?sslmode=disable
            templates: Templates
            channels: { outbox: { kind: outbox, path: outbox } }
            routes: { default: [outbox] }
            """
        )
        let status = try await herald.run(["--config", "herald.yaml", "status"])
        #expect(status.status != 0)
        #expect(status.stderr.contains("storage"), "\(status.stderr)")
        #expect(status.stderr.contains("127.0.0.1:\(closed)/herald"), "\(status.stderr)")
        #expect(!status.stderr.contains("s3cret-pw"))
        #expect(!status.stdout.contains("s3cret-pw"))
    }
}
