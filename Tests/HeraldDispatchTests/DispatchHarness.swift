import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTestSupport
import Logging

/// A memory store, the shipped templates, scripted or real channels and a manual clock, wired as `herald` wires them.
struct DispatchHarness {
    let directory = TemporaryDirectory()
    let clock = ManualClock()
    let store: any MessageStore
    let configuration: HeraldConfiguration
    let templates: TemplateLibrary
    let worker: DeliveryWorker

    static let templatesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Templates").path

    /// - Parameters:
    ///   - channels: the channels by name; settings are derived (a `webhook` kind reaches recipients with a webhook URL).
    init(
        channels: [any Channel], routes: [String: [String]] = [:], retry: RetrySettings = .init(backoff: [.seconds(5), .seconds(15)]),
        circuit: CircuitSettings = .init(openAfter: 3, cooldown: .seconds(15)), rates: [String: Rate] = [:], maxInFlight: Int = 16,
        telemetry: DeliveryTelemetry = .silent, publicURL: String? = nil, dependsOn: [String: [String]] = [:], canaries: [CanarySettings] = []
    ) throws {
        store = MemoryMessageStore()
        let settings = channels.map { channel -> ChannelSettings in
            var settings: ChannelSettings
            switch channel.kind {
            case .webhook:
                settings = ChannelSettings(name: channel.name, transport: .webhook(WebhookSettings(url: nil, secret: Secret("whsec_a2V5"))), rate: rates[channel.name])
            case .smtp:
                settings = ChannelSettings(
                    name: channel.name, transport: .smtp(SMTPSettings(host: "unused", port: 25, security: .none, from: "status@example.com")),
                    rate: rates[channel.name]
                )
            case .sms:
                settings = ChannelSettings(name: channel.name, transport: .sms(Self.smsGateway(url: "http://unused")), rate: rates[channel.name])
            default: settings = ChannelSettings(name: channel.name, transport: .outbox(OutboxSettings(path: "unused")), rate: rates[channel.name])
            }
            settings.dependsOn = dependsOn[channel.name] ?? []
            return settings
        }
        var configuration = HeraldConfiguration(
            storage: .sqlite(path: "unused"), channels: settings, routes: routes, retry: retry, circuit: circuit, egress: .testReceivers
        )
        configuration.canaries = canaries
        if let publicURL {
            configuration.http.publicURL = publicURL
            configuration.unsubscribe = UnsubscribeSettings(secret: Self.unsubscribeSecret)
        }
        self.configuration = configuration
        templates = try TemplateLibrary(folder: Self.templatesFolder)
        let pipeline = DeliveryPipeline(
            store: store, channels: zip(settings, channels).map { ConfiguredChannel(settings: $0, transport: $1) },
            templates: templates, clock: clock,
            configuration: .init(retry: retry, circuit: circuit, jitter: 0, unsubscribeLinks: configuration.unsubscribeLinks), telemetry: telemetry
        )
        worker = DeliveryWorker(
            store: store, pipeline: pipeline, clock: clock, configuration: .init(owner: "test-worker", maxInFlight: maxInFlight),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
    }

    var intake: NoticeIntake { NoticeIntake(configuration: configuration, templates: templates, store: store, clock: clock) }

    /// Another node's worker on the same store and clock: channels of the same names and settings
    /// (its own transports), its own circuit breakers.
    func node(_ owner: String, channels: [any Channel], telemetry: DeliveryTelemetry = .silent) -> DeliveryWorker {
        let settings = configuration.channels
        let pipeline = DeliveryPipeline(
            store: store, channels: channels.map { channel in ConfiguredChannel(settings: settings.first { $0.name == channel.name }!, transport: channel) },
            templates: templates, clock: clock, configuration: .init(retry: configuration.retry, circuit: configuration.circuit, jitter: 0),
            telemetry: telemetry
        )
        return DeliveryWorker(
            store: store, pipeline: pipeline, clock: clock, configuration: .init(owner: owner, maxInFlight: 16),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
    }

    /// Broadcasts to `recipients` the way an operator would: stored in the directory in a segment of
    /// their own, then `broadcast --segment` to it.
    func broadcast(_ request: NoticeRequest, recipients: [Recipient]) async throws -> NoticeIntake.Receipt {
        let segment = "test-\(UUID().uuidString.prefix(8).lowercased())"
        let members = recipients.map { recipient in
            var member = recipient
            member.segments = [segment]
            return member
        }
        _ = try await store.upsertRecipients(ArrayBatchSource(members), now: clock.now())
        return try await intake.broadcast(request, segment: segment)
    }

    /// What signs unsubscribe links when a harness has a `publicURL`.
    static let unsubscribeSecret = Secret("test-unsubscribe-secret-0123456789")

    static let apology = NoticeRequest(template: "outage-apology", vars: ["service": "Messenger", "started_at": "15:30 KST"])

    func recipient(_ id: String, webhook: String? = nil, email: String? = "\(UUID().uuidString.prefix(8))@example.com", phone: String? = nil) -> Recipient {
        Recipient(id: id, name: "R \(id)", locale: "en", contacts: ContactPoints(email: email, phone: phone, webhook: webhook))
    }

    /// A json-format SMS gateway at `url`.
    static func smsGateway(url: String) -> SMSSettings {
        SMSSettings(url: URL(string: url)!, format: .json, token: Secret("t"), account: nil, sender: "+15550100", defaultRegion: "KR", maxSegments: 3)
    }
}
