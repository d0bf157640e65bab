import Foundation
import HeraldTestSupport
import SMTPClient
import Testing

/// Postfix's smtp-sink: a PIPELINING server from the Postfix project, receiving from several pooled sessions.
@Suite("SMTP pool against Postfix smtp-sink", .serialized, .hangGuard)
struct PostfixSinkTests {
    @Test func everyMessageArrivesOnceWithItsEnvelopeAndHeaders() async throws {
        let sink = try await PostfixSMTPSink()
        let pool = SMTPConnectionPool(
            configuration: .init(
                host: "127.0.0.1", port: sink.port, connection: .init(session: .init(hostname: "herald.test", security: .none)), maximumConnections: 4
            )
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<60 {
                group.addTask {
                    let message = MailMessage(
                        from: Mailbox(name: "Example Status", address: "status@example.com"), to: [Mailbox(address: "user\(n)@example.kr")],
                        subject: "복구 안내 \(n)", text: "line one\n.dot line\n", messageID: "msg_\(n)", date: Date(timeIntervalSince1970: 1_790_000_000)
                    )
                    let reply = try await pool.send(.init(sender: "status@example.com", recipient: "user\(n)@example.kr", payload: try message.dataPayload()))
                    #expect(reply.isSuccess)
                }
            }
            try await group.waitForAll()
        }
        await pool.shutdown()
        let messages = sink.messages
        await sink.stop()
        #expect(messages.count == 60)
        let recipients = Set(messages.compactMap { $0.split(separator: "\n").first { $0.hasPrefix("X-Rcpt-Args:") } })
        #expect(recipients.count == 60)
        let first = try #require(messages.first { $0.contains("X-Rcpt-Args: <user0@example.kr>") })
        #expect(first.contains("Message-ID: <msg_0@example.com>"))
        #expect(first.contains("Subject: =?UTF-8?B?"))
        #expect(first.contains("\n.dot line"), "smtp-sink undoes the dot-stuffing")
    }
}
