import Foundation
import HeraldCore
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    static let valid = """
        storage: sqlite:test.sqlite
        templates: Templates
        channels:
          partners: { kind: webhook, url: "https://partner.example.com/hooks", secret: "${WEBHOOK_SECRET}", connections: 32, timeout: 10s }
          outbox: { kind: outbox, path: outbox/ }
        routes:
          default: [partners, outbox]
        retry:
          backoff: [5s, 15s, 1m]
          expire_after: 24h
          failover_after: 5m
        circuit: { open_after: 5, cooldown: 15s }
        """
    static let environment = ["WEBHOOK_SECRET": "whsec_c2VjcmV0LWtleQ=="]

    func parse(_ yaml: String, environment: [String: String] = Self.environment) throws -> HeraldConfiguration {
        try HeraldConfiguration.parse(yaml: yaml, file: "herald.yaml", environment: environment)
    }

    func error(_ yaml: String, environment: [String: String] = Self.environment) -> ConfigurationError? {
        do {
            _ = try parse(yaml, environment: environment)
            return nil
        } catch {
            return error as? ConfigurationError
        }
    }

    @Test func validConfigurationLoadsWithInterpolatedSecret() throws {
        let config = try parse(Self.valid)
        #expect(config.storage == .sqlite(path: "test.sqlite"))
        #expect(config.channels.map(\.name) == ["partners", "outbox"])
        #expect(config.routes["default"] == ["partners", "outbox"])
        #expect(config.retry.backoff == [.seconds(5), .seconds(15), .seconds(60)])
        #expect(config.retry.expireAfter == .seconds(86_400))
        guard case .webhook(let webhook) = config.channels[0].transport else {
            Issue.record("partners is not a webhook channel")
            return
        }
        #expect(webhook.secret.value == "whsec_c2VjcmV0LWtleQ==")
        #expect("\(webhook.secret)" == "<redacted>")
        #expect(config.channels[0].connections == 32)
    }

    @Test func shippedDefaultConfigurationLoadsWithNothingSet() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config/herald.yaml").path
        let config = try HeraldConfiguration.load(file: file, environment: [:])
        #expect(config.channels.contains { $0.kind == .outbox })
        #expect(config.channels.contains { $0.kind == .webhook })
        if case .sqlite = config.storage {} else { Issue.record("default storage is not SQLite") }
    }

    @Test func unknownKeyNamesItsPath() {
        let failure = error(Self.valid.replacingOccurrences(of: "expire_after: 24h", with: "expire_afterr: 24h"))
        #expect(failure?.keyPath == "retry.expire_afterr")
        #expect(failure?.line == 10)
        #expect(failure?.description.contains("unknown key") == true)
    }

    @Test func unknownChannelKeyNamesItsPath() {
        let failure = error(Self.valid.replacingOccurrences(of: "connections: 32", with: "conections: 32"))
        #expect(failure?.keyPath == "channels.partners.conections")
    }

    @Test func badDurationNamesTheListItem() {
        let failure = error(Self.valid.replacingOccurrences(of: "[5s, 15s, 1m]", with: "[5s, fifteen, 1m]"))
        #expect(failure?.keyPath == "retry.backoff[1]")
        #expect(failure?.reason.contains("fifteen") == true)
    }

    @Test func badURLNamesItsPath() {
        let failure = error(Self.valid.replacingOccurrences(of: "https://partner.example.com/hooks", with: "partner.example.com"))
        #expect(failure?.keyPath == "channels.partners.url")
    }

    @Test func missingEnvironmentVariableNamesVariableAndPath() {
        let failure = error(Self.valid, environment: [:])
        #expect(failure?.keyPath == "channels.partners.secret")
        #expect(failure?.reason == "environment variable WEBHOOK_SECRET is not set")
    }

    @Test func environmentDefaultIsUsedWhenVariableIsUnset() throws {
        let yaml = Self.valid.replacingOccurrences(of: "sqlite:test.sqlite", with: "sqlite:${HERALD_DB:-fallback.sqlite}")
        #expect(try parse(yaml).storage == .sqlite(path: "fallback.sqlite"))
        #expect(try parse(yaml, environment: Self.environment.merging(["HERALD_DB": "x.sqlite"]) { $1 }).storage == .sqlite(path: "x.sqlite"))
    }

    @Test func routeNamingUnknownChannelNamesTheRouteEntry() {
        let failure = error(Self.valid.replacingOccurrences(of: "[partners, outbox]", with: "[partners, pager]"))
        #expect(failure?.keyPath == "routes.default[1]")
        #expect(failure?.reason.contains("pager") == true)
    }

    @Test func webhookSecretMustBeStandardWebhooksFormatAndIsNotEchoed() {
        let failure = error(Self.valid, environment: ["WEBHOOK_SECRET": "hunter2"])
        #expect(failure?.keyPath == "channels.partners.secret")
        #expect(failure?.description.contains("hunter2") == false)
    }

    @Test func unknownChannelKindIsRefused() {
        let failure = error(Self.valid.replacingOccurrences(of: "kind: outbox", with: "kind: pigeon"))
        #expect(failure?.keyPath == "channels.outbox.kind")
    }

    @Test func outOfRangeNumberNamesItsPath() {
        let failure = error(Self.valid.replacingOccurrences(of: "open_after: 5", with: "open_after: 0"))
        #expect(failure?.keyPath == "circuit.open_after")
    }

    @Test func routeResolutionAcceptsNamesAndChannelLists() throws {
        let config = try parse(Self.valid)
        #expect(try config.resolveRoute(nil) == ["partners", "outbox"])
        #expect(try config.resolveRoute(["default"]) == ["partners", "outbox"])
        #expect(try config.resolveRoute(["outbox"]) == ["outbox"])
        #expect(throws: RouteError.self) { try config.resolveRoute(["outbox", "pager"]) }
    }
}

@Suite("Durations and rates")
struct DurationParserTests {
    @Test(arguments: [("250ms", Duration.milliseconds(250)), ("5s", .seconds(5)), ("1m", .seconds(60)), ("2h", .seconds(7200)), ("1d", .seconds(86_400))])
    func parsesDurations(text: String, expected: Duration) {
        #expect(DurationParser.duration(text) == expected)
    }

    @Test(arguments: ["", "5", "s", "-5s", "5 s", "1.5s", "5w", "ms"])
    func rejectsMalformedDurations(text: String) {
        #expect(DurationParser.duration(text) == nil)
    }

    @Test func parsesRates() {
        #expect(DurationParser.rate("200/s") == Rate(count: 200, per: .seconds(1)))
        #expect(DurationParser.rate("50/m")?.perSecond == 50.0 / 60)
        #expect(DurationParser.rate("10/h") == Rate(count: 10, per: .seconds(3600)))
        #expect(DurationParser.rate("0/s") == nil)
        #expect(DurationParser.rate("5/d") == nil)
        #expect(DurationParser.rate("fast") == nil)
    }
}
