import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Testing

/// The accept-time render check is remembered across recipients and requests, but never where the
/// outcome could differ: which recipient fields are empty is part of what is remembered, and SMS
/// lengths are measured for every single send.
@Suite("Render checks remembered at accept", .hangGuard)
struct RenderCheckTests {
    static let header = "id,name,locale,email,phone,webhook,segments\n"

    /// A library with one template, `greeting`, whose English SMS is `sms`.
    func library(_ harness: DispatchHarness, sms: String) throws -> TemplateLibrary {
        let folder = harness.directory.path + "/library"
        try FileManager.default.createDirectory(atPath: "\(folder)/greeting", withIntermediateDirectories: true)
        try "variables: [service]\n".write(toFile: "\(folder)/greeting/template.yaml", atomically: true, encoding: .utf8)
        try sms.write(toFile: "\(folder)/greeting/sms.en.mustache", atomically: true, encoding: .utf8)
        return try TemplateLibrary(folder: folder)
    }

    /// The SMS uses `{{eta}}` only for recipients with a name.
    func namedOnlyIntake(_ harness: DispatchHarness) throws -> NoticeIntake {
        let templates = try library(harness, sms: "{{service}} is down.{{^empty(recipient.name)}} {{recipient.name}}, back at {{eta}}.{{/empty(recipient.name)}}")
        return NoticeIntake(configuration: harness.configuration, templates: templates, store: harness.store, clock: harness.clock)
    }

    @Test func aSingleSendThatPassedForANamelessRecipientIsStillCheckedForANamedOne() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        let intake = try namedOnlyIntake(harness)
        let request = NoticeRequest(template: "greeting", vars: ["service": "Messenger"])
        let nameless = Recipient(id: "u1", name: "", locale: "en", contacts: ContactPoints(email: "u1@example.com"))
        _ = try await intake.send(request, to: nameless)
        _ = try await intake.send(request, to: Recipient(id: "u2", name: "", locale: "en", contacts: ContactPoints(email: "u2@example.com")))
        let named = Recipient(id: "u3", name: "Kim", locale: "en", contacts: ContactPoints(email: "u3@example.com"))
        await #expect {
            _ = try await intake.send(request, to: named)
        } throws: { error in
            "\(error)".contains("variable 'eta' is used but was not given")
        }
        #expect(try await harness.store.counts(noticeID: nil).total == 2)
    }

    @Test func aBroadcastChecksEachShapeOfRecipientNotJustTheFirstPerLocale() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        let intake = try namedOnlyIntake(harness)
        let file = harness.directory.write("a.csv", Self.header + "u1,,en,u1@example.com,,,\nu2,,en,u2@example.com,,,\nu3,Kim,en,u3@example.com,,,\n")
        await #expect {
            _ = try await intake.broadcast(NoticeRequest(template: "greeting", vars: ["service": "Messenger"]), audienceFile: file)
        } throws: { error in
            "\(error)".hasPrefix("\(file):4: template 'greeting', part 'sms', locale 'en': variable 'eta' is used but was not given")
        }
        #expect(try await harness.store.counts(noticeID: nil).total == 0)
    }

    @Test func theSMSLengthIsMeasuredForEverySingleSendEvenWhenTheRenderIsRemembered() async throws {
        let harness = try DispatchHarness(channels: [ScriptedChannel(name: "outbox")])
        let sms = ChannelSettings(
            name: "sms",
            transport: .sms(
                SMSSettings(url: URL(string: "http://127.0.0.1:9/send")!, format: .json, token: nil, account: nil, sender: "+15550100",
                    defaultRegion: "KR", maxSegments: 1)
            )
        )
        var configuration = harness.configuration
        configuration.channels.insert(sms, at: 0)
        configuration.routes = ["default": ["sms", "outbox"]]
        let templates = try library(harness, sms: "{{service}} is down, {{recipient.name}}.")
        let intake = NoticeIntake(configuration: configuration, templates: templates, store: harness.store, clock: harness.clock)
        let request = NoticeRequest(template: "greeting", vars: ["service": "Messenger"])
        _ = try await intake.send(request, to: Recipient(id: "u1", name: "Kim", locale: "en", contacts: ContactPoints(phone: "010-1234-5678")))
        let long = Recipient(id: "u2", name: String(repeating: "Kim ", count: 60), locale: "en", contacts: ContactPoints(phone: "010-1234-5679"))
        await #expect {
            _ = try await intake.send(request, to: long)
        } throws: { error in
            guard case .tooManySegments(let channel, let segments, _, let maximum)? = error as? IntakeError else { return false }
            return channel == "sms" && segments > 1 && maximum == 1
        }
        #expect(try await harness.store.counts(noticeID: nil).total == 1)
    }
}
