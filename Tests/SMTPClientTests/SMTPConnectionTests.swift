import Foundation
import HeraldTestSupport
import SMTPClient
import Testing

/// The client against aiosmtpd over real sockets.
@Suite("SMTP connection against aiosmtpd", .serialized, .hangGuard)
struct SMTPConnectionTests {
    func envelope(_ message: MailMessage) throws -> SMTPConnectionStateMachine.Envelope {
        SMTPConnectionStateMachine.Envelope(sender: message.from.address, recipient: message.to[0].address, payload: try message.dataPayload())
    }

    func message(_ id: String, subject: String, text: String) -> MailMessage {
        MailMessage(
            from: Mailbox(name: "Example Status", address: "status@example.com"), to: [Mailbox(name: "김하늘", address: "haneul@example.kr")],
            subject: subject, text: text, messageID: id, date: Date(timeIntervalSince1970: 1_790_000_000)
        )
    }

    @Test func sendsMessagesOverOneReusedConnectionAndTheServerStoresThemIntact() async throws {
        let server = try await AiosmtpdServer()
        let connection = try await SMTPConnection.connect(
            host: "127.0.0.1", port: server.port, configuration: .init(session: .init(hostname: "herald.test", security: .none))
        )
        let first = try await connection.send(envelope(message("msg_1", subject: "[Messenger] 서비스 장애 안내", text: "첫 줄\n.hidden line\n")))
        let second = try await connection.send(envelope(message("msg_2", subject: "Restored", text: "All good.\n")))
        #expect(first.code == 250 && second.code == 250)
        await connection.close()
        let stored = server.messages
        await server.stop()
        #expect(stored.count == 2)
        let korean = try #require(stored.first { $0.contains("Message-ID: <msg_1@example.com>") })
        #expect(korean.contains("X-RcptTo: haneul@example.kr"))
        #expect(korean.contains("Subject: =?UTF-8?B?"))
        #expect(korean.contains("\n.hidden line"), "dot-stuffing is undone by the server: the line arrives as written")
        #expect(!korean.contains("..hidden"))
    }
}

@Suite("SMTP connection failures", .serialized, .hangGuard)
struct SMTPConnectionFailureTests {
    @Test func aRefusedConnectionThrows() async throws {
        let server = try await AiosmtpdServer()
        let port = server.port
        await server.stop()
        await #expect(throws: (any Error).self) {
            _ = try await SMTPConnection.connect(host: "127.0.0.1", port: port, configuration: .init(session: .init(security: .none)))
        }
    }

    @Test func requiringStartTLSFromAServerWithoutItFailsClearly() async throws {
        let server = try await AiosmtpdServer()
        await #expect(throws: SMTPError.startTLSNotOffered) {
            _ = try await SMTPConnection.connect(host: "127.0.0.1", port: server.port, configuration: .init(session: .init(security: .startTLS)))
        }
        await server.stop()
    }
}
