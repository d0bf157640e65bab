import Foundation
import Synchronization

/// An `http` or `https` URL Herald may POST to: a host, a port in 1–65535, no user name or password.
///
/// Every webhook and gateway URL passes through this one check, at accept (caller-supplied URLs),
/// at config load (`channels.*.url`) and again before each delivery, so a stored URL that could not
/// be connected to ends as a recorded failure instead of trapping the worker.
public struct HTTPDestination: Sendable, Hashable {
    public let url: URL
    public let isTLS: Bool
    /// The host as written, without brackets for IPv6.
    public let host: String
    public let port: Int

    /// `host:port`, the key of a per-destination circuit breaker.
    public let authority: String
    /// The `Host` header: the host, and the port unless it is the scheme's own.
    public let hostHeader: String
    /// Whether the host is an IP address literal (no certificate name, no SNI).
    public let isAddressLiteral: Bool
    /// The path and query as an HTTP/1.1 request line carries them, percent-encoded (`/` when empty).
    public let requestTarget: String

    /// The longest URL accepted.
    public static let maximumLength = 2048

    /// Parses and checks `text`.
    /// - Throws: the reason in plain words, for the caller to put beside the field's name.
    public init(_ text: String) throws(Refusal) {
        guard text.utf8.count <= Self.maximumLength else { throw Refusal("a URL is at most \(Self.maximumLength) characters") }
        guard !text.utf8.contains(where: { $0 <= 32 || $0 == 127 }) else { throw Refusal("a URL cannot contain spaces or control characters") }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw Refusal("expected an absolute http or https URL")
        }
        guard let rawHost = url.host(percentEncoded: false), !rawHost.isEmpty else { throw Refusal("expected an absolute http or https URL with a host") }
        guard url.user == nil, url.password == nil else { throw Refusal("a URL cannot carry a user name or password") }
        let host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
        let isTLS = scheme == "https"
        let port = url.port ?? (isTLS ? 443 : 80)
        guard (1...65535).contains(port), Self.explicitPortIsValid(text) else { throw Refusal("the port must be between 1 and 65535") }
        self.url = url
        self.isTLS = isTLS
        self.host = host
        self.port = port
        self.authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        let bracketed = host.contains(":") ? "[\(host)]" : host
        self.hostHeader = port == (isTLS ? 443 : 80) ? bracketed : "\(bracketed):\(port)"
        self.isAddressLiteral = IPAddress(host) != nil
        let path = url.path(percentEncoded: true)
        self.requestTarget = (path.isEmpty ? "/" : path) + (url.query(percentEncoded: true).map { "?\($0)" } ?? "")
    }

    /// `init(_:)` through a memo of recent URLs: a delivery checks its URL twice (its breaker, then the
    /// channel) and a broadcast often sends to few URLs, while Foundation's parse costs about 4 µs.
    public static func memoized(_ text: String) throws(Refusal) -> HTTPDestination {
        if let known = memo.withLock({ $0[text] }) { return try known.get() }
        let parsed: Result<HTTPDestination, Refusal>
        do { parsed = .success(try HTTPDestination(text)) } catch { parsed = .failure(error) }
        memo.withLock { memo in
            if memo.count >= memoLimit { memo.removeAll(keepingCapacity: true) }
            memo[text] = parsed
        }
        return try parsed.get()
    }

    private static let memoLimit = 4096
    private static let memo = Mutex<[String: Result<HTTPDestination, Refusal>]>([:])

    /// Foundation reads `:99999` as port 99999 but may drop ports it cannot represent; so the digits
    /// written after the authority's last colon are checked too.
    private static func explicitPortIsValid(_ text: String) -> Bool {
        guard let schemeEnd = text.range(of: "://") else { return true }
        let rest = text[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPort = authority.split(separator: "@").last ?? authority
        let afterBracket = hostPort.lastIndex(of: "]").map { hostPort[hostPort.index(after: $0)...] } ?? hostPort
        guard let colon = afterBracket.lastIndex(of: ":") else { return true }
        let digits = afterBracket[afterBracket.index(after: colon)...]
        if digits.isEmpty { return true }
        guard digits.count <= 5, digits.allSatisfy(\.isASCII), let port = Int(digits) else { return false }
        return (1...65535).contains(port)
    }

    /// Why a URL was refused.
    public struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }
}
