import Foundation
import HeraldCore
import Testing

/// `canaries:` as the config reads it, slots every node agrees on, and how results are told.
@Suite("Canaries: configuration and reporting")
struct CanaryConfigurationTests {
    static let channels = """
        storage: sqlite:test.sqlite
        channels:
          email: { kind: smtp, host: 127.0.0.1, port: 25, security: none, from: "s@example.com" }
          sms: { kind: sms, url: "https://sms.example.com/send", format: json, token: t, sender: "+15550100", default_region: KR }
          hooks: { kind: webhook, secret: whsec_a2V5 }
          outbox: { kind: outbox, path: outbox/ }

        """

    func problem(_ canaries: String) -> String {
        do {
            _ = try HeraldConfiguration.parse(yaml: Self.channels + "canaries:\n" + canaries, file: "herald.yaml", environment: [:])
            return ""
        } catch { return "\(error)" }
    }

    @Test func eachCanaryNeedsAKnownChannelAContactPointItsKindCanUseAndASanePeriod() throws {
        let config = try HeraldConfiguration.parse(
            yaml: Self.channels + "canaries:\n  - { channel: sms, to: \"010-1234-5678\", every: 1m }\n  - { channel: outbox }\n", file: "herald.yaml",
            environment: [:]
        )
        #expect(config.canaries == [CanarySettings(channel: "sms", to: "010-1234-5678", every: .seconds(60)), CanarySettings(channel: "outbox", to: "")])
        #expect(config.canaries[0].recipient(kind: .sms).contacts == ContactPoints(phone: "010-1234-5678"))

        #expect(problem("  - { channel: pager, to: x }").contains("canaries[0].channel: unknown channel 'pager' (configured: email, sms, hooks, outbox)"))
        #expect(problem("  - { channel: email, to: not-an-address }").contains("canaries[0].to:"))
        #expect(problem("  - { channel: email }").contains("needs to: an e-mail address"))
        #expect(problem("  - { channel: sms, to: \"12\" }").contains("canaries[0].to:"))
        #expect(problem("  - { channel: hooks }").contains("webhook channel 'hooks' (which has no url) needs to: a URL"))
        #expect(problem("  - { channel: outbox, every: 5s }").contains("canaries[0].every: a canary's period must be 10s or more"))
        #expect(problem("  - { channel: outbox }\n  - { channel: outbox }").contains("canaries[1].channel: channel 'outbox' already has a canary"))
    }

    @Test func aSlotIsThePeriodsStartFromTheEpochSoEveryNodeAgrees() {
        let canary = CanarySettings(channel: "sms", to: "", every: .seconds(300))
        let base = Date(timeIntervalSince1970: 1_800_000_000)  // a multiple of 300
        #expect(canary.slot(at: base) == base)
        #expect(canary.slot(at: base + 299.9) == base)
        #expect(canary.slot(at: base + 300) == base + 300)
    }

    @Test func aResultIsToldWithItsAgeAndGoesStaleAfterThreePeriods() {
        let canary = CanarySettings(channel: "sms", to: "", every: .seconds(60))
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(CanaryStatus(settings: canary, last: nil, now: at).summary == "none yet")
        #expect(CanaryStatus(settings: canary, last: nil, now: at).stale)
        let failed = CanaryResult(channel: "sms", delivered: false, detail: "connection refused", at: at)
        #expect(CanaryStatus(settings: canary, last: failed, now: at + 42).summary == "failed 42 s ago (connection refused)")
        #expect(!CanaryStatus(settings: canary, last: failed, now: at + 180).stale)
        #expect(CanaryStatus(settings: canary, last: failed, now: at + 181).stale)
    }

    @Test func aDrillReportSaysEachPathAndNamesTheFailures() {
        let report = DrillReport(
            ranAt: Date(timeIntervalSince1970: 1_800_000_000), down: ["messenger"],
            paths: [
                .init(canary: "messenger", route: [], outcome: .down),
                .init(canary: "sms", route: ["messenger", "sms"], outcome: .failed, reason: "connection refused"),
                .init(canary: "email", route: ["messenger", "email"], outcome: .delivered, seconds: 0.25),
            ]
        )
        #expect(!report.passed)
        #expect(
            report.text == """
                drill at 2027-01-15T08:00:00Z, down: messenger
                  messenger  down in this drill
                  sms        messenger (down) → sms: FAILED: connection refused
                  email      messenger (down) → email: delivered in 0.250 s through the fallback
                failed: sms (connection refused)
                """
        )
    }
}
