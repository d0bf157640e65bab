import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// `herald send --to email:` through an `smtp` channel, against aiosmtpd.
@Suite("herald command line: e-mail", .serialized, .hangGuard)
struct EmailCommandTests {
    let workspace: TemporaryDirectory
    let herald: HeraldProcess

    init() throws {
        workspace = try HeraldProcess.workspace()
        herald = HeraldProcess(workingDirectory: workspace.path)
    }

    func emailConfig(port: Int, from: String = "Example Status <status@example.com>") -> String {
        workspace.write(
            "email.yaml",
            """
            storage: sqlite:herald.sqlite
            templates: Templates
            channels:
              email: { kind: smtp, host: 127.0.0.1, port: \(port), security: none, from: "\(from)",
                       unsubscribe_url: "https://example.com/unsubscribe?r={{recipient.id}}" }
            routes:
              default: [email]
            """
        )
    }

    @Test func sendToAnAddressDeliversAMultipartMessageInTheRecipientsLanguage() async throws {
        let server = try await AiosmtpdServer()
        let config = emailConfig(port: server.port)
        let run = try await herald.run([
            "--config", config, "send", "outage-apology", "--to", "email:haneul@example.kr", "--name", "김하늘", "--locale", "ko", "--wait",
            "--var", "service=메신저", "--var", "started_at=15:30 KST",
        ])
        let stored = server.messages
        await server.stop()
        #expect(run.status == 0, "\(run.stderr)")
        let id = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let message = try #require(stored.first)
        #expect(message.contains("Message-ID: <\(id)@example.com>"))
        #expect(message.contains("X-RcptTo: haneul@example.kr"))
        #expect(message.contains("Content-Type: multipart/alternative;"))
        #expect(message.contains("List-Unsubscribe: <https://example.com/unsubscribe?r=haneul%40example.kr>"))
        let subject = try #require(message.split(separator: "\n").first { $0.hasPrefix("Subject: ") })
        #expect(subject.contains("=?UTF-8?B?"), "a Korean subject goes as an encoded word")
    }

    @Test func aSenderThatIsNotAnAddressIsAConfigErrorNamingLineAndKey() async throws {
        let config = emailConfig(port: 25, from: "Example Status <status.example.com>")
        let run = try await herald.run(["--config", config, "status"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("email.yaml:4: channels.email.from: expected an address"), "\(run.stderr)")
    }
}
