import HeraldCore
import SMTPClient

/// How the e-mail channel reads an SMTP failure.
///
/// 4xx replies are transient: 450/451/452 (busy, greylisting, out of room for now) ask us to slow
/// down and do not count against the circuit; 421 and other 4xx say the server itself is unwell.
/// 5xx replies are permanent for that recipient. Timeouts, TLS failures and broken connections are
/// transient; a server that cannot meet the configured security (no STARTTLS, no AUTH) or whose
/// certificate fails verification is permanent, so messages move along their route instead of
/// waiting for a setting to change.
enum SMTPOutcome {
    /// - Parameter server: `host:port`, named when the connection itself failed.
    static func classify(_ error: any Error, server: String) -> DeliveryError {
        switch error {
        case let error as DeliveryError:
            return error
        case SMTPError.rejected(let command, let reply):
            let detail = "SMTP \(reply) (after \(command))"
            switch reply.code {
            case 450, 451, 452: return DeliveryError(reason: .rateLimited, isRetryable: true, detail: detail)
            case 400..<500: return DeliveryError(reason: .receiverError, isRetryable: true, detail: detail)
            default: return DeliveryError(reason: .rejected, isRetryable: false, detail: detail, learned: bounce(command, reply))
            }
        case SMTPError.timeout:
            return DeliveryError(reason: .timeout, isRetryable: true, detail: "\(error)")
        case SMTPError.messageTooLarge:
            return DeliveryError(reason: .rejected, isRetryable: false, detail: "\(error)")
        case SMTPError.startTLSNotOffered, SMTPError.insecureAuthRefused, SMTPError.noUsableAuthMechanism, SMTPError.certificateRejected:
            return DeliveryError(reason: .connection, isRetryable: false, detail: "\(server): \(error)")
        case let error as SMTPError:
            return DeliveryError(reason: .connection, isRetryable: true, detail: "\(server): \(error)")
        default:
            // Connecting failed: in the words the HTTP channels use for it.
            return HTTPOutcome.classify(transportError: error, target: server)
        }
    }

    /// Enhanced status codes (RFC 3463) that say the address itself is bad: 5.1.1 no such mailbox,
    /// 5.1.2 no such domain, 5.1.10 the domain accepts no mail (RFC 7505 null MX).
    static let badAddressStatuses: Set<String> = ["5.1.1", "5.1.2", "5.1.10"]

    /// `bounced` when a 5xx answer to RCPT carries one of them; every other refusal says nothing
    /// lasting about the address (a full mailbox, a policy, a message too large).
    static func bounce(_ command: String, _ reply: SMTPReply) -> SuppressionReason? {
        guard command.uppercased().hasPrefix("RCPT"), (500..<600).contains(reply.code),
            let status = reply.lines.first?.split(separator: " ", maxSplits: 1).first, badAddressStatuses.contains(String(status))
        else { return nil }
        return .bounced
    }
}
