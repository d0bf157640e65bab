import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// `herald serve` as a process: API, workers and digest scheduler in one service group.
@Suite("herald serve", .serialized, .hangGuard)
struct ServeCommandTests {
    @Test func serveDeliversUntilSIGTERMThenStopsCleanly() async throws {
        let workspace = try HeraldProcess.workspace()
        let herald = HeraldProcess(workingDirectory: workspace.path)
        let sink = try await HTTPSink.start()
        workspace.write(
            "serve.yaml",
            """
            storage: sqlite:herald.sqlite
            templates: Templates
            http: { listen: "127.0.0.1:0", tokens: [{ name: ops, token: "serve-test-token-0123456789", scopes: [send, read] }] }
            channels:
              partners: { kind: webhook, secret: "whsec_aGVyYWxkLWRlbW8tc2lnbmluZy1rZXk=", timeout: 5s }
            routes: { default: [partners] }
            delivery: { poll: 100ms }
            egress: { allow: [127.0.0.0/8] }
            """
        )
        let queued = try await herald.run(
            ["--config", "serve.yaml", "send", "status-update", "--to", "webhook:\(sink.url)/ops", "--var", "service=Messenger", "--var", "status=recovering",
             "--var", "note=Chats work again."]
        )
        #expect(queued.status == 0, "\(queued.stderr)")
        // No digests are configured: the scheduler must not end the service group (and with it the workers).
        let serve = try herald.start(["--config", "serve.yaml", "serve"])
        try await sink.wait(timeout: .seconds(60)) { $0.count == 1 }
        serve.signal(SIGTERM)
        let stopped = await serve.finish()
        await sink.stop()
        #expect(stopped.status == 0, "\(stopped.stderr.suffix(800))")
        #expect(stopped.stdout.hasPrefix("listening on http://127.0.0.1:"))
        #expect(stopped.stderr.contains("delivery worker stopped"))
        #expect(!stopped.stderr.contains("delivery round failed"), "\(stopped.stderr.suffix(800))")
        #expect(!stopped.stderr.contains("serve-test-token-0123456789"), "tokens are never logged")
    }
}
