import Foundation
import HeraldCore
import HeraldStore
import HeraldTestSupport
import Testing

/// Two `herald work` processes sharing a PostgreSQL queue act as one on a channel's `rate`.
@Suite("A fleet on PostgreSQL", .serialized, .hangGuard, .enabled(if: PostgresTestServer.adminURL != nil, "needs HERALD_TEST_POSTGRES"))
struct FleetCommandTests {
    @Test func twoNodesTogetherKeepAChannelsRate() async throws {
        let workspace = try HeraldProcess.workspace()
        let herald = HeraldProcess(workingDirectory: workspace.path)
        let storage = try await PostgresTestServer.database(for: workspace)
        let sink = try await HTTPSink.start()
        workspace.write(
            "fleet.yaml",
            """
            storage: \(storage)
            templates: Templates
            channels:
              partners: { kind: webhook, secret: "whsec_aGVyYWxkLWRlbW8tc2lnbmluZy1rZXk=", timeout: 5s, rate: 20/s }
            routes: { default: [partners] }
            delivery: { concurrency: 8, poll: 50ms }
            egress: { allow: [127.0.0.0/8] }
            """
        )
        var csv = "id,webhook\n"
        for index in 0..<60 { csv += "u\(index),\(sink.url)/hooks/\(index)\n" }
        workspace.write("audience.csv", csv)
        let queued = try await herald.run(["--config", "fleet.yaml", "broadcast", "outage-apology", "--audience", "audience.csv"] + HeraldCommandTests.apologyVars)
        #expect(queued.status == 0, "\(queued.stderr)")

        // Each node claims at most eight at a time, so both take part.
        let nodeA = try herald.start(["--config", "fleet.yaml", "work", "--drain"])
        let nodeB = try herald.start(["--config", "fleet.yaml", "work", "--drain"])
        let (a, b) = await (nodeA.finish(), nodeB.finish())
        await sink.stop()
        #expect(a.status == 0 && b.status == 0, "\(a.stderr.suffix(400))\(b.stderr.suffix(400))")
        let processed = [a, b].map { Int($0.stdout.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0 }
        #expect(processed.reduce(0, +) == 60)
        #expect(processed.allSatisfy { $0 > 0 }, "both nodes delivered: \(processed)")

        // Each attempt is stamped with the send slot it was given: the fleet's, one 50 ms apart.
        let store = try await PostgresTestServer.openStore(url: storage)
        let stamps = try await store.messages(MessageFilter(limit: 100)).flatMap(\.attemptLog).filter { $0.outcome == .delivered }.map(\.at).sorted()
        try await store.close()
        #expect(stamps.count == 60)
        let gaps = zip(stamps.dropFirst(), stamps).map { $0.timeIntervalSince($1) }
        #expect(gaps.allSatisfy { $0 >= 0.049 }, "no two sends closer than the rate allows, whichever node: \(gaps.min() ?? 0)")
        let first = stamps[0]
        #expect(stamps.filter { $0.timeIntervalSince(first) < 1 }.count <= 20, "the first second carries the rate, not twice it")
    }

    @Test func aCircuitOneNodeOpenedKeepsTheNextNodeFromTheDeadChannel() async throws {
        let workspace = try HeraldProcess.workspace()
        let herald = HeraldProcess(workingDirectory: workspace.path)
        let storage = try await PostgresTestServer.database(for: workspace)
        let dead = try HTTPSink.refusingPort()
        workspace.write(
            "fleet.yaml",
            """
            storage: \(storage)
            templates: Templates
            channels:
              partners: { kind: webhook, secret: "whsec_aGVyYWxkLWRlbW8tc2lnbmluZy1rZXk=", url: "http://127.0.0.1:\(dead)/in", timeout: 5s }
            routes: { default: [partners] }
            retry: { backoff: [1h] }
            circuit: { open_after: 3, cooldown: 10m }
            """
        )
        let config = ["--config", "fleet.yaml"]
        func send(_ id: String) async throws {
            let sent = try await herald.run(config + ["send", "outage-apology", "--to", "email:\(id)@example.com"] + HeraldCommandTests.apologyVars)
            #expect(sent.status == 0, "\(sent.stderr)")
        }
        for index in 0..<3 { try await send("a\(index)") }
        let nodeA = try await herald.run(config + ["work", "--drain"])
        #expect(nodeA.stderr.contains("circuit open: partners"), "\(nodeA.stderr.suffix(600))")

        try await send("b1")
        let nodeB = try await herald.run(config + ["work", "--drain"])
        #expect(nodeB.status == 0, "\(nodeB.stderr.suffix(600))")
        #expect(nodeB.stderr.contains("not delivered: circuit open"), "node B passed the channel over: \(nodeB.stderr.suffix(600))")
        #expect(!nodeB.stderr.contains("connection refused"), "node B made no attempt of its own on a channel node A found dead")
    }
}
