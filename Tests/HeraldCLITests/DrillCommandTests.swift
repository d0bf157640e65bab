import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// `herald drill` on a real configuration: a messenger webhook, an SMS gateway and e-mail (aiosmtpd)
/// along the default route, a canary on each, and real receivers on 127.0.0.1.
@Suite("herald command line: drill", .serialized, .hangGuard)
struct DrillCommandTests {
    let workspace: TemporaryDirectory
    let herald: HeraldProcess

    init() throws {
        workspace = try HeraldProcess.workspace()
        herald = HeraldProcess(workingDirectory: workspace.path)
    }

    /// The config: `messenger` posts to `messengerURL`, `sms` to a JSON gateway at `gatewayURL`, `email` to aiosmtpd.
    func config(messengerURL: String, gatewayURL: String, mailPort: Int) -> String {
        workspace.write(
            "drill.yaml",
            """
            storage: sqlite:drill.sqlite
            templates: Templates
            channels:
              messenger: { kind: webhook, url: "\(messengerURL)", secret: "whsec_aGVyYWxkLWRlbW8tc2lnbmluZy1rZXk=", timeout: 2s }
              sms: { kind: sms, url: "\(gatewayURL)", format: json, token: "gateway-token", sender: "+15550100", default_region: KR, timeout: 2s }
              email: { kind: smtp, host: 127.0.0.1, port: \(mailPort), security: none, from: "Status <status@example.com>" }
            routes: { default: [messenger, sms, email] }
            canaries:
              - { channel: messenger, every: 5m }
              - { channel: sms, to: "010-1234-5678", every: 5m }
              - { channel: email, to: "oncall@example.com", every: 5m }
            egress: { allow: [127.0.0.0/8] }
            """
        )
    }

    @Test func withTheMessengerDownEveryFallbackDeliversAndNothingStoredChanges() async throws {
        let (messenger, gateway, mail) = (try await HTTPSink.start(), try await HTTPSink.start(), try await AiosmtpdServer())
        let config = config(messengerURL: "\(messenger.url)/notices", gatewayURL: "\(gateway.url)/send", mailPort: mail.port)

        let plan = try await herald.run(["--config", config, "drill", "--down", "messenger", "--dry-run"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("sms: messenger (down) → sms") && plan.stdout.contains("email: messenger (down) → email"), "\(plan.stdout)")
        #expect(gateway.received.isEmpty && mail.messages.isEmpty, "a dry run sends nothing")

        let drill = try await herald.run(["--config", config, "drill", "--down", "messenger"])
        let (gatewayRequests, mails) = (gateway.received, mail.messages)
        await messenger.stop()
        await gateway.stop()
        await mail.stop()
        #expect(drill.status == 0, "\(drill.stdout)\n\(drill.stderr)")
        let lines = drill.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("  messenger") && $0.hasSuffix("down in this drill") }, "\(drill.stdout)")
        #expect(lines.contains { $0.contains("sms") && $0.contains("messenger (down) → sms: delivered in ") && $0.hasSuffix(" s through the fallback") })
        #expect(lines.contains { $0.contains("messenger (down) → email: delivered in ") })
        #expect(lines.last == "passed: every path delivered")
        #expect(messenger.received.isEmpty, "nothing reaches a channel that is down for the drill")
        #expect(gatewayRequests.count == 1 && gatewayRequests.first?.text.contains("+821012345678") == true)
        #expect(mails.count == 1 && mails.first?.contains("Subject: Herald drill: email works") == true)

        // Nothing outside the drill saw it: no circuit stored, nothing queued; only the report is kept.
        let status = try await herald.run(["--config", config, "status", "--json"])
        #expect(status.stdout.contains(#""total":0"#), "\(status.stdout)")
        #expect(!status.stdout.contains(#""circuit":"open""#) && !status.stdout.contains("half_open"), "\(status.stdout)")
        let last = try await herald.run(["--config", config, "drill", "--last", "--json"])
        #expect(last.status == 0)
        #expect(last.stdout.contains(#""down":["messenger"]"#) && last.stdout.contains(#""outcome":"delivered""#), "\(last.stdout)")
    }

    @Test func aFallbackThatFailsIsNamedWithItsReasonAndTheExitIsNonZero() async throws {
        let dead = try await HTTPSink.start()
        let deadURL = "\(dead.url)/send"
        await dead.stop()  // the SMS gateway refuses connections
        let (messenger, mail) = (try await HTTPSink.start(), try await AiosmtpdServer())
        let config = config(messengerURL: "\(messenger.url)/notices", gatewayURL: deadURL, mailPort: mail.port)

        let drill = try await herald.run(["--config", config, "drill", "--down", "messenger"])
        let mails = mail.messages
        await messenger.stop()
        await mail.stop()
        #expect(drill.status == 2, "\(drill.stdout)\n\(drill.stderr)")
        #expect(drill.stdout.contains("messenger (down) → sms: FAILED: "), "\(drill.stdout)")
        #expect(drill.stderr.contains("herald drill: 1 path(s) failed: messenger → sms: "), "\(drill.stderr)")
        #expect(drill.stderr.contains("refused"), "the reason, in the channel's words: \(drill.stderr)")
        #expect(mails.count == 1, "the e-mail path was still proved")

        let last = try await herald.run(["--config", config, "drill", "--last"])
        #expect(last.stdout.contains("failed: sms ("), "\(last.stdout)")
        let unknown = try await herald.run(["--config", config, "drill", "--down", "pager"])
        #expect(unknown.status == 1 && unknown.stderr.contains("--down: unknown channel 'pager' (configured: messenger, sms, email)"), "\(unknown.stderr)")
    }
}
