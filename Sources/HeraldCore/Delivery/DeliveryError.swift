/// Why a delivery failed, in the one shape the retry logic understands.
///
/// Each channel classifies its own failures: `isRetryable` says whether the same channel may
/// succeed later (the message is retried with backoff) or not (the route moves to its next channel).
public struct DeliveryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A bounded reason, usable as a metric label.
    public var reason: Reason
    /// Whether trying the same channel again later may succeed.
    public var isRetryable: Bool
    /// The earliest time to try again that the receiver asked for (`Retry-After`).
    public var retryAfter: Duration?
    /// What the receiver said: status code and body excerpt, SMTP reply, or the connection error.
    public var detail: String
    /// What the receiver said about the contact point itself (a mailbox that does not exist, a URL
    /// gone for good): it goes on the suppression list with this reason, in the same write as the result.
    public var learned: SuppressionReason?

    public init(reason: Reason, isRetryable: Bool, retryAfter: Duration? = nil, detail: String, learned: SuppressionReason? = nil) {
        self.reason = reason
        self.isRetryable = isRetryable
        self.retryAfter = retryAfter
        self.detail = detail
        self.learned = learned
    }

    /// The closed set of failure reasons.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// Could not connect: refused, unreachable, DNS, TLS handshake.
        case connection
        /// No answer in time.
        case timeout
        /// The receiver asked us to slow down (HTTP 429, SMTP 450/451/452).
        case rateLimited = "rate_limited"
        /// The receiver failed (HTTP 5xx, SMTP 421 and other 4xx).
        case receiverError = "receiver_error"
        /// The receiver refused this message for good (HTTP 4xx, SMTP 5xx).
        case rejected
        /// The recipient has no contact point this channel can use.
        case noContact = "no_contact"
        /// The message could not be rendered for this channel.
        case render
        /// Anything a channel did not classify; retried.
        case unknown
    }

    /// Whether the failure says the channel itself is unhealthy (it counts toward opening its circuit).
    public var isChannelFailure: Bool {
        isRetryable && [.connection, .timeout, .receiverError].contains(reason)
    }

    /// `reason: detail`, as stored in the attempt ledger.
    public var description: String { "\(reason.rawValue): \(detail)" }
}
