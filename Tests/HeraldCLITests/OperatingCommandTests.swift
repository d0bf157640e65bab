import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// The command line as an operator meets it on the day of an outage: exit statuses that say what
/// happened, every problem of a config at once, listings newest first, and a `--wait` that tells why.
@Suite("herald command line: operating", .serialized, .hangGuard)
struct OperatingCommandTests {
    let workspace: TemporaryDirectory
    let herald: HeraldProcess

    init() throws {
        workspace = try HeraldProcess.workspace()
        herald = HeraldProcess(workingDirectory: workspace.path)
    }

    static let apologyVars: [String] = ["--var", "service=Messenger", "--var", "started_at=15:30 KST"]

    /// A config whose only channel posts to recipients' own webhooks, giving up after `expireAfter`.
    func webhookConfig(expireAfter: String) -> String {
        workspace.write(
            "hooks.yaml",
            """
            storage: sqlite:hooks.sqlite
            templates: Templates
            channels:
              partners: { kind: webhook, secret: "whsec_aGVyYWxkLWRlbW8tc2lnbmluZy1rZXk=", timeout: 2s }
            routes: { default: [partners] }
            retry: { backoff: [100ms], expire_after: \(expireAfter) }
            delivery: { poll: 50ms }
            egress: { allow: [127.0.0.0/8] }
            """
        )
    }

    @Test func versionIsPrinted() async throws {
        let run = try await herald.run(["--version"])
        #expect(run.status == 0)
        #expect(run.stdout == "\(HeraldVersion.current)\n")
    }

    @Test func usageErrorsAre64WithTheSubcommandsUsageAndRuntimeErrorsAre1() async throws {
        let usage = try await herald.run(["incident", "open", "Fire", "--service", "Messenger=down"])
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("unknown status 'down'"))
        #expect(usage.stderr.contains("Usage: herald incident open"), "the subcommand's usage, not the top level's: \(usage.stderr)")

        let nothing = try await herald.run(["digest", "run", "hourly-status"])
        #expect(nothing.status == 1)
        #expect(nothing.stderr == "Error: digest 'hourly-status' has nothing to report: no incident is open\n", "no usage for a runtime condition")

