import HeraldCore
import Testing

@Suite("Destinations and the egress policy")
struct DestinationPolicyTests {
    func refusal(_ url: String) -> String? {
        do {
            _ = try HTTPDestination(url)
            return nil
        } catch {
            return error.description
        }
    }

    @Test(arguments: [
        "http://127.0.0.1:99999/", "http://127.0.0.1:65536/", "http://[::1]:70000/", "http://example.com:0/",
    ])
    func aPortOutsideOneTo65535IsRefused(url: String) {
        #expect(refusal(url) == "the port must be between 1 and 65535", "\(url)")
    }

    @Test func userInfoOtherSchemesAndControlCharactersAreRefused() {
        #expect(refusal("http://user:pass@hooks.example.com/") == "a URL cannot carry a user name or password")
        #expect(refusal("ftp://hooks.example.com/") == "expected an absolute http or https URL")
        #expect(refusal("http://hooks.example.com/a\nb") == "a URL cannot contain spaces or control characters")
        #expect(refusal("https://example.com/" + String(repeating: "a", count: 2048)) == "a URL is at most 2048 characters")
    }

    @Test func usableURLsKeepTheirHostAndPort() throws {
        let plain = try HTTPDestination("http://[::1]:8080/hooks?x=1")
        #expect(plain.host == "::1")
        #expect(plain.authority == "[::1]:8080")
        let tls = try HTTPDestination("https://Hooks.Example.com/a")
        #expect(tls.port == 443 && tls.isTLS)
    }

    @Test(arguments: [
        "localhost", "LOCALHOST.", "api.localhost", "0", "0.0.0.0", "2130706433", "0x7f.1", "127.1", "0177.0.0.1", "169.254.169.254",
        "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "224.0.0.1", "255.255.255.255", "::1", "[::1]", "::", "fe80::1",
        "fd00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "64:ff9b::a9fe:a9fe",
    ])
    func internalDestinationsAreRefusedByDefault(host: String) {
        guard case .refused = EgressPolicy().verdict(host: host) else {
            Issue.record("\(host) was not refused")
            return
        }
    }

    @Test func publicAddressesPassAndNamesAreCheckedOnTheirAddresses() {
        #expect(EgressPolicy().verdict(host: "93.184.216.34") == .allowed)
        #expect(EgressPolicy().verdict(host: "2606:4700::1111") == .allowed)
        #expect(EgressPolicy().verdict(host: "hooks.example.com") == .resolveAndCheck)
        #expect(EgressPolicy().refusal(of: IPAddress("169.254.169.254")!) == "169.254.169.254 is a link-local address (allow it with egress.allow)")
    }

    @Test func allowOpensAndDenyClosesAndDenyWins() throws {
        let policy = EgressPolicy(
            allow: [try #require(.init("10.20.0.0/16")), try #require(.init(".internal")), try #require(.init("93.184.216.0/24"))],
            deny: [try #require(.init("93.184.216.34")), try #require(.init("secrets.internal"))]
        )
        #expect(policy.verdict(host: "10.20.3.4") == .allowed)
        #expect(policy.verdict(host: "10.21.0.1") != .allowed)
        #expect(policy.verdict(host: "hooks.internal") == .allowed, "a name allowed by rule skips the address check")
        #expect(policy.verdict(host: "secrets.internal") == .refused("secrets.internal is on egress.deny"))
        #expect(policy.verdict(host: "93.184.216.34") == .refused("93.184.216.34 is on egress.deny"))
        #expect(policy.refusal(of: IPAddress("::ffff:10.20.0.9")!) == nil, "an IPv4-mapped address is judged as its IPv4 address")
    }

    @Test func badRulesAreNotRules() {
        #expect(EgressPolicy.Rule("10.0.0.0/33") == nil)
        #expect(EgressPolicy.Rule("not a host") == nil)
        #expect(EgressPolicy.Rule("a..b") == nil)
    }
}
