import Foundation
import HeraldTestSupport
import NIOSSL
import SMTPClient
import Testing

/// STARTTLS, implicit TLS and AUTH against aiosmtpd with a certificate made for the test.
@Suite("SMTP TLS and AUTH against aiosmtpd", .serialized, .hangGuard)
struct SMTPSecurityTests {
    let folder = TemporaryDirectory()

    func configuration(
        _ security: SMTPConnectionStateMachine.Configuration.Security, trusting certificate: SelfSignedCertificate?,
        password: String? = AiosmtpdServer.password
    ) throws -> SMTPConnection.Configuration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let certificate { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(certificate.pem)) }
        return .init(
            session: .init(hostname: "herald.test", security: security, username: password.map { _ in AiosmtpdServer.username }, password: password),
            tls: tls
        )
    }

    let envelope = SMTPConnectionStateMachine.Envelope(
        sender: "status@example.com", recipient: "haneul@example.kr", payload: "Subject: secured\r\n\r\nover TLS\r\n.\r\n"
    )

    @Test(arguments: [
        (AiosmtpdServer.Security.startTLS, SMTPConnectionStateMachine.Configuration.Security.startTLS),
        (AiosmtpdServer.Security.implicitTLS, SMTPConnectionStateMachine.Configuration.Security.implicitTLS),
    ])
    func tlsThenAuthDeliversWhenTheCertificateIsTrusted(
        server security: AiosmtpdServer.Security, client mode: SMTPConnectionStateMachine.Configuration.Security
    ) async throws {
        let certificate = try await SelfSignedCertificate.make(in: folder.path)
        let server = try await AiosmtpdServer(security: security, certificate: certificate, requireAuth: true)
        let connection = try await SMTPConnection.connect(host: "localhost", port: server.port, configuration: configuration(mode, trusting: certificate))
        let reply = try await connection.send(envelope)
        await connection.close()
        let stored = server.messages
        await server.stop()
        #expect(reply.code == 250)
        #expect(stored.count == 1)
        #expect(stored.first?.contains("over TLS") == true)
    }

    @Test func anUntrustedCertificateIsRefusedAndNothingIsSent() async throws {
        let certificate = try await SelfSignedCertificate.make(in: folder.path)
        let server = try await AiosmtpdServer(security: .startTLS, certificate: certificate, requireAuth: true)
        do {
            _ = try await SMTPConnection.connect(host: "localhost", port: server.port, configuration: configuration(.startTLS, trusting: nil))
            Issue.record("an untrusted certificate must fail the connection")
        } catch let error as SMTPError {
            guard case .certificateRejected(let detail) = error else { Issue.record("expected a refused certificate, got \(error)"); return }
            #expect(detail.hasPrefix("failed verification"))
            #expect(!error.isTransient, "a bad certificate does not fix itself")
            #expect(!"\(error)".contains("BoringSSL") && !"\(error)".contains("/"), "no library dump: \(error)")
        }
        let stored = server.messages
        await server.stop()
        #expect(stored.isEmpty)
    }

    @Test func aWrongPasswordIsRejectedWithTheServersReply() async throws {
        let certificate = try await SelfSignedCertificate.make(in: folder.path)
        let server = try await AiosmtpdServer(security: .startTLS, certificate: certificate, requireAuth: true)
        do {
            _ = try await SMTPConnection.connect(
                host: "localhost", port: server.port, configuration: configuration(.startTLS, trusting: certificate, password: "wrong")
            )
            Issue.record("AUTH with a wrong password must fail")
        } catch let error as SMTPError {
            guard case .rejected(_, let reply) = error else { Issue.record("expected a rejection, got \(error)"); return }
            #expect(reply.code == 535)
            #expect(!error.isTransient)
        }
        await server.stop()
    }

    @Test func authInClearIsRefusedBeforeTheCredentialsLeave() async throws {
        let server = try await AiosmtpdServer(security: .none, requireAuth: true)
        await #expect(throws: SMTPError.insecureAuthRefused) {
            _ = try await SMTPConnection.connect(host: "127.0.0.1", port: server.port, configuration: configuration(.none, trusting: nil))
        }
        await server.stop()
    }
}
