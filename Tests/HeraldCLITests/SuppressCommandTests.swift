import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// `herald suppress` and what a suppression does to `send --wait`, through an `smtp` channel to aiosmtpd.
@Suite("herald command line: suppress", .serialized, .hangGuard)
struct SuppressCommandTests {
    let workspace: TemporaryDirectory
    let herald: HeraldProcess

    init() throws {
        workspace = try HeraldProcess.workspace()
        herald = HeraldProcess(workingDirectory: workspace.path)
    }

    func config(port: Int) -> String {
        workspace.write(
            "consent.yaml",
            """
            storage: sqlite:herald.sqlite
            templates: Templates
            http: { public_url: "https://status.example.com" }
            unsubscribe: { secret: "9c1f0d7e2b4a4c8e9f3a6b5d1e0c7f2a" }
            channels:
              email: { kind: smtp, host: 127.0.0.1, port: \(port), security: none, from: "Status <status@example.com>" }
              sms: { kind: sms, url: "http://127.0.0.1:9/send", token: "t", sender: "+15550100", default_region: KR }
            routes:
              default: [email]
            """
        )
    }

    @Test func anUnsubscribedAddressIsSkippedForUpdatesAndStillGetsEssentialNotices() async throws {
        let server = try await AiosmtpdServer()
        let config = config(port: server.port)
        let add = try await herald.run(["--config", config, "suppress", "add", "Jane@Example.com", "--reason", "unsubscribed", "--note", "asked by phone"])
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stdout.contains("suppressed email jane@example.com (unsubscribed)"))

        let update = try await herald.run([
            "--config", config, "send", "status-update", "--to", "email:jane@example.com", "--wait",
            "--var", "service=Mail", "--var", "status=recovering", "--var", "note=Soon.",
        ])
        #expect(update.status == 0, "a suppressed message is the right outcome: \(update.stderr)")
        #expect(update.stderr.contains("suppressed 1 (on the suppression list, not sent)"), "\(update.stderr)")
        let listed = try await herald.run(["--config", config, "messages", "--state", "suppressed"])
        #expect(listed.stdout.contains("email jane@example.com is suppressed (unsubscribed)"), "\(listed.stdout)")

        let essential = try await herald.run([
            "--config", config, "send", "outage-apology", "--to", "email:jane@example.com", "--wait", "--var", "service=Mail", "--var", "started_at=15:30",
        ])
        let stored = server.messages
        await server.stop()
        #expect(essential.status == 0, "\(essential.stderr)")
        #expect(stored.count == 1)
        #expect(stored.first?.contains("List-Unsubscribe: <https://status.example.com/u/") == true)
    }

    @Test func listImportAndRemoveSayWhatTheyDid() async throws {
        let config = config(port: 25)
        let bad = workspace.write("bad.txt", "# bounced last week\njane@example.com, bounced\nnot a contact\n+82 10-1234-5678,shrug\n")
        let refused = try await herald.run(["--config", config, "suppress", "import", bad])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("bad.txt:3: 'not a contact' is not a contact point"), "\(refused.stderr)")
        #expect(refused.stderr.contains("bad.txt:4: unknown reason 'shrug'"), "\(refused.stderr)")

        let good = workspace.write("good.txt", "jane@example.com, bounced\n010-1234-5678\n\nhttps://hooks.example.com/t/7,gone\n")
        let imported = try await herald.run(["--config", config, "suppress", "import", good])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("suppressed 3 new of 3"))

        let json = try await herald.run(["--config", config, "suppress", "list", "--json"])
        let lines = json.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.first?.contains(#""contact":"+821012345678""#) == true, "the number in E.164 with the SMS channel's region: \(json.stdout)")
        #expect(lines.first?.contains(#""reason":"manual""#) == true)

        let removed = try await herald.run(["--config", config, "suppress", "remove", "JANE@example.com"])
        #expect(removed.status == 0 && removed.stdout.contains("lifted 1 suppression"), "\(removed.stderr)")
        let again = try await herald.run(["--config", config, "suppress", "remove", "jane@example.com"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("jane@example.com is not on the suppression list"))
        let usage = try await herald.run(["--config", config, "suppress", "add", "jane@example.com", "--reason", "bored"])
        #expect(usage.status == 64)
    }
}
