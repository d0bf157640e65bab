import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// `tracing:` against a real OTLP/HTTP receiver: `herald serve` exports an accept span continuing the
/// caller's `traceparent` and a delivery span linked to it, and the webhook carries the delivery's.
@Suite("Traces over OTLP/HTTP", .serialized, .hangGuard)
struct TracingTests {
    @Test func anAcceptAndItsDeliveryAreExportedAndTheWebhookCarriesTheTrace() async throws {
        let workspace = try HeraldProcess.workspace()
        let receiver = try await OTLPReceiver.start(in: workspace)
        let sink = try await HTTPSink.start()
        let token = "tracing-test-token-0123456789"
        workspace.write(
            "traced.yaml",
            """
            storage: sqlite:traced.sqlite
            templates: Templates
            http: { listen: "127.0.0.1:0", tokens: [{ name: ops, token: "\(token)", scopes: [send, read] }] }
            channels:
              partners: { kind: webhook, secret: "whsec_aGVyYWxkLWRlbW8tc2lnbmluZy1rZXk=", timeout: 5s }
            routes: { default: [partners] }
            delivery: { poll: 50ms }
            egress: { allow: [127.0.0.0/8] }
            tracing: { otlp_endpoint: "\(receiver.endpoint)", service_name: herald-test }
            """
        )
        let serve = try HeraldProcess(workingDirectory: workspace.path).start(["--config", "traced.yaml", "serve"])
        let line = try #require(await serve.line(containing: "listening on"))
        let port = try #require(line.split(separator: ":").last.flatMap { Int($0) })

        let callerTrace = "0af7651916cd43dd8448eb211c80319c"
        let callerSpan = "b7ad6b7169203331"
        let body = #"{"template":"status-update","to":{"webhook":"\#(sink.url)/in"},"vars":{"service":"Messenger","status":"recovering","note":"Chats work."}}"#
        let reply = try await RawConnection.session(port: port) { connection in
            try await connection.send(
                "POST /v1/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\n"
                    + "traceparent: 00-\(callerTrace)-\(callerSpan)-01\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            )
            return try await connection.read(until: "\"queued\"}")
        }
        #expect(reply.hasPrefix("HTTP/1.1 202"), "\(reply)")
        let messageID = try #require(reply.split(separator: "\"").first { $0.hasPrefix("msg_") }).description
        try await sink.wait(timeout: .seconds(60)) { $0.count == 1 }
        serve.signal(SIGTERM)
        let stopped = await serve.finish()
        #expect(stopped.status == 0, "\(stopped.stderr.suffix(800))")
        let webhook = try #require(sink.received.first)
        await sink.stop()

        // The exporter flushed at shutdown, before serve exited.
        let spans = try receiver.spans()
        await receiver.stop()
        let accept = try #require(spans.first { $0.name == "herald.accept" }, "\(spans.map(\.name))")
        #expect(accept.service == "herald-test")
        #expect(accept.trace_id == callerTrace, "the accept continues the caller's trace")
        #expect(accept.parent_span_id == callerSpan)
        #expect(accept.attributes["herald.message.id"] == .string(messageID))

        let delivery = try #require(spans.first { $0.name == "herald.deliver" })
        #expect(delivery.attributes["herald.message.id"] == .string(messageID), "linked by message id")
        #expect(delivery.attributes["herald.channel"] == "partners")
        #expect(delivery.attributes["herald.outcome"] == "delivered")
        #expect(delivery.links.map(\.span_id) == [accept.span_id], "the delivery links to its accept")

        let traceparent = try #require(webhook.headers["traceparent"])
        #expect(traceparent.hasPrefix("00-\(delivery.trace_id)-\(delivery.span_id)-"), "the receiver gets the delivery's trace context")
    }
}
