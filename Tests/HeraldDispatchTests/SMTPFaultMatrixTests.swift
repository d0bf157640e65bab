import Foundation
import HeraldChannels
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Testing

/// The SMTP rows of the reliability matrix, through the whole pipeline: the e-mail channel against the
/// fault-injecting SMTP server, SMS against a real HTTP gateway sink.
@Suite("Fault matrix (SMTP, real sockets)", .hangGuard)
struct SMTPFaultMatrixTests {
    /// Route [email, sms].
    func harness(smtp server: ScriptedSMTPServer, gateway: HTTPSink) throws -> (DispatchHarness, SMTPChannel, SMSChannel) {
        let email = try SMTPChannel(
            name: "email",
            configuration: .init(server: SMTPSettings(host: "127.0.0.1", port: server.port, security: .none, from: "Status <status@example.com>"))
        )
        let sms = SMSChannel(name: "sms", configuration: .init(gateway: DispatchHarness.smsGateway(url: "\(gateway.url)/send")))
        let harness = try DispatchHarness(channels: [email, sms], routes: ["default": ["email", "sms"]])
        return (harness, email, sms)
    }

    func send(_ harness: DispatchHarness) async throws -> String {
        try await harness.intake.send(DispatchHarness.apology, to: harness.recipient("u1", email: "haneul@example.kr", phone: "010-1234-5678")).id
    }

    @Test func fourFiftyOneThenTwoFiftyIsRetriedOnTheSameChannel() async throws {
        let server = try await ScriptedSMTPServer.start { event in
            if case .message(_, index: 0) = event { return .reply("451 4.3.0 try again later") }
            return nil
        }
        let gateway = try await HTTPSink.start()
        let (harness, email, sms) = try harness(smtp: server, gateway: gateway)
        let id = try await send(harness)
        try await harness.worker.drain()
        #expect(try await harness.store.message(id: id)?.message.state == .retrying)
        harness.clock.advance(by: .seconds(5))
        try await harness.worker.drain()
        try await email.shutdown()
        try await sms.shutdown()
        await server.stop()
        await gateway.stop()
        let detail = try #require(try await harness.store.message(id: id))
        #expect(detail.message.state == .delivered)
        #expect(detail.attemptLog.map(\.channel) == ["email", "email"])
        #expect(detail.attemptLog.map(\.outcome) == [.transient, .delivered])
        #expect(detail.attemptLog.first?.error?.contains("451 4.3.0 try again later") == true)
        #expect(server.accepted.count == 1)
        #expect(server.accepted.first?.data.contains("Message-ID: <\(id)@example.com>") == true)
        #expect(gateway.received.isEmpty)
    }

    @Test func fiveFiftyFallsBackToSMS() async throws {
        let server = try await ScriptedSMTPServer.start { event in
            if case .command(let line, _) = event, line.hasPrefix("RCPT") { return .reply("550 5.1.1 no such mailbox") }
            return nil
        }
        let gateway = try await HTTPSink.start()
        let (harness, email, sms) = try harness(smtp: server, gateway: gateway)
        let id = try await send(harness)
        try await harness.worker.drain()
        try await email.shutdown()
        try await sms.shutdown()
        await server.stop()
        await gateway.stop()
        let detail = try #require(try await harness.store.message(id: id))
        #expect(detail.message.state == .delivered)
        #expect(detail.attemptLog.map(\.channel) == ["email", "sms"])
        #expect(detail.attemptLog.first?.outcome == .permanent)
        #expect(detail.attemptLog.first?.error?.contains("550 5.1.1") == true)
        #expect(server.accepted.isEmpty)
        #expect(gateway.received.map { $0.headers["idempotency-key"] } == [id])
        #expect(gateway.received.first?.text.contains("+821012345678") == true)
    }
}
