import Foundation
import HeraldAPI
import HeraldChannels
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTelemetry
import HeraldTestSupport
import Hummingbird
import HummingbirdTesting
import Logging

/// The API over a memory store (or a backend a test names), the shipped templates, a webhook channel and an outbox, with
/// three tokens: `ops` (every scope), `reader` (read) and `sender` (send).
struct APIHarness {
    static let templatesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Templates").path
    static let ops = "ops-token-0123456789"
    static let reader = "reader-token-0123456789"
    static let sender = "sender-token-0123456789"
    static let publicURL = "https://status.example.com"
    static let twilioAuthToken = "twilio-auth-token-0123456789"

    let directory: TemporaryDirectory
    let configuration: HeraldConfiguration
    let templates: TemplateLibrary
    let store: any MessageStore
    let metrics = HeraldMetrics()
    let clock = ManualClock()

    /// - Parameters:
    ///   - directory: the folder of the outbox (and of a test's own database).
    ///   - store: the queue; a test of what survives a restart, or of a backend's failure, passes a real one.
    ///   - twilio: add an SMS channel of Twilio's format (auth token `twilioAuthToken`), off the routes, for inbound SMS.
    ///   - statusPage: the public status page's settings, when the test serves one.
    ///   - mailServerPort: add an `smtp` channel to a test mail server on this port (off the default route).
    ///   - canaries: the `canaries:` of the configuration.
    init(
        directory: TemporaryDirectory = TemporaryDirectory(), store: (any MessageStore)? = nil, workersRunning: Bool = true, twilio: Bool = false,
        statusPage: StatusPageSettings? = nil, mailServerPort: Int? = nil, canaries: [CanarySettings] = []
    ) throws {
        self.directory = directory
        var channels = [
            ChannelSettings(name: "partners", transport: .webhook(WebhookSettings(url: nil, secret: Secret("whsec_a2V5")))),
            ChannelSettings(name: "outbox", transport: .outbox(OutboxSettings(path: directory.file("outbox")))),
        ]
        if twilio {
            let gateway = SMSSettings(
                url: URL(string: "https://api.twilio.test")!, format: .twilio, token: Secret(Self.twilioAuthToken), account: "AC123",
                sender: "+15550100", defaultRegion: "KR", maxSegments: 2
            )
            channels.append(ChannelSettings(name: "sms", transport: .sms(gateway)))
        }
        if let mailServerPort {
            let mail = SMTPSettings(host: "127.0.0.1", port: mailServerPort, security: .none, from: "Status <status@example.com>")
            channels.append(ChannelSettings(name: "email", transport: .smtp(mail)))
        }
        var configuration = HeraldConfiguration(
            storage: .sqlite(path: directory.file("herald.sqlite")),
            http: HTTPSettings(tokens: [
                APIToken(name: "ops", token: Secret(Self.ops), scopes: [.send, .read, .admin]),
                APIToken(name: "reader", token: Secret(Self.reader), scopes: [.read]),
                APIToken(name: "sender", token: Secret(Self.sender), scopes: [.send]),
            ]),
            channels: channels, routes: ["default": ["partners", "outbox"]], egress: .testReceivers
        )
        configuration.http.publicURL = Self.publicURL
        configuration.unsubscribe = UnsubscribeSettings(secret: Secret("api-test-unsubscribe-secret-0123456789"))
        configuration.statusPage = statusPage
        configuration.canaries = canaries
        configuration.timeZone = TimeZone(identifier: "Asia/Seoul")!
        self.configuration = configuration
        templates = try TemplateLibrary(folder: Self.templatesFolder)
        self.store = store ?? MemoryMessageStore()
        self.workersRunning = workersRunning
    }

    let workersRunning: Bool

    var services: APIServices {
        let running = workersRunning
        return APIServices(
            configuration: configuration, store: store,
            intake: NoticeIntake(
                configuration: configuration, templates: templates, store: store, clock: clock, telemetry: .init(metrics: metrics, source: "api")
            ),
            clock: clock, workersRunning: { running }
        )
    }

    var router: Router<APIRequestContext> { HeraldAPIServer.router(services: services, metrics: metrics) }

    /// Runs `body` against the API listening on a real socket on 127.0.0.1, with the server `herald serve` runs.
    func withClient<Value: Sendable>(
        limits: HTTPLimits = HTTPLimits(maxConnections: 64), _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        let app = Application(
            router: router, server: HeraldAPIServer.server(limits: limits), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            logger: Logger(label: "api") { _ in SwiftLogNoOpLogHandler() }
        )
        return try await app.test(.live) { client in try await body(client) }
    }

    /// A worker that delivers everything due through the configured channels, made as `herald serve`
    /// makes them: the webhook channel to whatever URL each recipient has, the outbox, the test mail server.
    func drain() async throws {
        let channels = try ChannelFactory.make(configuration.channels, egress: configuration.egress, configFile: directory.file("herald.yaml"))
        let pipeline = DeliveryPipeline(
            store: store, channels: channels, templates: templates, clock: clock,
            configuration: .init(retry: configuration.retry, circuit: configuration.circuit, jitter: 0, unsubscribeLinks: configuration.unsubscribeLinks)
        )
        let worker = DeliveryWorker(
            store: store, pipeline: pipeline, clock: clock, configuration: .init(owner: "api-test"),
            logger: Logger(label: "worker") { _ in SwiftLogNoOpLogHandler() }
        )
        do { _ = try await worker.drain() } catch {
            for channel in channels { try? await channel.transport.shutdown() }
            throw error
        }
        for channel in channels { try await channel.transport.shutdown() }
    }
}

extension TestClientProtocol {
    /// Sends JSON (or any text) with a bearer token.
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = APIHarness.ops, body: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    /// The body as a JSON object.
    var json: [String: TemplateValue] {
        (try? JSONDecoder().decode(TemplateValue.self, from: Data(buffer: body)))?.objectValue ?? [:]
    }
    /// A whole-number field of the JSON body.
    func int(_ key: String) -> Int? {
        guard case .number(let value)? = json[key] else { return nil }
        return Int(value)
    }

    /// The first `errors[].pointer` of a problem.
    var pointer: String? {
        guard case .list(let errors)? = json["errors"], let first = errors.first?.objectValue, case .string(let pointer)? = first["pointer"] else { return nil }
        return pointer
    }
}
