import Foundation
import HeraldCore
import HeraldSQLite
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
        let setup = try await QueuedBroadcast.make(delivery: "{ lease: 2s, concurrency: 64, poll: 100ms }", connections: 16) { _ in "sqlite:herald.sqlite" }
        let (workspace, herald, sink, config, broadcast) = (setup.workspace, setup.herald, setup.sink, setup.config, setup.id)

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
        try await setup.expectEveryMessageDelivered(by: second, killed: killed, inFlightAtKill: inFlight, store: store)
        try await store.close()
    }

    @Test(.enabled(if: PostgresTestServer.adminURL != nil))
    func twoWorkersShareAPostgreSQLQueueAndTheSurvivorFinishesADeadNodesWork() async throws {
        // A node frozen for longer than its lease loses its messages to the other node, which sends
        // them again (at-least-once); 5 s is well past any pause of a debug build on a loaded machine.
        let setup = try await QueuedBroadcast.make(delivery: "{ lease: 5s, concurrency: 32, poll: 100ms }", connections: 8) { workspace in
            try await PostgresTestServer.database(for: workspace)
        }
        let (herald, sink, config, broadcast) = (setup.herald, setup.sink, setup.config, setup.id)

        let doomed = try herald.start(config + ["work"])
        let survivor = try herald.start(config + ["work"])
        try await sink.wait { $0.count >= Self.recipients / 3 }
        // The survivor is paused while the other node dies and the messages in flight are read, so it
        // cannot take over (and finish) the dead node's leases before they are seen.
        survivor.signal(SIGSTOP)
        doomed.signal(SIGKILL)
        let killed = await doomed.finish()
        #expect(killed.status != 0)

        let store = try await PostgresTestServer.openStore(url: setup.storage)
        let inFlight = Set(try await store.messages(MessageFilter(noticeID: broadcast, state: .sending, limit: Self.recipients)).map(\.message.id))
        #expect(try await store.counts(noticeID: broadcast)[.delivered] < Self.recipients, "the kill came mid-broadcast")

        // The survivor goes on, and takes the dead node's leases once they expire. The receiver may
        // have all 2,000 ids before then (the dead node's last requests arrived before the kill), so
        // the test waits until the survivor sent each of them again after the kill.
        let owner = try #require(killed.stderr.firstMatch(of: /owner=(worker_[0-9a-z]+)/)?.1, "the dead worker logged its owner name")
        let deadLeases = try await PostgresTestServer.messages(leasedBy: String(owner), in: setup.storage)
        #expect(!deadLeases.isEmpty && deadLeases.isSubset(of: inFlight), "the kill came with deliveries in flight")
        let receivedBeforeKill = sink.received.count
        survivor.signal(SIGCONT)
        try await sink.wait { Set($0.dropFirst(receivedBeforeKill).compactMap { $0.headers["webhook-id"] }).isSuperset(of: deadLeases) }
        try await setup.expectEveryMessageDelivered(by: survivor, killed: killed, inFlightAtKill: inFlight, store: store)
        try await store.close()
    }
}

/// A workspace with a 2,000-recipient webhook broadcast queued, the receiver its deliveries go to, and
/// the `herald` runner and arguments that use it.
struct QueuedBroadcast {
    let workspace: TemporaryDirectory
    let herald: HeraldProcess
    let sink: HTTPSink
    let storage: String
    let config: [String]
    /// The broadcast id `herald broadcast` printed.
    let id: String

    /// - Parameters:
    ///   - delivery: the config's `delivery:` mapping.
    ///   - storage: the config's `storage:`, which may depend on the workspace (a database per workspace).
    static func make(delivery: String, connections: Int, storage: (TemporaryDirectory) async throws -> String) async throws -> QueuedBroadcast {
        let workspace = try HeraldProcess.workspace()
        let herald = HeraldProcess(workingDirectory: workspace.path)
        let storage = try await storage(workspace)
        let sink = try await HTTPSink.start { _, _ in .slow(204, delay: .milliseconds(2)) }
        workspace.write(
            "crash.yaml",
            """
            storage: \(storage)
            templates: Templates
            channels:
              partners: { kind: webhook, secret: "whsec_aGVyYWxkLWRlbW8tc2lnbmluZy1rZXk=", connections: \(connections), timeout: 5s }
            routes: { default: [partners] }
            delivery: \(delivery)
            egress: { allow: [127.0.0.0/8] }
            """
        )
        var csv = "id,webhook\n"
        for index in 0..<CrashRecoveryTests.recipients { csv += "u\(index),\(sink.url)/hooks/\(index)\n" }
        workspace.write("audience.csv", csv)
        let config = ["--config", "crash.yaml"]
        let queued = try await herald.run(config + ["broadcast", "outage-apology", "--audience", "audience.csv"] + HeraldCommandTests.apologyVars)
        #expect(queued.status == 0, "\(queued.stderr)")
        return QueuedBroadcast(
            workspace: workspace, herald: herald, sink: sink, storage: storage, config: config,
            id: queued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        )
    }

    /// Waits until every message reached the receiver, stops `survivor` gracefully, and checks that
    /// all ended delivered, with duplicates only among messages in flight at the kill (or retried
    /// after an attempt the ledger shows as failed), never from two live workers.
    func expectEveryMessageDelivered(
        by survivor: HeraldProcess.Running, killed: HeraldProcess.Outcome, inFlightAtKill inFlight: Set<String>, store: any MessageStore
    ) async throws {
        try await sink.wait { Set($0.compactMap { $0.headers["webhook-id"] }).count == CrashRecoveryTests.recipients }
        survivor.signal(SIGTERM)
        let stopped = await survivor.finish()
        #expect(stopped.status == 0, "graceful stop: \(stopped.stderr.suffix(500))")
        await sink.stop()

        let ids = sink.received.compactMap { $0.headers["webhook-id"] }
        let unexplained = try await DuplicateAudit.unexplained(received: ids, inFlightAtKill: inFlight, store: store)
        #expect(unexplained.isEmpty, "unexplained duplicates: \(unexplained); workers said: \(DuplicateAudit.problems(in: [killed, stopped]))")
        let counts = try await store.counts(noticeID: id)
        #expect(counts[.delivered] == CrashRecoveryTests.recipients, "\(counts)")
    }
}
