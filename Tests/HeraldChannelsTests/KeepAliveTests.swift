import Foundation
import HeraldChannels
import HeraldCore
import HeraldTestSupport
import Testing

/// The webhook channel's own HTTP/1.1 pool against a real server: connections kept alive and reused,
/// never more than the channel's `connections`, and a receiver that goes away and comes back is
/// reached again without a lost message.
@Suite("Kept-alive HTTP connections", .hangGuard)
struct KeepAliveTests {
    func channel(connections: Int) -> WebhookChannel {
        // A generous timeout: these tests are about connections, and run beside heavy suites.
        WebhookChannel(
            name: "partners", configuration: .init(signingKey: Array("key".utf8), connections: connections, timeout: .healthyReceiverTimeout, egress: .testReceivers)
        )
    }

    func delivery(_ index: Int, to url: String) -> Delivery {
        Delivery(
            messageID: "msg_\(index)", recipient: Recipient(id: "u\(index)", contacts: ContactPoints(webhook: url)),
            rendered: RenderedNotice(template: "outage-apology", locale: "en", text: "hello\n"), vars: [:], noticeID: "bc_1",
            broadcastID: "bc_1", incidentID: nil, attemptedAt: Date(timeIntervalSince1970: 1_790_000_000)
        )
    }

    @Test func manyMessagesShareAFewConnectionsAndNeverMoreThanTheChannelAllows() async throws {
        let sink = try await HTTPSink.start()
        let channel = channel(connections: 2)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask { try await channel.deliver(delivery(index, to: "\(sink.url)/hook")) }
            }
            try await group.waitForAll()
        }
        try await channel.shutdown()
        let received = sink.received
        #expect(received.count == 40)
        #expect(Set(received.map(\.clientPort)).count <= 2, "connections: 2 caps the connections to one receiver")
        #expect(Set(received.map(\.clientPort)).count >= 1)
        #expect(Set(received.map { $0.headers["webhook-id"] ?? "" }).count == 40, "every message went out once")
        await sink.stop()
    }

    @Test func sequentialMessagesGoOverOneKeptAliveConnection() async throws {
        let sink = try await HTTPSink.start()
        let channel = channel(connections: 8)
        for index in 0..<10 { try await channel.deliver(delivery(index, to: "\(sink.url)/hook")) }
        try await channel.shutdown()
        #expect(sink.received.count == 10)
        #expect(Set(sink.received.map(\.clientPort)).count == 1, "one connection, reused: no handshake per message")
        await sink.stop()
    }

    @Test func aLongErrorAnswerIsCutForTheLedgerAndTheConnectionStillServes() async throws {
        let long = String(repeating: "x", count: 5000)
        let sink = try await HTTPSink.start { _, index in index == 0 ? .status(500, body: long) : .status(204) }
        let channel = WebhookChannel(name: "partners", configuration: .init(url: URL(string: "\(sink.url)/hook"), connections: 1, timeout: .healthyReceiverTimeout))
        var first: DeliveryError?
        do { try await channel.deliver(delivery(0, to: "\(sink.url)/hook").withoutRecipientURL()) } catch let error as DeliveryError { first = error }
        try await channel.deliver(delivery(1, to: "\(sink.url)/hook").withoutRecipientURL())
        try await channel.shutdown()
        let failure = try #require(first)
        #expect(failure.isRetryable)
        #expect(failure.detail == "HTTP 500 Internal Server Error: " + String(repeating: "x", count: 512))
        #expect(Set(sink.received.map(\.clientPort)).count == 1, "the whole body was read, so the connection stayed usable")
        await sink.stop()
    }

    @Test func aReceiverThatRestartsIsReachedAgainOnANewConnection() async throws {
        let port = try HTTPSink.refusingPort()  // held for the test, so no other server takes it between the two
        let first = try await HTTPSink.start(port: port)
        let channel = channel(connections: 1)
        try await channel.deliver(delivery(0, to: "http://127.0.0.1:\(port)/hook"))
        await first.stop()
        let second = try await HTTPSink.start(port: port)
        try await channel.deliver(delivery(1, to: "http://127.0.0.1:\(port)/hook"))
        try await channel.shutdown()
        #expect(second.received.map { $0.headers["webhook-id"] } == ["msg_1"], "the kept-alive connection died with the first server; a new one carried the message")
        await second.stop()
    }
}

extension Delivery {
    /// The same delivery to the channel's own `url`.
    fileprivate func withoutRecipientURL() -> Delivery {
        var copy = self
        copy.recipient.contacts.webhook = nil
        return copy
    }
}

/// Receivers that misbehave: each attempt still ends, in plain words, holding at most the excerpt.
@Suite("Hostile receivers", .hangGuard)
struct HostileReceiverTests {
    func failure(_ mode: HostileHTTPServer.Mode, timeout: Duration = .seconds(2)) async throws -> DeliveryError {
        let server = try await HostileHTTPServer(mode)
        let channel = WebhookChannel(name: "partners", configuration: .init(connections: 1, timeout: timeout, egress: .testReceivers))
        let delivery = Delivery(
            messageID: "msg_1", recipient: Recipient(id: "u1", contacts: ContactPoints(webhook: "\(server.url)/hook")),
            rendered: RenderedNotice(template: "outage-apology", locale: "en", text: "hello\n"), vars: [:], noticeID: "bc_1", broadcastID: "bc_1",
            incidentID: nil, attemptedAt: Date()
        )
        var caught: DeliveryError?
        do { try await channel.deliver(delivery) } catch let error as DeliveryError { caught = error }
        try await channel.shutdown()
        await server.stop()
        return try #require(caught, "a hostile receiver must not count as delivered")
    }

    @Test func aBodyThatNeverEndsEndsAtTheDeadline() async throws {
        let failure = try await failure(.endlessBody)
        #expect(failure.reason == .timeout)
        #expect(failure.isRetryable)
        #expect(failure.detail.hasSuffix("did not answer in time"), "\(failure.detail)")
    }

    @Test func anAnswerThatIsNotHTTPIsSaidSo() async throws {
        let failure = try await failure(.notHTTP, timeout: .seconds(30))
        #expect(failure.isRetryable)
        #expect(failure.detail.hasSuffix("answered with something that is not HTTP"), "\(failure.detail)")
    }

    @Test func aRedirectIsAnAnswerNotADirection() async throws {
        let failure = try await failure(.redirect, timeout: .seconds(30))
        #expect(failure.isRetryable == false, "a 3xx is refused for good: the route moves on")
        #expect(failure.detail == "HTTP 302 Found", "never followed: the Location is the metadata address")
    }
}
