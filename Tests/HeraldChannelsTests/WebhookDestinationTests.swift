import Foundation
import HeraldChannels
import HeraldCore
import HeraldSinks
import HeraldTestSupport
import Testing

/// What a webhook channel does with destinations a caller chose: whatever the store holds, the
/// delivery ends in a classified failure, internal addresses are refused at connect, and what a
/// receiver answers stays out of the ledger.
@Suite("Webhook destinations", .hangGuard)
struct WebhookDestinationTests {
    func delivery(url: String?) -> Delivery {
        Delivery(
            messageID: "msg_01dest", recipient: Recipient(id: "u1", contacts: ContactPoints(webhook: url)),
            rendered: RenderedNotice(template: "outage-apology", locale: "en", subject: "s", text: "t\n", html: nil, webhook: nil),
            vars: [:], noticeID: "nt_1", broadcastID: nil, incidentID: nil, attemptedAt: Date(timeIntervalSince1970: 1_790_000_000)
        )
    }

    func channel(url: String? = nil, egress: EgressPolicy) -> WebhookChannel {
        WebhookChannel(
            name: "partners",
            configuration: .init(url: url.flatMap(URL.init(string:)), signingKey: Array("key".utf8), connections: 2, timeout: .healthyReceiverTimeout, egress: egress)
        )
    }

    /// The failure `deliver` threw, or `nil` when it delivered.
    func failure(_ channel: WebhookChannel, to url: String?) async throws -> DeliveryError? {
        defer { Task { try? await channel.shutdown() } }
        do {
            try await channel.deliver(delivery(url: url))
            return nil
        } catch let error as DeliveryError {
            return error
        }
    }

    @Test(arguments: ["http://127.0.0.1:99999/", "http://127.0.0.1:65536/", "http://[::1]:70000/"])
    func aStoredURLWithAnImpossiblePortFailsForGoodInsteadOfTrapping(url: String) async throws {
        let failure = try #require(try await failure(channel(egress: .testReceivers), to: url))
        #expect(failure.isRetryable == false)
        #expect(failure.detail == "the webhook URL cannot be used: the port must be between 1 and 65535")
    }

    @Test(arguments: ["127.0.0.1", "localhost", "[::1]", "2130706433", "0"])
    func internalDestinationsAreRefusedWithoutAConnection(host: String) async throws {
        let sink = try await HTTPSink.start()
        let failure = try #require(try await failure(channel(egress: EgressPolicy()), to: "http://\(host):\(sink.port)/hook"))
        #expect(failure.isRetryable == false)
        #expect(failure.detail.hasPrefix("destination refused: "), "\(failure.detail)")
        #expect(sink.received.isEmpty, "nothing reached the internal receiver")
        await sink.stop()
    }

    @Test func aNameThatResolvesToLoopbackIsRefusedAtConnect() async throws {
        // `vm`-style names from /etc/hosts resolve to 127.0.0.1 on this machine; `localhost` is judged by name,
        // so a name it has no rule for is looked up and its address checked.
        let sink = try await HTTPSink.start()
        let name = try #require(Self.hostsFileNameForLoopback(), "no /etc/hosts name other than localhost points at 127.0.0.1")
        let failure = try #require(try await failure(channel(egress: EgressPolicy()), to: "http://\(name):\(sink.port)/hook"))
        #expect(failure.detail == "destination refused: \(name) resolves to 127.0.0.1 is a loopback address (allow it with egress.allow)")
        #expect(sink.received.isEmpty)
        await sink.stop()
    }

    @Test func aCallerSuppliedReceiversBodyNeverReachesTheLedger() async throws {
        let sink = try await HTTPSink.start { _, _ in .status(404, body: "INTERNAL-SECRET: db_password=hunter2") }
        let failure = try #require(try await failure(channel(egress: .testReceivers), to: "\(sink.url)/hook"))
        #expect(failure.detail == "HTTP 404 Not Found")
        await sink.stop()
    }

    @Test func theOperatorsOwnChannelURLKeepsTheReceiversWords() async throws {
        let sink = try await HTTPSink.start { _, _ in .status(400, body: "missing field text") }
        let failure = try #require(try await failure(channel(url: "\(sink.url)/hook", egress: EgressPolicy()), to: nil))
        #expect(failure.detail == "HTTP 400 Bad Request: missing field text", "the channel's url is trusted: no egress check, body kept")
        await sink.stop()
    }

    @Test func aCertificateThatFailsVerificationIsPermanentAndSaidPlainly() async throws {
        let server = try await HTTPSTestServer(.openSSL)
        let failure = try #require(try await failure(channel(egress: .testReceivers), to: "\(server.url)/hook"))
        #expect(failure.isRetryable == false, "a bad certificate does not fix itself: the route moves on")
        #expect(failure.detail.hasPrefix("the TLS certificate of 127.0.0.1:\(server.port) failed verification"), "\(failure.detail)")
        #expect(!failure.detail.contains("/"), "no build paths or library dumps")
        await server.stop()
    }

    /// The TLS path that succeeds, against Python's `http.server` behind `ssl`: by address (no SNI) and
    /// by name (SNI `localhost`), several messages over the kept-alive connection.
    @Test(arguments: ["127.0.0.1", "localhost"])
    func aSignedDeliveryOverTLSArrives(host: String) async throws {
        let server = try await HTTPSTestServer(.python)
        let channel = WebhookChannel(
            name: "partners", configuration: .init(signingKey: Array("key".utf8), connections: 1, tlsVerify: false, egress: .testReceivers)
        )
        var failure: (any Error)?
        do {
            for index in 0..<3 {
                var delivery = delivery(url: "https://\(host):\(server.port)/hook")
                delivery.messageID = "msg_\(index)"
                try await channel.deliver(delivery)
            }
        } catch {
            failure = error
        }
        try await channel.shutdown()
        await server.stop()
        if let failure { throw failure }
    }

    @Test func aRefusedConnectionIsSaidInPlainWords() async throws {
        let port = try HTTPSink.refusingPort()
        let failure = try #require(try await failure(channel(egress: .testReceivers), to: "http://127.0.0.1:\(port)/hook"))
        #expect(failure.isRetryable)
        #expect(failure.detail == "cannot connect to 127.0.0.1:\(port): connection refused")
    }

    /// A name in /etc/hosts, other than localhost, that points at 127.0.0.1.
    static func hostsFileNameForLoopback() -> String? {
        let hosts = (try? String(contentsOfFile: "/etc/hosts", encoding: .utf8)) ?? ""
        for line in hosts.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.first == "127.0.0.1" else { continue }
            if let name = fields.dropFirst().first(where: { !$0.lowercased().hasSuffix("localhost") && !$0.contains(".localhost") }) { return String(name) }
        }
        return nil
    }
}
