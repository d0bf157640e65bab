import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Testing

@Suite("Accepting sends and broadcasts", .hangGuard)
struct NoticeIntakeTests {
    static let header = "id,name,locale,email,phone,webhook,segments\n"

    @Test func aMissingVariableIsRefusedNamingItAndNothingIsQueued() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        let file = harness.directory.write("a.csv", Self.header + "u1,Kim,ko,k@example.kr,,,\n")
        var request = DispatchHarness.apology
        request.vars["started_at"] = nil
        await #expect {
            _ = try await harness.intake.broadcast(request, audienceFile: file)
        } throws: { error in
            "\(error)" == "template 'outage-apology': required variable 'started_at' was not given"
        }
        #expect(try await harness.store.counts(noticeID: nil).total == 0)
    }

    @Test func aVariableOnlyAPartUsesIsRefusedNamingTemplatePartLocaleAndVariable() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        let request = NoticeRequest(template: "status-update", vars: ["service": "Messenger", "status": "recovering"])
        await #expect {
            _ = try await harness.intake.send(request, to: harness.recipient("u1"))
        } throws: { error in
            "\(error)".contains("required variable 'note'")
        }
        // A part that uses a variable not listed in template.yaml is caught by the strict render.
        let folder = harness.directory.path + "/templates"
        try FileManager.default.createDirectory(atPath: "\(folder)/extra", withIntermediateDirectories: true)
        try "variables: [service]\n".write(toFile: "\(folder)/extra/template.yaml", atomically: true, encoding: .utf8)
        try "{{service}} back at {{eta}}".write(toFile: "\(folder)/extra/sms.ko.mustache", atomically: true, encoding: .utf8)
        let intake = NoticeIntake(
            configuration: harness.configuration, templates: try TemplateLibrary(folder: folder), store: harness.store, clock: harness.clock
        )
        let file = harness.directory.write("b.csv", Self.header + "u1,Kim,ko,k@example.kr,,,\n")
        await #expect {
            _ = try await intake.broadcast(NoticeRequest(template: "extra", vars: ["service": "Messenger"]), audienceFile: file)
        } throws: { error in
            "\(error)" == "\(file):2: template 'extra', part 'sms', locale 'ko': variable 'eta' is used but was not given"
        }
        #expect(try await harness.store.counts(noticeID: nil).total == 0)
    }

    @Test func aBadRowDeepInTheFileQueuesNothingAndNamesLineAndField() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        var csv = Self.header
        for index in 0..<4_999 { csv += "u\(index),R,en,u\(index)@example.com,,,\n" }
        csv += "bad,R,en,not-an-email,,,\n"
        let file = harness.directory.write("big.csv", csv)
        await #expect {
            _ = try await harness.intake.broadcast(DispatchHarness.apology, audienceFile: file)
        } throws: { error in
            guard case .audience(let failure)? = error as? IntakeError else { return false }
            return failure.line == 5_001 && failure.field == "email"
        }
        #expect(try await harness.store.counts(noticeID: nil).total == 0)
    }

    @Test func aRecipientNoChannelCanReachIsRefused() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "hooks", kind: .webhook)])
        let file = harness.directory.write("a.csv", Self.header + "u1,Kim,ko,,,https://example.com/h,\nu2,Lee,ko,lee@example.kr,,,\n")
        await #expect {
            _ = try await harness.intake.broadcast(DispatchHarness.apology, audienceFile: file)
        } throws: { error in
            "\(error)" == "\(file):3: recipient 'u2' has no contact point for any channel of the route [hooks]"
        }
        #expect(try await harness.store.counts(noticeID: nil).total == 0)
    }

    @Test func anUnknownRouteChannelIsRefused() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        var request = DispatchHarness.apology
        request.route = ["outbox", "pager"]
        await #expect(throws: IntakeError.self) { _ = try await harness.intake.send(request, to: harness.recipient("u1")) }
    }

    @Test func dryRunReportsCountsAndFirstRendersAndQueuesNothing() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        let file = harness.directory.write("a.csv", Self.header + "u1,김하늘,ko,k@example.kr,,,\nu2,Alex,en,a@example.com,,,\nu3,이서준,ko,l@example.kr,,,\n")
        let report = try await harness.intake.dryRun(DispatchHarness.apology, audienceFile: file)
        #expect(report.total == 3)
        #expect(report.byLocale == ["ko": 2, "en": 1])
        #expect(report.byChannel == ["outbox": 3])
        #expect(report.samples["outbox/ko"]?.rendered.subject == "[Messenger] 서비스 장애 안내 및 사과 말씀")
        #expect(report.samples["outbox/ko"]?.rendered.text?.hasPrefix("김하늘님, 안녕하십니까.") == true)
        #expect(try await harness.store.counts(noticeID: nil).total == 0)
    }

    @Test func aMillionRowAudienceIsAcceptedWhole() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        let path = harness.directory.file("million.csv")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.write(contentsOf: Data(Self.header.utf8))
        var chunk = ""
        for index in 0..<1_000_000 {
            chunk += "u\(index),User \(index),\(index % 3 == 0 ? "ko" : "en"),u\(index)@example.com,,,subscribers\n"
            if chunk.utf8.count > 1 << 20 {
                try handle.write(contentsOf: Data(chunk.utf8))
                chunk = ""
            }
        }
        try handle.write(contentsOf: Data(chunk.utf8))
        try handle.close()

        let receipt = try await harness.intake.broadcast(DispatchHarness.apology, audienceFile: path)
        #expect(receipt.total == 1_000_000)
        #expect(try await harness.store.counts(noticeID: receipt.id)[.queued] == 1_000_000)
    }
}
