import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import Logging

/// The outage day, scripted: a data-center fire takes the messenger down — and with it the channel
/// notices used to go out on. The apology goes out by SMS instead; services come back one by one (a
/// stale update is superseded before it is sent); when the messenger is back its circuit closes and
/// notices return to it; a digest sums up; the incident resolves; compensation goes out by e-mail.
/// Every step is delivered by a real worker over real sockets.
struct OutageDay {
    let sinks: DemoSinks
    let runtime: HeraldRuntime
    let audienceFile: String
    let started = ContinuousClock.now

    /// Korean and English recipients, each with a phone number and an e-mail address.
    static let recipients = 8

    init(folder: String, templates: String, sinks: DemoSinks) throws {
        self.sinks = sinks
        let config = folder + "/herald.yaml"
        audienceFile = folder + "/audience.csv"
        try Self.configuration(folder: folder, templates: templates, sinks: sinks).write(toFile: config, atomically: true, encoding: .utf8)
        try Self.audience.write(toFile: audienceFile, atomically: true, encoding: .utf8)
        runtime = try HeraldRuntime(options: try GlobalOptions.parse(["--config", config]))
    }

    /// Runs the day; returns whether every expected notice reached its receiver.
    func run() async throws -> Bool {
        let report = try await runtime.withStoreAndChannels { store, channels in try await play(store: store, channels: channels) }
        return verify(report)
    }

    private func play(store: any MessageStore, channels: [ConfiguredChannel]) async throws -> DemoReport {
        let quiet = Logger(label: "herald.demo") { _ in SwiftLogNoOpLogHandler() }
        let worker = runtime.makeWorker(store: store, channels: channels, logger: quiet)
        let intake = runtime.makeIntake(store: store)
        let desk = IncidentDesk(store: store, intake: intake, clock: runtime.clock)
        let step = Step(store: store, worker: worker, started: started)

        let imported = try await RecipientImport(store: store, clock: runtime.clock).importFile(audienceFile)
        step.say("\(imported) recipients imported (Korean and English; phone and e-mail each)")
        step.say("15:30  fire at the data center: the messenger is down, and its endpoint refuses every connection")

        let fire = try await desk.open(
            title: "Data-center fire",
            services: [.init(name: "Messenger", status: .outage), .init(name: "Pay", status: .outage), .init(name: "Maps", status: .degraded)],
            segment: nil, note: "Power lost at 15:30; data is safe in other regions",
            notify: .init(template: "outage-apology", vars: ["service": "Messenger", "started_at": "15:30 KST"], priority: .critical)
        )
        step.say("incident \(fire.incident.id) opened; the apology is queued to everyone on route messenger → sms → email")
        try await step.deliver("the apology")

        let maps = try await desk.update(
            id: fire.incident.id, services: [.init(name: "Maps", status: .restored)], note: "Maps works again", resolve: false,
            notify: .init(template: "status-update")
        )
        _ = try await desk.update(
            id: fire.incident.id, services: [.init(name: "Pay", status: .recovering)], note: "Payments are coming back", resolve: false,
            notify: .init(template: "status-update")
        )
        let stale = try await store.counts(noticeID: maps.broadcast?.id)[.superseded]
        step.say("two updates queued before anything went out (\"Maps restored\", then \"Pay recovering\"): \(stale) stale notices superseded")
        try await step.deliver("the latest update")

        try await sinks.restoreMessenger()
        _ = try await desk.update(
            id: fire.incident.id, services: [.init(name: "Messenger", status: .restored), .init(name: "Pay", status: .restored)],
            note: "Chats and payments work again", resolve: false, notify: nil
        )
        step.say("18:00  the messenger is back; after its circuit's cooldown a probe closes the circuit")
        try await Task.sleep(for: Self.circuitCooldown + .milliseconds(100))

        let digest = DigestScheduler(digests: runtime.configuration.digests, store: store, intake: intake, clock: runtime.clock, logger: quiet)
        let sent = try await digest.runNow("hourly-status")
        step.say("the hourly status digest: every service, its status and the latest note (\(sent?.total ?? 0) messages)")
        try await step.deliver("the digest")

        let resolved = try await desk.update(
            id: fire.incident.id, services: [], note: "Everything restored", resolve: true,
            notify: .init(template: "resolved", vars: ["service": "Messenger", "restored_at": "18:00 KST"])
        )
        step.say("incident resolved; the closing apology is queued (\(resolved.broadcast?.total ?? 0) messages)")
        try await step.deliver("the closing apology")

        let claim = NoticeRequest(
            template: "compensation",
            vars: ["service": "Messenger", "offer": "one month of Premium", "claim_url": "https://messenger.example/claim", "claim_by": "31 December"],
            route: ["mail"]
        )
        let compensation = try await intake.broadcast(claim, segment: nil)
        step.say("compensation: how to claim, by e-mail (\(compensation.total) messages)")
        try await step.deliver("compensation")

        let report = try await DemoReport.make(store: store, configuration: runtime.configuration)
        print("")
        print(report.table)
        return report
    }

