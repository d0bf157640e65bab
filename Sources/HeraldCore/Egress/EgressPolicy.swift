/// Which destinations a caller may make Herald connect to (`egress:` in config).
///
/// Caller-supplied webhook URLs are checked at accept and again, on every resolved address, when
/// Herald connects. By default loopback, private, link-local, CGNAT, multicast, reserved and
/// unspecified addresses are refused; `allow` opens exceptions (an address range, or a host name
/// matched exactly or, written `.example.com`, with its subdomains), `deny` closes more, and a
/// destination on both lists is refused.
public struct EgressPolicy: Sendable, Hashable {
    /// One `allow` or `deny` entry.
    public enum Rule: Sendable, Hashable, CustomStringConvertible {
        case range(AddressRange)
        /// A lower-case host name; a leading dot matches the name and every subdomain.
        case host(String)

        /// `10.0.0.0/8`, `::1`, `hooks.internal` or `.internal`; `nil` when it is none of these.
        public init?(_ text: String) {
            if let range = AddressRange(text) {
                self = .range(range)
                return
            }
            let name = EgressPolicy.normalized(text)
            let label = name.hasPrefix(".") ? name.dropFirst() : Substring(name)
            guard !label.isEmpty, !text.contains("/"),
                label.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ part in
                    !part.isEmpty && part.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
                })
            else { return nil }
            self = .host(name)
        }

        func matches(host: String) -> Bool {
            guard case .host(let name) = self else { return false }
            return name.hasPrefix(".") ? (host.hasSuffix(name) || host == name.dropFirst()) : host == name
        }

        func matches(_ address: IPAddress) -> Bool {
            guard case .range(let range) = self else { return false }
            return range.contains(address) || address.embeddedIPv4.map(range.contains) == true
        }

        public var description: String {
            switch self {
            case .range(let range): range.description
            case .host(let name): name
            }
        }
    }

    public var allow: [Rule]
    public var deny: [Rule]

    public init(allow: [Rule] = [], deny: [Rule] = []) {
        self.allow = allow
        self.deny = deny
    }

    /// Every address may be reached: for tests and demos whose receivers run on this machine.
    public static let unrestricted = EgressPolicy(allow: [.range(AddressRange("0.0.0.0/0")!), .range(AddressRange("::/0")!)])

    /// The blocks refused unless allowed, with the word an error uses for each.
    public static let restrictedRanges: [(range: AddressRange, kind: String)] = [
        ("0.0.0.0/8", "unspecified"), ("10.0.0.0/8", "private"), ("100.64.0.0/10", "shared (CGNAT)"),
        ("127.0.0.0/8", "loopback"), ("169.254.0.0/16", "link-local"), ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "reserved"), ("192.168.0.0/16", "private"), ("198.18.0.0/15", "reserved"),
        ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved"),
        ("::/128", "unspecified"), ("::1/128", "loopback"), ("fc00::/7", "private"), ("fe80::/10", "link-local"),
        ("ff00::/8", "multicast"),
    ].map { (AddressRange($0.0)!, $0.1) }

    /// Why a connection to `address` is refused, or `nil` when it is allowed.
    public func refusal(of address: IPAddress) -> String? {
        if deny.contains(where: { $0.matches(address) }) { return "\(address) is on egress.deny" }
        if allow.contains(where: { $0.matches(address) }) { return nil }
        let candidates = [address] + (address.embeddedIPv4.map { [$0] } ?? [])
        for candidate in candidates {
            if let restricted = Self.restrictedRanges.first(where: { $0.range.contains(candidate) }) {
                return "\(address) is a \(restricted.kind) address (allow it with egress.allow)"
            }
        }
        return nil
    }

    /// How a destination host fares before any lookup: refused (with the reason), allowed outright
    /// (a numeric host that passed, or a name on `allow`), or to be checked on the addresses it resolves to.
    public enum Verdict: Sendable, Hashable {
        case refused(String)
        case allowed
        case resolveAndCheck
    }

    /// Judges a URL's host: numeric hosts by their address, `localhost` as the loopback addresses it
    /// always names, other names by the host rules (their addresses are checked at connect).
    public func verdict(host rawHost: String) -> Verdict {
        if let address = IPAddress(rawHost) { return refusal(of: address).map(Verdict.refused) ?? .allowed }
        let host = Self.normalized(rawHost)
        if deny.contains(where: { $0.matches(host: host) }) { return .refused("\(host) is on egress.deny") }
        if allow.contains(where: { $0.matches(host: host) }) { return .allowed }
        if host == "localhost" || host.hasSuffix(".localhost") {
            for loopback in [IPAddress("127.0.0.1")!, IPAddress("::1")!] where refusal(of: loopback) != nil {
                return .refused("\(host) names a loopback address (allow it with egress.allow)")
            }
            return .allowed
        }
        return .resolveAndCheck
    }

    /// Lower case, without a trailing dot (`Hooks.Example.COM.` is `hooks.example.com`).
    static func normalized(_ host: String) -> String {
        let lower = host.lowercased()
        return lower.hasSuffix(".") ? String(lower.dropLast()) : lower
    }
}
