import Foundation
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Testing

/// Guarantees 1, 2 and 7 with real processes: `kill -9` a worker mid-broadcast, restart it, and check
/// that every message reached the receiver, duplicates come only from messages in flight at the kill,
/// and all end delivered; and the same with two nodes on one PostgreSQL queue, one of them killed.
@Suite("Crash recovery", .serialized, .hangGuard)
struct CrashRecoveryTests {
    static let recipients = 2_000

    @Test(arguments: 1...3)
    func aWorkerKilledMidBroadcastLosesNothing(run: Int) async throws {
        let workspace = try HeraldProcess.workspace()
        let herald = HeraldProcess(workingDirectory: workspace.path)
        let sink = try await HTTPSink.start { _, _ in .slow(204, delay: .milliseconds(2)) }
        workspace.write(
            "crash.yaml",
            """
            storage: sqlite:herald.sqlite
            templates: Templates
            channels:
              partners: { kind: webhook, secret: "whsec_aGVyYWxkLWRlbW8tc2lnbmluZy1rZXk=", connections: 16, timeout: 5s }
            routes: { default: [partners] }
            delivery: { lease: 2s, concurrency: 64, poll: 100ms }
            """
        )
        var csv = "id,webhook\n"
        for index in 0..<Self.recipients { csv += "u\(index),\(sink.url)/hooks/\(index)\n" }
        workspace.write("audience.csv", csv)
        let config = ["--config", "crash.yaml"]

        let queued = try await herald.run(config + ["broadcast", "outage-apology", "--audience", "audience.csv"] + HeraldCommandTests.apologyVars)
        #expect(queued.status == 0, "\(queued.stderr)")
        let broadcast = queued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        // Kill the worker without warning once a good part of the broadcast went out.
        let first = try herald.start(config + ["work"])
        try await sink.wait { $0.count >= Self.recipients / 3 }
        first.signal(SIGKILL)
        let killed = await first.finish()
        #expect(killed.status != 0)

        let store = try SQLiteMessageStore(path: workspace.file("herald.sqlite"))
        let inFlight = Set(try await store.messages(MessageFilter(noticeID: broadcast, state: .sending, limit: Self.recipients)).map(\.message.id))
        #expect(!inFlight.isEmpty && inFlight.count <= 64, "the kill came with deliveries in flight, at most `concurrency` of them")
        #expect(try await store.counts(noticeID: broadcast)[.delivered] < Self.recipients, "the kill came mid-broadcast")

        // A new worker takes over once the dead worker's leases expire.
        let second = try herald.start(config + ["work"])
        try await sink.wait { Set($0.compactMap { $0.headers["webhook-id"] }).count == Self.recipients }
        second.signal(SIGTERM)
        let stopped = await second.finish()
        #expect(stopped.status == 0, "graceful stop: \(stopped.stderr.suffix(500))")
        await sink.stop()

        let ids = sink.received.compactMap { $0.headers["webhook-id"] }
        let unexplained = try await DuplicateAudit.unexplained(received: ids, inFlightAtKill: inFlight, store: store)
        #expect(
            unexplained.isEmpty,
            "duplicates only among messages in flight at the kill (or retried after a failed attempt): \(unexplained); workers said: \(DuplicateAudit.problems(in: [killed, stopped]))"
        )
        let counts = try await store.counts(noticeID: broadcast)
        #expect(counts[.delivered] == Self.recipients, "\(counts)")
        try await store.close()
    }

    @Test(.enabled(if: PostgresTestServer.adminURL != nil))
    func twoWorkersShareAPostgreSQLQueueAndTheSurvivorFinishesADeadNodesWork() async throws {
        let workspace = try HeraldProcess.workspace()
        let herald = HeraldProcess(workingDirectory: workspace.path)
        let database = try await PostgresTestServer.database(for: workspace)
        let sink = try await HTTPSink.start { _, _ in .slow(204, delay: .milliseconds(2)) }
        // A node frozen for longer than its lease loses its messages to the other node, which sends
        // them again (at-least-once); 5 s is well past any pause of a debug build on a loaded machine.
        workspace.write(
            "nodes.yaml",
            """
            storage: \(database)
            templates: Templates
            channels:
              partners: { kind: webhook, secret: "whsec_aGVyYWxkLWRlbW8tc2lnbmluZy1rZXk=", connections: 8, timeout: 5s }
            routes: { default: [partners] }
            delivery: { lease: 5s, concurrency: 32, poll: 100ms }
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
        let killed = await doomed.finish()
        #expect(killed.status != 0)

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
        #expect(
            unexplained.isEmpty,
            "duplicates only among messages in flight at the kill, never from two live nodes: \(unexplained); workers said: \(DuplicateAudit.problems(in: [killed, stopped]))"
        )
        let counts = try await store.counts(noticeID: broadcast)
        #expect(counts[.delivered] == Self.recipients, "\(counts)")
        try await store.close()
    }
}