        let unknown = try await herald.run(["status", "bc_nope"])
        #expect(unknown.status == 1)
        #expect(!unknown.stderr.contains("Usage:"))
    }

    @Test func configCheckListsEveryProblemAtOnce() async throws {
        let good = try await herald.run(["config", "check"])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("ok"))

        let config = try String(contentsOfFile: workspace.file("Config/herald.yaml"), encoding: .utf8)
        workspace.write(
            "bad.yaml",
            config.replacingOccurrences(of: "failover_after: 5m", with: "failover_after: soon")
                .replacingOccurrences(of: "open_after: 5", with: "open_after: many")
                .replacingOccurrences(of: "    connections: 32", with: "    connections: lots")
        )
        let bad = try await herald.run(["--config", "bad.yaml", "config", "check"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("3 problems in the configuration"), "\(bad.stderr)")
        for key in ["retry.failover_after", "circuit.open_after", "channels.partners.connections"] {
            #expect(bad.stderr.contains(key), "\(key) is named: \(bad.stderr)")
        }
    }

    @Test func broadcastsAndMessagesAreListedNewestFirst() async throws {
        let first = try await herald.run(["broadcast", "outage-apology", "--audience", "Config/sample-audience.csv", "--route", "outbox"] + Self.apologyVars)
        let second = try await herald.run(["broadcast", "resolved", "--audience", "Config/sample-audience.csv", "--route", "outbox", "--var", "service=Messenger", "--var", "restored_at=18:00"])
        #expect(first.status == 0 && second.status == 0, "\(first.stderr)\(second.stderr)")
        #expect(first.stderr.contains("queued 5 messages; a worker delivers them"), "a command that only queues says so")

        let listed = try await herald.run(["broadcasts", "--json"])
        let lines = listed.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.map { $0?["id"] as? String } == [second.stdout.trimmingCharacters(in: .newlines), first.stdout.trimmingCharacters(in: .newlines)])
        #expect(lines.first??["total"] as? Int == 5)
        #expect(lines.first??["queued"] as? Int == 5)
        #expect(lines.first??["template"] as? String == "resolved")

        let messages = try await herald.run(["messages", "--limit", "1", "--json"])
        #expect(messages.stdout.contains(second.stdout.trimmingCharacters(in: .newlines)), "the newest message is of the newest broadcast")
    }

    @Test func waitShowsWhyMessagesFailEndsWithASummaryAndExits2() async throws {
        let config = webhookConfig(expireAfter: "1s")
        let port = try HTTPSink.refusingPort()
        workspace.write("dead.csv", "id,webhook\nu1,http://127.0.0.1:\(port)/h\nu2,http://127.0.0.1:\(port)/h\n")
        let run = try await herald.run(["--config", config, "broadcast", "outage-apology", "--audience", "dead.csv", "--wait"] + Self.apologyVars)
        let id = run.stdout.trimmingCharacters(in: .newlines)
        #expect(run.status == 2, "\(run.stderr)")
        #expect(id.hasPrefix("bc_"))
        // How many share the reason depends on when the wait looked; that it is shown does not.
        #expect(run.stderr.contains("commonest reasons:\n  "), "\(run.stderr)")
        #expect(run.stderr.contains(" × connection: cannot connect to 127.0.0.1:\(port): connection refused"))
        #expect(run.stderr.contains("delivered 0/2; expired 2. See why: herald messages --broadcast \(id) --state expired"))

        let retried = try await herald.run(["--config", config, "retry", "--broadcast", id, "--state", "expired", "--wait"])
        #expect(retried.status == 2, "\(retried.stderr)")
        #expect(retried.stdout.split(separator: "\n").count == 2, "retry --broadcast with --state takes expired messages")
    }

    @Test func broadcastWaitPrintsTheIdBeforeItWaits() async throws {
        let config = webhookConfig(expireAfter: "1h")
        let port = try HTTPSink.refusingPort()
        workspace.write("dead.csv", "id,webhook\nu1,http://127.0.0.1:\(port)/h\n")
        let waiting = try herald.start(["--config", config, "broadcast", "outage-apology", "--audience", "dead.csv", "--wait"] + Self.apologyVars)
        let line = await waiting.line(containing: "bc_")
        waiting.signal(SIGINT)
        _ = await waiting.finish()
        #expect(line?.hasPrefix("bc_") == true, "the id is on standard output while the wait goes on")
    }

    @Test func templatesRenderTakesEmailAsTheEmailKindAndLabelsEachPart() async throws {
        let email = try await herald.run(["templates", "render", "outage-apology", "--channel", "email", "--locale", "ko"])
        #expect(email.status == 0, "\(email.stderr)")
        #expect(email.stdout.hasPrefix("--- email ---\nSubject: [Messenger] 서비스 장애 안내 및 사과 말씀"), "\(email.stdout)")
        #expect(email.stdout.contains("--- email.html ---"))
        #expect(!email.stdout.contains("--- sms"))

        let sms = try await herald.run(["templates", "render", "outage-apology", "--channel", "sms"])
        #expect(sms.stdout.hasPrefix("--- sms (1 segment, GSM-7, "), "\(sms.stdout)")

        let webhook = try await herald.run(["templates", "render", "status-update", "--channel", "partners"])
        #expect(webhook.stdout.hasPrefix("--- webhook JSON ---\n{"), "a configured channel's name picks its kind: \(webhook.stdout)")
        #expect(webhook.stdout.contains(#""type" : "notice.status-update""#))

        let unknown = try await herald.run(["templates", "render", "outage-apology", "--channel", "pigeon"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("'pigeon' is neither a channel kind (email, sms, webhook, outbox) nor a configured channel (partners, outbox)"))
    }
}
