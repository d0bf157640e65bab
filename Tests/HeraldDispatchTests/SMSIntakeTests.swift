import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Testing

@Suite("Accepting notices for SMS", .hangGuard)
struct SMSIntakeTests {
    static let header = "id,name,locale,email,phone,webhook,segments\n"

    /// Routes `default: [sms, outbox]` with a Korean SMS gateway channel allowing `maxSegments`.
    func intake(_ harness: DispatchHarness, maxSegments: Int = 2) -> NoticeIntake {
        let sms = ChannelSettings(
            name: "sms",
            transport: .sms(
                SMSSettings(url: URL(string: "http://127.0.0.1:9/send")!, format: .json, token: nil, account: nil, sender: "+15550100",
                    defaultRegion: "KR", maxSegments: maxSegments)
            )
        )
        var configuration = harness.configuration
        configuration.channels.insert(sms, at: 0)
        configuration.routes = ["default": ["sms", "outbox"]]
        return NoticeIntake(configuration: configuration, templates: harness.templates, store: harness.store, clock: harness.clock)
    }

    @Test func aPhoneNumberTheSMSChannelCannotReadIsRefusedNamingLineAndField() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        let file = harness.directory.write("a.csv", Self.header + "u1,Kim,ko,,010-1234-5678,,\nu2,Lee,ko,,010-123-45,,\n")
        await #expect {
            _ = try await intake(harness).broadcast(DispatchHarness.apology, audienceFile: file)
        } throws: { error in
            "\(error)".hasPrefix("\(file):3: field 'phone': '010-123-45' is not a valid phone number: KR numbers")
        }
        #expect(try await harness.store.counts(noticeID: nil).total == 0)
    }

    @Test func aSingleSendOverMaxSegmentsIsRefused() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        var request = DispatchHarness.apology
        request.vars["service"] = .string(String(repeating: "메신저", count: 30))
        let recipient = Recipient(id: "u1", name: "김하늘", locale: "ko", contacts: ContactPoints(phone: "010-1234-5678"))
        await #expect {
            _ = try await intake(harness).send(request, to: recipient)
        } throws: { error in
            guard case .tooManySegments(let channel, let segments, let encoding, let maximum)? = error as? IntakeError else { return false }
            return channel == "sms" && segments > 2 && encoding == "UCS-2" && maximum == 2
        }
        #expect(try await harness.store.counts(noticeID: nil).total == 0)
    }

    @Test func aDryRunReportsTextsOverMaxSegmentsWithoutRefusingTheBroadcast() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        let file = harness.directory.write("a.csv", Self.header + "u1,Kim,ko,,010-1234-5678,,\nu2,Alex,en,,010-9876-5432,,\nu3,Lee,ko,lee@example.kr,,,\n")
        var request = DispatchHarness.apology
        request.vars["started_at"] = "2026년 11월 26일 오후 3시 30분"
        let report = try await intake(harness, maxSegments: 1).dryRun(request, audienceFile: file)
        #expect(report.total == 3)
        #expect(report.byChannel == ["sms": 2, "outbox": 1])
        #expect(report.overlongSMS == 2, "both phone recipients' texts take 2 or more UCS-2 segments")
        #expect(report.firstOverlongSMS?.hasPrefix("\(file):2: the sms text takes 2 UCS-2 segments, over max_segments 1 of channel 'sms'") == true)
        #expect(try await intake(harness, maxSegments: 1).dryRun(DispatchHarness.apology, audienceFile: file).overlongSMS == 0)
    }

    @Test func shippedSMSPartsStayWithinTwoSegmentsForTheirExamples() throws {
        for template in harnessTemplates().templates.values where template.name != SubscriptionDesk.template {  // e-mail only
            for locale in template.locales {
                let context = RenderContext(vars: template.example, recipient: Recipient(id: "u", name: "김하늘", locale: locale), now: Date())
                let sms = try #require(try harnessTemplates().render(template.name, locale: locale, context: context).sms, "\(template.name)")
                #expect(SMSSegments(sms).segments <= 2, "\(template.name) \(locale): \(SMSSegments(sms))")
            }
        }
    }

    func harnessTemplates() -> TemplateLibrary {
        (try? TemplateLibrary(folder: DispatchHarness.templatesFolder)) ?? TemplateLibrary(templates: [])
    }
}