    static let circuitCooldown: Duration = .seconds(1)

    /// Exit status: each recipient got the apology, the latest update, the digest and the closing
    /// apology exactly once (by messenger or SMS) and the compensation e-mail; the superseded update
    /// never arrived; nothing failed.
    private func verify(_ report: DemoReport) -> Bool {
        let overMessenger = sinks.messenger?.received.map { $0.headers["webhook-id"] ?? "" } ?? []
        let overSMS = sinks.smsGateway.received.map { $0.headers["idempotency-key"] ?? "" }
        let unique = Set(overMessenger + overSMS)
        let checks: [(String, Bool)] = [
            ("4 notices × \(Self.recipients) recipients by messenger or SMS, each once: \(unique.count)", unique.count == 4 * Self.recipients),
            ("the messenger carried notices again once it was back: \(overMessenger.count)", !overMessenger.isEmpty),
            ("compensation e-mails at the mail server: \(sinks.mail.accepted.count) of \(Self.recipients)", sinks.mail.accepted.count == Self.recipients),
            ("stale updates superseded, never sent: \(report.superseded)", report.superseded == Self.recipients),
            ("failed: \(report.failed)", report.failed == 0),
        ]
        print("")
        for (text, passed) in checks { print("\(passed ? "✓" : "✗") \(text)") }
        let ok = checks.allSatisfy(\.1)
        print(ok ? "every notice arrived." : "some notices did not arrive as expected.")
        return ok
    }

    static func configuration(folder: String, templates: String, sinks: DemoSinks) -> String {
        """
        storage: sqlite:\(folder)/herald.sqlite
        templates: \(templates)
        channels:
          messenger: { kind: webhook, url: "http://127.0.0.1:\(sinks.messengerPort)/push", secret: "whsec_aGVyYWxkLWRlbW8tc2lnbmluZy1rZXk=", timeout: 2s }
          sms:       { kind: sms, url: "\(sinks.smsGateway.url)/send", format: json, token: demo-token, sender: "+8215880000",
                       default_region: KR, max_segments: 3 }
          email:     { kind: smtp, host: 127.0.0.1, port: \(sinks.mail.port), security: none,
                       from: "Messenger Status <status@messenger.example>", unsubscribe_url: "https://messenger.example/unsubscribe?r={{recipient.id}}" }
        routes:
          default: [messenger, sms, email]
          mail: [email]
        retry: { backoff: [1s], expire_after: 1h }
        circuit: { open_after: 2, cooldown: 1s }
        digests:
          - { name: hourly-status, schedule: "0 * * * *", template: status-digest, while: incident-open, timezone: Asia/Seoul }

        """
    }

    static let audience = """
        id,name,locale,email,phone,webhook,segments
        u-01,김하늘,ko,haneul@example.kr,010-2345-6789,,customers
        u-02,박서준,ko,seojun@example.kr,010-3456-7890,,customers
        u-03,이수민,ko,sumin@example.kr,010-4567-8901,,customers
        u-04,최지우,ko,jiwoo@example.kr,010-5678-9012,,customers
        u-05,Alex Morgan,en,alex@example.com,+1 (555) 010-0100,,customers
        u-06,Priya Nair,en,priya@example.com,+1 (555) 010-0101,,customers
        u-07,Jonas Weber,en,jonas@example.com,+1 (555) 010-0102,,customers
        u-08,Ana Silva,en,ana@example.com,+1 (555) 010-0103,,customers

        """
}

/// Prints timeline lines and delivers until every message is final.
struct Step {
    let store: any MessageStore
    let worker: DeliveryWorker
    let started: ContinuousClock.Instant

    func say(_ text: String) {
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(String(format: "[+%5.1fs] ", seconds) + text)
    }

    /// Runs the worker until nothing is left to send (retries wait out their 1 s backoff), at most 30 s.
    func deliver(_ what: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            _ = try await worker.drain()
            let counts = try await store.counts(noticeID: nil)
            if counts.isFinished {
                say("  \(what): delivered — \(counts[.delivered]) delivered in total so far, \(counts[.failed]) failed")
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ValidationError("\(what) was not delivered within 30 s")
    }
}
