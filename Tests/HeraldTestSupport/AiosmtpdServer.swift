import Foundation
import HeraldSinks

/// A real SMTP server nobody here wrote: Python's aiosmtpd (installed by scripts/test), storing every
/// message it accepts in a maildir, on a free port on 127.0.0.1. It can require STARTTLS, speak TLS
/// from the first byte, and check AUTH credentials.
public final class AiosmtpdServer: @unchecked Sendable {
    public enum Security: String, Sendable {
        /// Plain SMTP.
        case none
        /// STARTTLS offered and required before anything else.
        case startTLS = "starttls"
        /// TLS from the first byte (SMTPS).
        case implicitTLS = "smtps"
    }

    /// The credentials the server accepts when started with `requireAuth`.
    public static let username = "herald"
    public static let password = "s3cret-påss"

    public var port: Int { server.port }
    public let maildir: String
    private let server: ServerProcess

    /// - Parameters:
    ///   - certificate: the server certificate for `startTLS` and `implicitTLS`.
    ///   - requireAuth: refuse mail until the client authenticates as `username`/`password`.
    public init(security: Security = .none, certificate: SelfSignedCertificate? = nil, requireAuth: Bool = false) async throws {
        let maildir = NSTemporaryDirectory() + "aiosmtpd-" + UUID().uuidString
        self.maildir = maildir
        let script = maildir + ".py"
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        server = try await ServerProcess.start(executable: "/usr/bin/env") { port in
            [
                "python3", script, String(port), maildir, security.rawValue, requireAuth ? "auth" : "open",
                certificate?.certificatePath ?? "", certificate?.keyPath ?? "",
            ]
        }
    }

    /// The raw messages stored so far.
    public var messages: [String] {
        let folder = maildir + "/new"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        return names.compactMap { try? String(contentsOfFile: "\(folder)/\($0)", encoding: .utf8) }
    }

    /// Kills the server and removes what it stored.
    public func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(atPath: maildir)
        try? FileManager.default.removeItem(atPath: maildir + ".py")
    }

    /// aiosmtpd's own SMTP class and Mailbox handler, configured for one test.
    static let script = """
        import asyncio, ssl, sys
        from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
        from aiosmtpd.handlers import Mailbox

        port, maildir, security, auth, cert, key = sys.argv[1:7]
        context = None
        if cert:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)

        def authenticator(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and data.login == b"\(username)" and data.password == "\(password)".encode()
            return AuthResult(success=ok, handled=False)

        def factory():
            return SMTP(
                Mailbox(maildir), hostname="aiosmtpd.test",
                tls_context=context if security == "starttls" else None, require_starttls=security == "starttls",
                authenticator=authenticator, auth_required=auth == "auth", auth_require_tls=False,
            )

        loop = asyncio.new_event_loop()
        loop.run_until_complete(loop.create_server(factory, "127.0.0.1", int(port), ssl=context if security == "smtps" else None))
        loop.run_forever()
        """
}

public enum SMTPTestError: Error { case serverDidNotStart(String), commandFailed(String) }
