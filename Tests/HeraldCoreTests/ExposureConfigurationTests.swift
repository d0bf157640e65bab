import HeraldCore
import Testing

@Suite("Configuration for running exposed")
struct ExposureConfigurationTests {
    static func yaml(listen: String = "127.0.0.1:8080", tokens: String, extra: String = "") -> String {
        """
        storage: sqlite:test.sqlite
        http:
          listen: \(listen)
          tokens: \(tokens)
        channels:
          partners: { kind: webhook, url: "https://partner.example.com/hooks", secret: "whsec_c2VjcmV0LWtleQ==" }
        \(extra)
        """
    }

    func error(_ yaml: String) -> String? {
        do {
            _ = try HeraldConfiguration.parse(yaml: yaml, file: "herald.yaml", environment: [:])
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aShortTokenIsRefusedNamingIt() {
        let message = error(Self.yaml(tokens: #"[{ name: ops, token: "x", scopes: [admin] }]"#))
        #expect(message?.contains("http.tokens") == true, "\(message ?? "")")
        #expect(message?.contains("token 'ops' has 1 characters; use at least 24") == true, "\(message ?? "")")
    }

    @Test func twoTokensWithOneValueAreRefused() {
        let tokens = #"[{ name: ops, token: "a1b2c3d4e5f6a7b8c9d0e1f2a3", scopes: [admin] }, { name: ci, token: "a1b2c3d4e5f6a7b8c9d0e1f2a3", scopes: [read] }]"#
        #expect(error(Self.yaml(tokens: tokens))?.contains("token 'ci' has the same value as token 'ops'") == true)
    }

    @Test func aPlaceholderTokenIsRefusedOffLoopbackOnly() {
        let tokens = #"[{ name: ops, token: "change-me-local-only-ops-token", scopes: [admin] }]"#
        #expect(error(Self.yaml(listen: "127.0.0.1:8080", tokens: tokens)) == nil)
        #expect(error(Self.yaml(listen: "0.0.0.0:8080", tokens: tokens))?.contains("token 'ops' is a placeholder and 0.0.0.0:8080 is not a loopback address") == true)
        let settings = HTTPSettings(tokens: [APIToken(name: "ops", token: Secret("change-me-local-only-ops-token"), scopes: [.admin])])
        #expect(settings.exposureProblem(listen: "[::1]:8080") == nil)
        #expect(settings.exposureProblem(listen: "192.0.2.10:8080") != nil, "serve --listen is checked with the same rule")
    }

    @Test func channelURLsWithABadPortAreRefusedAtLoad() {
        let yaml = """
            storage: sqlite:test.sqlite
            channels:
              partners: { kind: webhook, url: "http://127.0.0.1:99999/hooks", secret: "whsec_c2VjcmV0LWtleQ==" }
            """
        #expect(error(yaml)?.contains("channels.partners.url: expected an http or https URL: the port must be between 1 and 65535") == true, "\(error(yaml) ?? "")")
    }

    @Test func egressRulesAreReadAndBadOnesNamed() throws {
        let tokens = #"[{ name: ops, token: "a1b2c3d4e5f6a7b8c9d0e1f2a3", scopes: [admin] }]"#
        let config = try HeraldConfiguration.parse(
            yaml: Self.yaml(tokens: tokens, extra: "egress: { allow: [127.0.0.0/8, hooks.internal], deny: [203.0.113.0/24] }"), file: "herald.yaml",
            environment: [:]
        )
        #expect(config.egress.verdict(host: "127.0.0.1") == .allowed)
        #expect(config.egress.verdict(host: "203.0.113.9") == .refused("203.0.113.9 is on egress.deny"))
        #expect(error(Self.yaml(tokens: tokens, extra: "egress: { allow: [10.0.0.0/40] }"))?.contains("egress.allow") == true)
    }
}
