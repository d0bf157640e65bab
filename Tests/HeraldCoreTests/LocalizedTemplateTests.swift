import Foundation
import HeraldCore
import Testing

/// The shipped templates read naturally in each language: statuses in words, times in the notice's
/// zone, Korean that needs no "을(를)" whatever the value, digest wording that fits the incident.
@Suite("Localized values in the shipped templates")
struct LocalizedTemplateTests {
    static let library = Result { try TemplateLibrary(folder: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Templates").path) }

    /// An incident updated at 2025-12-02 18:50:18 UTC, in Seoul time (+9).
    static func incident(_ services: [Incident.Service], resolved: Bool = false) -> TemplateValue {
        var incident = Incident(
            id: "inc_1", title: "Data-center fire", services: services, segment: nil, note: "Photos are still being restored.",
            openedAt: Date(timeIntervalSince1970: 1_764_701_418)
        )
        if resolved { incident.resolve(note: nil, at: Date(timeIntervalSince1970: 1_764_701_418)) }
        return incident.templateValue(timeZone: TimeZone(identifier: "Asia/Seoul"))
    }

    func render(_ template: String, locale: String, vars: [String: TemplateValue], incident: TemplateValue? = nil) throws -> RenderedNotice {
        var vars = vars
        if let incident { vars["incident"] = incident }
        return try Self.library.get().render(
            template, locale: locale, context: RenderContext(vars: vars, recipient: Recipient(id: "u1", name: "김하늘"), now: Date())
        )
    }

    @Test func aKoreanDigestSaysStatusesInKoreanAndTheTimeInItsZone() throws {
        let digest = try render("status-digest", locale: "ko", vars: [:], incident: Self.incident([.init(name: "Messenger", status: .recovering), .init(name: "Pay", status: .outage)]))
        let text = try #require(digest.text)
        #expect(text.contains("2025년 12월 3일 오전 3시 50분 (GMT+9) 기준"), "\(text)")
        #expect(text.contains("- Messenger: 복구 중\n- Pay: 장애"))
        #expect(!text.contains("recovering"))
        #expect(text.contains("계속 안내드리겠습니다"))
        let sms = try #require(digest.sms)
        #expect(sms.hasPrefix("[현황] Messenger: 복구 중. Pay: 장애."))
    }

    @Test func aDigestAfterEveryServiceIsRestoredDoesNotPromiseMoreUpdates() throws {
        let en = try #require(try render("status-digest", locale: "en", vars: [:], incident: Self.incident([.init(name: "Messenger", status: .restored)], resolved: true)).text)
        #expect(en.contains("as of 3 Dec 2025, 03:50 GMT+9"), "\(en)")
        #expect(en.contains("- Messenger: working again"))
        #expect(en.contains("Every service works again."))
        #expect(!en.contains("We will keep writing"))
        let ko = try #require(try render("status-digest", locale: "ko", vars: [:], incident: Self.incident([.init(name: "Messenger", status: .restored)], resolved: true)).text)
        #expect(ko.contains("모든 서비스가 정상화되었습니다."))
        #expect(!ko.contains("정상화될 때까지"))
    }

    @Test func aStatusUpdateForSeveralServicesNamesThemWithTheirStatusInWords() throws {
        let update = try render("status-update", locale: "ko", vars: ["service": "Pay, Messenger", "status": "restored / recovering", "note": ""])
        #expect(update.subject == "[Pay, Messenger] 복구 진행 상황 안내: 정상화 / 복구 중")
        let plain = try render("status-update", locale: "en", vars: ["service": "Messenger", "status": "back soon", "note": ""])
        #expect(plain.subject == "Messenger: back soon", "a status that is not a service status is shown as given")
    }

    @Test func compensationInKoreanNeedsNoParticleForTheOffer() throws {
        for offer in ["Premium", "1개월 무료 이용권"] {
            let text = try #require(try render("compensation", locale: "ko", vars: ["service": "Messenger", "offer": .string(offer), "claim_url": "https://example.com", "claim_by": "12월 31일"]).text)
            #expect(text.contains("보상 내용: \(offer)\n"))
        }
    }

    @Test func noShippedKoreanTemplateUsesAMechanicalParticle() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Templates")
        let files = try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".ko.mustache") }
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for particle in ["을(를)", "를(을)", "이(가)", "가(이)", "은(는)", "는(은)", "와(과)", "과(와)", "(으)로"] {
                #expect(!text.contains(particle), "\(file) uses \(particle)")
            }
        }
    }
}
