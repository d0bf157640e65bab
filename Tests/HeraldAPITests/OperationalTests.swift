import Foundation
import GRDBSQLite
import HeraldCore
import HeraldSQLite
import HeraldTestSupport
import Hummingbird
import HummingbirdTesting
import Testing
import Yams

@testable import HeraldAPI

@Suite("API: health, readiness, metrics and the OpenAPI document", .hangGuard)
struct OperationalTests {
    @Test func readinessFollowsTheWorkers() async throws {
        try await APIHarness(workersRunning: true).withClient { client in
            let response7 = try await client.call(.get, "/readyz", token: nil)
            #expect(response7.status == .ok)
        }
        try await APIHarness(workersRunning: false).withClient { client in
            let response = try await client.call(.get, "/readyz", token: nil)
            #expect(response.status == .serviceUnavailable)
            #expect(response.json["detail"] == "the delivery workers are not running")
        }
    }

    @Test func readinessIs503WithinTheDeadlineWhileTheStoreCannotTakeWritesAndRecovers() async throws {
        let directory = TemporaryDirectory()
        let harness = try APIHarness(directory: directory, store: try SQLiteMessageStore(path: directory.file("herald.sqlite")))
        // Another process holds SQLite's write lock: reads still work, every write waits (busy) for 30 s.
        var other: OpaquePointer?
        #expect(sqlite3_open(harness.directory.file("herald.sqlite"), &other) == SQLITE_OK)
        #expect(sqlite3_exec(other, "BEGIN EXCLUSIVE", nil, nil, nil) == SQLITE_OK)
        try await harness.withClient { client in
            async let answer = client.call(.get, "/readyz", token: nil)
            await harness.clock.waitForSleepers(1)
            harness.clock.advance(by: .seconds(2))
            let response = try await answer
            #expect(response.status == .serviceUnavailable)
            #expect(response.json["detail"] == "the store did not answer within 2.0 seconds")
        }
        #expect(sqlite3_exec(other, "ROLLBACK", nil, nil, nil) == SQLITE_OK)
        sqlite3_close(other)
        try await harness.withClient { client in
            let again = try await client.call(.get, "/readyz", token: nil)
            #expect(again.status == .ok, "ready again once writes go through")
        }
    }

    @Test func metricsShowMessagesByStateCircuitsAndRequests() async throws {
        let harness = try APIHarness()
        try await harness.withClient { client in
            _ = try await client.call(.post, "/v1/messages", body: AuthAndErrorTests.send)
            let text = try await client.call(.get, "/metrics", token: nil).text
            #expect(text.contains(#"herald_messages{state="queued"} 1"#), "\(text)")
            #expect(text.contains("herald_queue_depth 1"))
            #expect(text.contains(#"herald_circuit_state{channel="partners"} 0"#))
            #expect(text.contains(#"herald_http_requests_total{route="/v1/messages",method="POST",status="202"} 1"#), "\(text)")
            #expect(text.contains(#"herald_http_request_duration_seconds_count{route="/v1/messages"} 1"#))
            #expect(text.contains(#"herald_accepted_total{source="api"} 1"#))
            #expect(text.contains(#"herald_build_info{version="\#(HeraldVersion.current)"} 1"#))
            // Every series says what it is: a TYPE line always comes with a HELP line.
            let lines = text.split(separator: "\n")
            let typed = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
            let helped = Set(lines.filter { $0.hasPrefix("# HELP ") }.map { $0.split(separator: " ")[2] })
            #expect(!typed.isEmpty)
            for name in typed { #expect(helped.contains(name), "\(name) has no HELP line") }
        }
    }

    @Test func anotherMethodOnAKnownPathIs405WithAllow() async throws {
        try await APIHarness().withClient { client in
            let response = try await client.call(.put, "/v1/messages")
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "POST")
            #expect(response.headers[.contentType] == "application/problem+json")
            let incident = try await client.call(.delete, "/v1/incidents/inc_1")
            #expect(incident.status == .methodNotAllowed)
            #expect(Set((incident.headers[.allow] ?? "").components(separatedBy: ", ")) == ["GET", "PATCH"])
        }
    }

    @Test func everyRouteIsInTheOpenAPIDocument() async throws {
        let harness = try APIHarness()
        let served = try await harness.withClient { client in try await client.call(.get, "/openapi.yaml", token: nil).text }
        let document = try #require(try Yams.load(yaml: served) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: Any])
        let routes = HeraldAPIServer.endpoints(services: harness.services, metrics: harness.metrics).routes
        #expect(routes.count >= 12)
        for route in routes {
            let path = route.path.description.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
            let operations = paths["/" + path] as? [String: Any]
            #expect(operations?[route.method.rawValue.lowercased()] != nil, "\(route.method) /\(path) is not in openapi.yaml")
        }
    }
}

/// What `/v1/channels` and `/metrics` say about canaries.
@Suite("API: canaries", .hangGuard)
struct CanaryRouteTests {
    @Test func channelsAndMetricsShowEachCanarysLastResultAndAge() async throws {
        let harness = try APIHarness(canaries: [CanarySettings(channel: "outbox", to: "", every: .seconds(60))])
        let at = harness.clock.now()
        try await harness.store.recordCanary(CanaryResult(channel: "outbox", delivered: false, detail: "disk full", at: at))
        harness.clock.advance(by: .seconds(42))
        try await harness.withClient { client in
            let channels = try await client.call(.get, "/v1/channels", token: APIHarness.reader)
            #expect(channels.status == .ok)
            #expect(channels.text.contains(#""canary":{"age_seconds":42,"at":"#), "\(channels.text)")
            #expect(channels.text.contains(#""detail":"disk full","result":"failed","stale":false}"#), "\(channels.text)")
            let listed = try JSONDecoder().decode([TemplateValue].self, from: Data(buffer: channels.body)).compactMap(\.objectValue)
            #expect(listed.map { $0["canary"] != nil } == [false, true], "partners has no canary, so no field")
            let metrics = try await client.call(.get, "/metrics", token: nil)
            #expect(metrics.text.contains(#"herald_canary_success{channel="outbox"} 0"#), "\(metrics.text)")
            #expect(metrics.text.contains(#"herald_canary_age_seconds{channel="outbox"} 42"#))
        }
    }
}
