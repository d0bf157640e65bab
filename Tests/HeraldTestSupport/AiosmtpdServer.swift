import Foundation
import HeraldSinks

/// A real SMTP server nobody here wrote: Python's aiosmtpd (installed by scripts/test), storing every
/// message it accepts in a maildir, on a free port on 127.0.0.1. It can require STARTTLS, speak TLS
/// from the first byte, check AUTH credentials, and refuse recipients it does not know as a real
/// mail server does (`550 5.1.1`), noting every RCPT it was sent.
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
    ///   - unknownRecipients: addresses answered `550 5.1.1 … User unknown` at RCPT.
    public init(
        security: Security = .none, certificate: SelfSignedCertificate? = nil, requireAuth: Bool = false, unknownRecipients: [String] = []
    ) async throws {
        let maildir = NSTemporaryDirectory() + "aiosmtpd-" + UUID().uuidString
        self.maildir = maildir
        let script = maildir + ".py"
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        server = try await ServerProcess.start(executable: "/usr/bin/env") { port in
            [
                "python3", script, String(port), maildir, security.rawValue, requireAuth ? "auth" : "open",
                certificate?.certificatePath ?? "", certificate?.keyPath ?? "", unknownRecipients.joined(separator: ","), maildir + ".rcpt",
            ]
        }
    }

    /// The raw messages stored so far, in the order they arrived. (Maildir file names do not sort
    /// by arrival: their microseconds are not zero-padded, so the server notes each key it stores.)
    public var messages: [String] {
        let keys = ((try? String(contentsOfFile: maildir + ".order", encoding: .utf8)) ?? "").split(separator: "\n")
        return keys.compactMap { try? String(contentsOfFile: "\(maildir)/new/\($0)", encoding: .utf8) }
    }

    /// Every address a client named in RCPT TO, in order, whether it was accepted or not.
    public var recipientsTried: [String] {
        ((try? String(contentsOfFile: maildir + ".rcpt", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Kills the server and removes what it stored.
    public func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(atPath: maildir)
        try? FileManager.default.removeItem(atPath: maildir + ".py")
        try? FileManager.default.removeItem(atPath: maildir + ".rcpt")
        try? FileManager.default.removeItem(atPath: maildir + ".order")
    }

    /// aiosmtpd's own SMTP class and Mailbox handler, configured for one test.
    static let script = """
        import asyncio, ssl, sys
        from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
        from aiosmtpd.handlers import Mailbox

        port, maildir, security, auth, cert, key, unknown, rcptlog = sys.argv[1:9]
        unknown = set(filter(None, unknown.split(",")))
        context = None
        if cert:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)

        def authenticator(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and data.login == b"\(username)" and data.password == "\(password)".encode()
            return AuthResult(success=ok, handled=False)

        class Handler(Mailbox):
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                with open(rcptlog, "a") as log:
                    log.write(address + "\\n")
                if address.lower() in unknown:
                    return "550 5.1.1 <%s>: Recipient address rejected: User unknown in local recipient table" % address
                envelope.rcpt_tos.append(address)
                return "250 OK"

            def handle_message(self, message):
                key = self.mailbox.add(message)
                with open(maildir + ".order", "a") as log:
                    log.write(key + "\\n")

        def factory():
            return SMTP(
                Handler(maildir), hostname="aiosmtpd.test",
                tls_context=context if security == "starttls" else None, require_starttls=security == "starttls",
                authenticator=authenticator, auth_required=auth == "auth", auth_require_tls=False,
            )

        loop = asyncio.new_event_loop()
        loop.run_until_complete(loop.create_server(factory, "127.0.0.1", int(port), ssl=context if security == "smtps" else None))
        loop.run_forever()
        """
}

public enum SMTPTestError: Error { case serverDidNotStart(String), commandFailed(String) }
