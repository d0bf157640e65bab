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

    /// The shipped config has a digest, so the scheduler waits for its next slot when the signal
    /// comes; the wait ending early is a normal stop, not a failure.
    @Test(arguments: [SIGTERM, SIGINT])
    func withTheShippedConfigASignalStopsServeWithExitZero(signal: Int32) async throws {
        let workspace = try HeraldProcess.workspace()
        let serve = try HeraldProcess(workingDirectory: workspace.path).start(["serve", "--listen", "127.0.0.1:0"])
        #expect(await serve.line(containing: "listening on") != nil)
        serve.signal(signal)
        let stopped = await serve.finish()
        #expect(stopped.status == 0, "\(stopped.stderr.suffix(800))")
        #expect(!stopped.stderr.contains("Error"), "\(stopped.stderr.suffix(800))")
        #expect(stopped.stderr.contains("digest scheduler stopped"))
    }

    @Test func aTakenPortStopsServeNamingTheAddressBeforeAnythingStarts() async throws {
        let workspace = try HeraldProcess.workspace()
        let herald = HeraldProcess(workingDirectory: workspace.path)
        let first = try herald.start(["serve", "--listen", "127.0.0.1:0"])
        let line = try #require(await first.line(containing: "listening on"))
        let address = String(try #require(line.split(separator: "/").last))
        let second = try await herald.run(["serve", "--listen", address])
        first.signal(SIGTERM)
        _ = await first.finish()
        #expect(second.status == 1)
        #expect(second.stderr.contains("cannot listen on \(address): address already in use"), "\(second.stderr)")
        #expect(!second.stderr.contains("delivery worker started"), "the worker starts only once the port is bound")
        #expect(!second.stderr.contains("digest scheduler started"))
    }

    /// At the descriptor limit libdispatch used to trap the whole process; now connections past what
    /// the limit allows are refused and the ones already open are still served.
    @Test func atTheFileDescriptorLimitServeRefusesConnectionsAndStaysUp() async throws {
        let workspace = try HeraldProcess.workspace()
        let herald = HeraldProcess(workingDirectory: workspace.path, launcher: ["/usr/bin/prlimit", "--nofile=512"])
        workspace.write(
            "limits.yaml",
            """
            storage: sqlite:herald.sqlite
            templates: Templates
            http: { listen: "127.0.0.1:0", tokens: [{ name: ops, token: "serve-test-token-0123456789", scopes: [read] }] }
            channels: { outbox: { kind: outbox, path: outbox } }
            """
        )
        let serve = try herald.start(["--config", "limits.yaml", "serve"])
        let listening = try #require(await serve.line(containing: "listening on http://127.0.0.1:"))
        let port = try #require(Int(listening.split(separator: ":").last ?? ""))
        try await RawConnection.session(port: port) { held in
            try await held.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await held.read(until: "\r\n\r\n").hasPrefix("HTTP/1.1 200"))
            let flood = try await IdleConnections.open(port: port, count: 600)
            // The server accepts the flood at its own pace; it must have reached the limit before the flood ends.
            #expect(await serve.line(containing: "refusing connections: http.max_connections", in: .standardError) != nil)
            try await held.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(try await held.readToEnd().contains("HTTP/1.1 200"), "an open connection is still served during the flood")
            await flood.close()
        }
        serve.signal(SIGTERM)
        let stopped = await serve.finish()
        #expect(stopped.status == 0, "it did not die: \(stopped.stderr.suffix(600))")
        #expect(stopped.stderr.contains("the file-descriptor limit allows"), "the clamp is said at start")
    }

    /// A disk that takes no more, made real with RLIMIT_FSIZE (SIGXFSZ ignored, so a write past it fails):
    /// sends are 503 with Retry-After, never 500, and /readyz says so.
    @Test func aFullDiskIs503NotInternalError() async throws {
        let workspace = try HeraldProcess.workspace()
        workspace.write(
            "disk.yaml",
            """
            storage: sqlite:herald.sqlite
            templates: Templates
            http: { listen: "127.0.0.1:0", tokens: [{ name: ops, token: "serve-test-token-0123456789", scopes: [send, read] }] }
            channels: { outbox: { kind: outbox, path: outbox } }
            delivery: { poll: 1h }
            """
        )
        let plain = HeraldProcess(workingDirectory: workspace.path)
        #expect(try await plain.run(["--config", "disk.yaml", "status"]).status == 0, "the schema exists before the limit")
        let limited = HeraldProcess(
            workingDirectory: workspace.path, launcher: ["/bin/bash", "-c", #"trap '' XFSZ; exec /usr/bin/prlimit --fsize=65536 "$0" "$@""#]
        )
        let serve = try limited.start(["--config", "disk.yaml", "serve"])
        let listening = try #require(await serve.line(containing: "listening on http://127.0.0.1:"))
        let port = try #require(Int(listening.split(separator: ":").last ?? ""))
        let body = #"{"template":"status-update","to":{"email":"a@example.com"},"vars":{"service":"M","status":"recovering","note":"n"}}"#
        let request = "POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer serve-test-token-0123456789\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        var statuses: [String] = []
        var refusal = ""
        for _ in 0..<200 where refusal.isEmpty {
            let reply = try await RawConnection.session(port: port) { connection in
                try await connection.send(request.replacingOccurrences(of: "Host: x\r\n", with: "Host: x\r\nConnection: close\r\n"))
                return try await connection.readToEnd()
            }
            let status = String(reply.prefix(12))
            statuses.append(status)
            if status == "HTTP/1.1 503" { refusal = reply }
        }
        #expect(!statuses.contains("HTTP/1.1 500"), "\(Set(statuses))")
        #expect(refusal.contains("Retry-After: 5") || refusal.contains("retry-after: 5"), "\(refusal)")
        // A write past RLIMIT_FSIZE fails with EFBIG, which SQLite reports as an I/O error (ENOSPC would be SQLITE_FULL): both are 503.
        #expect(refusal.contains("the SQLite file cannot be read or written"), "\(refusal)")
        let ready = try await RawConnection.session(port: port) { connection in
            try await connection.send("GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return try await connection.readToEnd()
        }
        #expect(ready.hasPrefix("HTTP/1.1 503"), "\(ready)")
        #expect(ready.contains("the store cannot take writes"))
        serve.signal(SIGTERM)
        _ = await serve.finish()
    }

    @Test func aPlaceholderTokenOffLoopbackStopsServeBeforeItListens() async throws {
        let workspace = try HeraldProcess.workspace()
        let herald = HeraldProcess(workingDirectory: workspace.path)
        let exposed = try await herald.run(["serve", "--listen", "0.0.0.0:0"])
        #expect(exposed.status != 0)
        #expect(exposed.stderr.contains("--listen 0.0.0.0:0: token 'ops' is a placeholder"), "\(exposed.stderr)")
        #expect(!exposed.stdout.contains("listening on"))
    }
}
