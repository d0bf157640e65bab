import Foundation
import HeraldCore
import HeraldTestSupport
import Testing

/// `herald audience`, `broadcast --segment` and `herald incident`, as an operator types them.
@Suite("herald command line: audience and incidents", .serialized, .hangGuard)
struct IncidentCommandTests {
    let workspace: TemporaryDirectory
    let herald: HeraldProcess

    init() throws {
        workspace = try HeraldProcess.workspace()
        herald = HeraldProcess(workingDirectory: workspace.path)
    }

    @Test func anAudienceImportIsAllOrNothingAndFeedsSegmentBroadcasts() async throws {
        let bad = workspace.write("bad.csv", "id,name,locale,email,phone,webhook,segments\nu1,Kim,ko,kim@example.kr,,,customers\nu2,Lee,en,lee@@example,,,customers\n")
        let refused = try await herald.run(["audience", "import", bad])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("bad.csv:3: field 'email'"), "\(refused.stderr)")
        #expect(try await herald.run(["audience", "list"]).stdout.isEmpty, "nothing was imported")

        let imported = try await herald.run(["audience", "import", "Config/sample-audience.csv", "--segment", "customers"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.hasPrefix("imported "))
        let broadcast = try await herald.run([
            "broadcast", "outage-apology", "--segment", "customers", "--route", "outbox", "--wait", "--var", "service=Messenger", "--var", "started_at=15:30",
        ])
        #expect(broadcast.status == 0, "\(broadcast.stderr)")
        let empty = try await herald.run(["broadcast", "outage-apology", "--segment", "nobody", "--var", "service=M", "--var", "started_at=1"])
        #expect(empty.status != 0)
        #expect(empty.stderr.contains("segment 'nobody' has no recipients"), "\(empty.stderr)")
    }

    @Test func anIncidentGoesFromOpenToResolvedWithNotices() async throws {
        _ = try await herald.run(["audience", "import", "Config/sample-audience.csv", "--segment", "customers"])
        let opened = try await herald.run([
            "incident", "open", "Data-center fire", "--service", "Messenger=outage", "--segment", "customers",
            "--note", "Power lost at 15:30", "--notify", "status-update",
        ])
        #expect(opened.status == 0, "\(opened.stderr)")
        let id = opened.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.hasPrefix("inc_"))
        #expect(opened.stderr.contains("broadcast bc_"))
        #expect(opened.stderr.contains("queued 5 messages; a worker delivers them"), "a command that only queues says so: \(opened.stderr)")

        let badStatus = try await herald.run(["incident", "update", id, "--service", "Messenger=fine"])
        #expect(badStatus.status != 0)
        #expect(badStatus.stderr.contains("unknown status 'fine'"), "\(badStatus.stderr)")

        // Two services changed at once, without a note: status-update names both, with their statuses.
        let both = try await herald.run([
            "incident", "update", id, "--service", "Messenger=recovering", "--service", "Mail=degraded", "--notify", "status-update",
        ])
        #expect(both.status == 0, "\(both.stderr)")
        #expect(both.stderr.contains("broadcast bc_"))
        let updated = try await herald.run(["incident", "update", id, "--service", "Messenger=restored", "--service", "Mail=degraded", "--note", "Chats are back"])
        #expect(updated.status == 0, "\(updated.stderr)")
        let resolved = try await herald.run(["incident", "resolve", id, "--note", "All restored"])
        #expect(resolved.status == 0, "\(resolved.stderr)")

        let list = try await herald.run(["incident", "list", "--json"])
        let incident = try JSONDecoder().decode(TemplateValue.self, from: Data(list.stdout.utf8)).objectValue
        #expect(incident?["state"] == "resolved")
        #expect(incident?["title"] == "Data-center fire")
        guard case .list(let updates)? = incident?["updates"] else { Issue.record("no timeline: \(list.stdout)"); return }
        #expect(updates.count == 4, "open, two updates and the resolution")
        #expect(try await herald.run(["incident", "list", "--open"]).stdout.isEmpty)
    }
}

/// `herald demo`: the outage day against its own receivers; it checks them and exits 0 only if every notice arrived.
@Suite("herald demo", .hangGuard)
struct DemoCommandTests {
    @Test func theOutageDayDeliversEveryNotice() async throws {
        let workspace = try HeraldProcess.workspace()
        let run = try await HeraldProcess(workingDirectory: workspace.path).run(["demo"])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        for check in [
            "✓ 4 notices × 8 recipients by messenger or SMS, each once: 32", "✓ compensation e-mails at the mail server: 8 of 8",
            "✓ stale updates superseded, never sent: 8", "✓ failed: 0", "every notice arrived.",
        ] {
            #expect(run.stdout.contains(check), "missing: \(check)\n\(run.stdout)")
        }
        #expect(!run.stdout.contains("✗"))
    }
}
