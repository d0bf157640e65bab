import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// The `herald` executable, run as a subprocess against the shipped config and templates.
@Suite("herald command line", .serialized, .hangGuard)
struct HeraldCommandTests {
    let workspace: TemporaryDirectory
    let herald: HeraldProcess

    init() throws {
        workspace = try HeraldProcess.workspace()
        herald = HeraldProcess(workingDirectory: workspace.path)
    }

    static let apologyVars: [String] = ["--var", "service=Messenger", "--var", "started_at=15:30 KST"]

    func totalQueued() async throws -> Int {
        let status = try await herald.run(["status", "--json"])
        let counts = try JSONDecoder().decode(StateCounts.self, from: Data(status.stdout.utf8))
        return counts.total
    }

    @Test func broadcastWithWaitDeliversEveryoneToTheOutboxAndExitsZero() async throws {
        let run = try await herald.run(["broadcast", "outage-apology", "--audience", "Config/sample-audience.csv", "--wait"] + Self.apologyVars)
        #expect(run.status == 0, "\(run.stderr)")
        let id = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.hasPrefix("bc_"))
        #expect(run.stderr.contains("5/5 final: delivered 5"), "plain progress lines when not on a terminal")

        let status = try await herald.run(["status", id, "--json"])
        let json = try JSONDecoder().decode(TemplateValue.self, from: Data(status.stdout.utf8))
        #expect(json.objectValue?["id"] == .string(id))
        #expect(json.objectValue?["total"] == .number(5))
        #expect(json.objectValue?["delivered"] == .number(5))
        let files = try FileManager.default.contentsOfDirectory(atPath: workspace.file("outbox"))
        #expect(files.filter { $0.hasSuffix(".txt") }.count == 5)
        let korean = try files.map { try String(contentsOfFile: workspace.file("outbox/\($0)"), encoding: .utf8) }.filter { $0.contains("Recipient: u-0001") }
        #expect(korean.first?.contains("Subject: [Messenger] 서비스 장애 안내 및 사과 말씀") == true)
    }

    @Test func workDrainDeliversWhatIsDueThenExits() async throws {
        let queued = try await herald.run(["broadcast", "outage-apology", "--audience", "Config/sample-audience.csv"] + Self.apologyVars)
        #expect(queued.status == 0, "\(queued.stderr)")
        let id = queued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let drained = try await herald.run(["work", "--drain"])
        #expect(drained.status == 0, "\(drained.stderr)")
        #expect(drained.stdout == "processed 5\n")
        let status = try await herald.run(["status", id, "--json"])
        let json = try JSONDecoder().decode(TemplateValue.self, from: Data(status.stdout.utf8))
        #expect(json.objectValue?["delivered"] == .number(5))
        let again = try await herald.run(["work", "--drain"])
        #expect(again.stdout == "processed 0\n", "nothing is due any more")
    }

    @Test func sendWithWaitDeliversASignedWebhook() async throws {
        let sink = try await HTTPSink.start()
        let run = try await herald.run(["send", "status-update", "--to", "webhook:\(sink.url)/hooks/ops", "--var", "service=Messenger",
            "--var", "status=recovering", "--var", "note=Chats work again.", "--route", "partners", "--wait"])
        await sink.stop()
        #expect(run.status == 0, "\(run.stderr)")
        let id = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(sink.received.count == 1)
        #expect(sink.received.first?.headers["webhook-id"] == id)
        #expect(sink.received.first?.text.contains("\"type\":\"notice.status-update\"") == true)
    }

    @Test func aMissingVariableExitsNonZeroNamingItAndQueuesNothing() async throws {
        let run = try await herald.run(["broadcast", "outage-apology", "--audience", "Config/sample-audience.csv", "--var", "service=Messenger"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("required variable 'started_at'"))
        #expect(run.stdout.isEmpty)
        #expect(try await totalQueued() == 0)
    }

    @Test func aBadAudienceRowExitsNonZeroNamingLineAndFieldAndQueuesNothing() async throws {
        workspace.write("audience.csv", "id,name,locale,email\nu1,Kim,ko,kim@example.kr\nu2,Lee,ko,lee-at-example\n")
        let run = try await herald.run(["broadcast", "outage-apology", "--audience", "audience.csv"] + Self.apologyVars)
        #expect(run.status != 0)
        #expect(run.stderr.contains("audience.csv:3: field 'email'"), "\(run.stderr)")
        #expect(try await totalQueued() == 0)
    }

    @Test func aSendToAnUnusableOrInternalWebhookIsRefusedNamingTheOption() async throws {
        let vars = ["--var", "service=Messenger", "--var", "status=recovering", "--var", "note=n"]
        let port = try await herald.run(["send", "status-update", "--to", "webhook:http://127.0.0.1:65536/", "--route", "partners"] + vars)
        #expect(port.status != 0)
        #expect(port.stderr.contains("--to webhook:http://127.0.0.1:65536/: the port must be between 1 and 65535"), "\(port.stderr)")
        let long = try await herald.run(["send", "status-update", "--to", "email:a@example.com", "--name", String(repeating: "n", count: 300)] + vars)
        #expect(long.stderr.contains("--name: is longer than 256 characters"), "\(long.stderr)")
        // The workspace's config allows 127.0.0.0/8 for the test receivers; link-local stays refused.
        let metadata = try await herald.run(["send", "status-update", "--to", "webhook:http://169.254.169.254/latest", "--route", "partners"] + vars)
        #expect(metadata.status != 0)
        #expect(metadata.stderr.contains("destination refused: 169.254.169.254 is a link-local address"), "\(metadata.stderr)")
        #expect(try await totalQueued() == 0)
    }

    @Test func aBadConfigExitsNonZeroNamingTheKeyPath() async throws {
        let config = try String(contentsOfFile: workspace.file("Config/herald.yaml"), encoding: .utf8)
        workspace.write("bad.yaml", config.replacingOccurrences(of: "failover_after: 5m", with: "failover_after: soon"))
        let run = try await herald.run(["--config", "bad.yaml", "status"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("bad.yaml:"))
        #expect(run.stderr.contains("retry.failover_after"))
    }

    @Test func dryRunRendersAndReportsButQueuesNothing() async throws {
        let run = try await herald.run(["broadcast", "outage-apology", "--audience", "Config/sample-audience.csv", "--dry-run"] + Self.apologyVars)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("audience: 5 recipients"))
        #expect(run.stdout.contains("by locale:  en 3, ko 2"))
        #expect(run.stdout.contains("=== first render: outbox/ko (to u-0001) ==="), "\(run.stdout)")
        #expect(run.stdout.contains("--- email ---\nSubject: [Messenger] 서비스 장애 안내 및 사과 말씀"))
        #expect(run.stdout.contains("--- sms (1 segment, UCS-2, 70 UTF-16 units) ---"), "SMS texts show their segments and encoding")

        workspace.write("hooks.csv", "id,locale,webhook\nu1,ko,https://hooks.example.com/a\n")
        let hooks = try await herald.run(["broadcast", "outage-apology", "--audience", "hooks.csv", "--dry-run"] + Self.apologyVars)
        #expect(hooks.stdout.contains("=== first render: partners/ko (to u1) ===\n--- webhook JSON ---"), "\(hooks.stdout)")
        #expect(hooks.stdout.contains(#""subject" : "[Messenger] 서비스 장애 안내 및 사과 말씀""#), "the body a webhook channel would post")
        #expect(!hooks.stdout.contains("--- sms"), "a webhook channel sends no SMS part of its own")
        #expect(try await totalQueued() == 0)
    }

    @Test func templatesCheckNamesABrokenTemplate() async throws {
        #expect(try await herald.run(["templates", "check"]).status == 0)
        workspace.write("Templates/status-update/sms.ko.mustache", "[{{service}}] {{eta}}")
        let run = try await herald.run(["templates", "check"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("template 'status-update', part 'sms', locale 'ko': variable 'eta' is used but was not given"))
    }

    @Test func messagesListsStateAndAttemptsAsJSON() async throws {
        let send = try await herald.run(["send", "outage-apology", "--to", "email:kim@example.kr", "--route", "outbox", "--wait"] + Self.apologyVars)
        #expect(send.status == 0, "\(send.stderr)")
        let run = try await herald.run(["messages", "--state", "delivered", "--json"])
        let line = try JSONDecoder().decode(TemplateValue.self, from: Data(run.stdout.utf8))
        #expect(line.objectValue?["id"] == .string(send.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(line.objectValue?["channel"] == "outbox")
    }

    /// Writes a config with a Korean SMS gateway channel pointing at `url`, edited by `edit`, and returns its path.
    func smsConfig(url: String, edit: (String) -> String = { $0 }) -> String {
        workspace.write(
            "sms.yaml",
            edit("""
            storage: sqlite:herald.sqlite
            templates: Templates
            channels:
              sms: { kind: sms, url: "\(url)", format: json, token: "${SMS_TOKEN:-test-token}", sender: "+15550100",
                     default_region: KR, max_segments: 2 }
              outbox: { kind: outbox, path: outbox }
            routes:
              default: [sms, outbox]
            """)
        )
    }

    @Test func sendToAPhoneDeliversThroughTheGatewayInE164() async throws {
        let sink = try await HTTPSink.start { _, _ in .status(202) }
        let config = smsConfig(url: "\(sink.url)/send")
        let run = try await herald.run(["--config", config, "send", "outage-apology", "--to", "sms:010-1234-5678", "--locale", "ko", "--wait"] + Self.apologyVars)
        await sink.stop()
        #expect(run.status == 0, "\(run.stderr)")
        let request = try #require(sink.received.first)
        #expect(request.headers["authorization"] == "Bearer test-token")
        #expect(request.text.contains(#""to":"+821012345678""#))
        #expect(request.text.contains(#""reference":"\#(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))""#))
        #expect(run.stderr.contains("test-token") == false)
    }

    @Test func sendRefusesAnInvalidPhoneNumberAndQueuesNothing() async throws {
        let config = smsConfig(url: "http://127.0.0.1:9/send")
        let run = try await herald.run(["--config", config, "send", "outage-apology", "--to", "sms:010-123-45"] + Self.apologyVars)
        #expect(run.status != 0)
        #expect(run.stderr.contains("field 'phone': '010-123-45' is not a valid phone number"), "\(run.stderr)")
        #expect(try await herald.run(["--config", config, "status", "--json"]).stdout.contains(#""total":0"#))
    }

    @Test func aTwilioChannelWithoutAccountIsAConfigError() async throws {
        let config = smsConfig(url: "http://127.0.0.1:9/twilio") { $0.replacingOccurrences(of: "format: json", with: "format: twilio") }
        let run = try await herald.run(["--config", config, "status"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("channels.sms: a twilio-format sms channel needs 'account'"), "\(run.stderr)")
    }

    @Test func templatesCheckReportsAnSMSPartOverMaxSegments() async throws {
        let config = smsConfig(url: "http://127.0.0.1:9/send") { $0.replacingOccurrences(of: "max_segments: 2", with: "max_segments: 1") }
        workspace.write("Templates/status-update/sms.ko.mustache", "[{{service}}] 현재 상태: {{status}}. {{note}} 자세한 내용은 이메일로 안내드리겠습니다.")
        let run = try await herald.run(["--config", config, "templates", "check"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("template 'status-update', part 'sms', locale 'ko': with the example variables the text takes 2 UCS-2 segments, over max_segments 1 of channel 'sms'"), "\(run.stderr)")
    }

    @Test func cancelAndRetryFromTheCommandLine() async throws {
        // A broadcast to a webhook nobody listens on: queued, then cancelled before anything goes out.
        let port = try HTTPSink.refusingPort()
        workspace.write("hooks.csv", "id,webhook\nu1,http://127.0.0.1:\(port)/h\nu2,http://127.0.0.1:\(port)/h\n")
        let queued = try await herald.run(["broadcast", "outage-apology", "--audience", "hooks.csv", "--route", "partners"] + Self.apologyVars)
        #expect(queued.status == 0, "\(queued.stderr)")
        let id = queued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let cancel = try await herald.run(["cancel", id])
        #expect(cancel.stdout == "cancelled 2 messages of \(id)\n")
        #expect(try await herald.run(["status", id, "--json"]).stdout.contains(#""cancelled":2"#))

        let retry = try await herald.run(["retry", "--failed", "--broadcast", id])
        #expect(retry.status == 0)
        #expect(retry.stderr.contains("nothing to retry"), "cancelled messages are not failed ones")
        let cancelled = try await herald.run(["retry", "--broadcast", id, "--state", "cancelled"])
        #expect(cancelled.status == 0, "\(cancelled.stderr)")
        #expect(cancelled.stdout.split(separator: "\n").count == 2)
        #expect(cancelled.stderr.contains("queued 2 messages again; a worker delivers them (herald serve or herald work), or add --wait"))
        let since = try await herald.run(["retry", "--failed", "--since", "soon"])
        #expect(since.status != 0)
        #expect(since.stderr.contains("--since expects a duration such as 30m"))
        #expect(try await herald.run(["retry", "--failed", "--since", "30m"]).status == 0)
        let explicit = try await herald.run(["retry", "msg_unknown"])
        #expect(explicit.status == 1)
        #expect(explicit.stderr.contains("not retried (unknown, or not failed, expired or cancelled): msg_unknown"))
    }
}
