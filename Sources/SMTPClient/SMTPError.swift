/// Why a connection or a message failed, with what the server said.
public enum SMTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server answered a command with a failure reply.
    case rejected(command: String, reply: SMTPReply)
    /// The server does not offer STARTTLS and the connection requires it.
    case startTLSNotOffered
    /// Credentials are configured but the connection is not encrypted, and clear-text AUTH is not allowed.
    case insecureAuthRefused
    /// The server offers neither AUTH PLAIN nor AUTH LOGIN.
    case noUsableAuthMechanism(offered: Set<String>)
    /// The message is larger than the server's SIZE limit.
    case messageTooLarge(size: Int, limit: Int)
    /// The server broke the protocol or the connection closed unexpectedly.
    case protocolViolation(String)
    /// No reply in time.
    case timeout(stage: String)
    /// The TLS handshake failed for another reason than the certificate (no common protocol, a broken peer).
    case tlsFailed(String)
    /// The server's certificate failed verification or does not name the host: trying again will not help.
    case certificateRejected(String)

    /// Whether trying again later may succeed: 4xx replies, timeouts and broken connections; not 5xx or configuration problems.
    public var isTransient: Bool {
        switch self {
        case .rejected(_, let reply): !reply.isPermanent
        case .protocolViolation, .timeout, .tlsFailed: true
        case .startTLSNotOffered, .insecureAuthRefused, .noUsableAuthMechanism, .messageTooLarge, .certificateRejected: false
        }
    }

    public var description: String {
        switch self {
        case .rejected(let command, let reply): "\(command) rejected: \(reply)"
        case .startTLSNotOffered: "the server does not offer STARTTLS (security: starttls requires it)"
        case .insecureAuthRefused: "refusing to send credentials without TLS (set allow_insecure_auth to permit it)"
        case .noUsableAuthMechanism(let offered): "the server offers no AUTH PLAIN or LOGIN (offered: \(offered.sorted().joined(separator: ", ")))"
        case .messageTooLarge(let size, let limit): "the message is \(size) bytes, over the server's SIZE \(limit)"
        case .protocolViolation(let detail): "protocol error: \(detail)"
        case .timeout(let stage): "no reply in time (\(stage))"
        case .tlsFailed(let detail): "TLS failed: \(detail)"
        case .certificateRejected(let detail): "the server's TLS certificate \(detail)"
        }
    }
}
