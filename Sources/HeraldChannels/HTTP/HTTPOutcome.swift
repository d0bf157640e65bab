import Foundation
import HeraldCore
import NIOCore

/// How HTTP channels (webhook, SMS gateways) read a response or a transport error.
///
/// 2xx delivered; 408, 425, 429 and 5xx transient (honouring `Retry-After`); 410 and other 4xx
/// permanent; timeouts and connection errors transient; a certificate that fails verification permanent.
public enum HTTPOutcome {
    /// `nil` when the status means delivered, else the classified failure.
    /// - Parameter body: what the receiver said, for the ledger; empty when it must not be kept.
    public static func classify(status: Int, reasonPhrase: String = "", retryAfter: String?, body: String, now: Date) -> DeliveryError? {
        let phrase = reasonPhrase.isEmpty ? "" : " \(reasonPhrase)"
        let detail = "HTTP \(status)\(phrase)" + (body.isEmpty ? "" : ": \(body)")
        switch status {
        case 200..<300:
            return nil
        case 429:
            return DeliveryError(reason: .rateLimited, isRetryable: true, retryAfter: RetryAfter.parse(retryAfter, now: now), detail: detail)
        case 408, 425, 500..<600:
            return DeliveryError(reason: .receiverError, isRetryable: true, retryAfter: RetryAfter.parse(retryAfter, now: now), detail: detail)
        default:
            return DeliveryError(reason: .rejected, isRetryable: false, detail: detail)
        }
    }

    /// Classifies an error thrown while sending, in plain words naming `target` (`host:port`).
    public static func classify(transportError error: any Error, target: String) -> DeliveryError {
        if let error = error as? DeliveryError { return error }
        switch TransportFailure(error) {
        case .timeout:
            return DeliveryError(reason: .timeout, isRetryable: true, detail: "\(target) did not answer in time")
        case .certificate(let why):
            return DeliveryError(reason: .connection, isRetryable: false, detail: "the TLS certificate of \(target) \(why)")
        case .tls:
            return DeliveryError(reason: .connection, isRetryable: true, detail: "the TLS handshake with \(target) failed")
        case .connection(let why):
            return DeliveryError(reason: .connection, isRetryable: true, detail: "cannot connect to \(target): \(why)")
        case .closed:
            return DeliveryError(reason: .connection, isRetryable: true, detail: "\(target) closed the connection before answering")
        case .notHTTP:
            return DeliveryError(reason: .connection, isRetryable: true, detail: "\(target) answered with something that is not HTTP")
        case .other:
            return DeliveryError(reason: .connection, isRetryable: true, detail: "the request to \(target) failed")
        }
    }

    /// Sends `post` and returns when the receiver answered 2xx; otherwise throws the classified failure.
    /// - Parameters:
    ///   - target: `host:port`, named in transport errors.
    ///   - keepsBody: whether a failed response's body goes into the ledger. Never for destinations
    ///     a caller chose: what an internal service says must not be readable through the API.
    ///   - describe: turns a failed response's body excerpt into the attempt's detail (e.g. a gateway's error JSON).
    ///   - learn: what a failed response says about the contact point (status, body excerpt), for the suppression list.
    static func send(
        _ post: HTTPPost, with pool: KeepAlivePool, timeout: Duration, target: String, keepsBody: Bool = true,
        describe: @Sendable (String) -> String = { $0 }, learn: @Sendable (Int, String) -> SuppressionReason? = { _, _ in nil }
    ) async throws {
        let answer: HTTPAnswer
        do {
            answer = try await pool.send(post, timeout: timeout)
        } catch {
            throw classify(transportError: error, target: target)
        }
        let status = Int(answer.status.code)
        guard !(200..<300).contains(status) else { return }
        let body = String(decoding: answer.excerpt, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if var failure = classify(
            status: status, reasonPhrase: answer.status.reasonPhrase, retryAfter: answer.headers.first(name: "retry-after"),
            body: keepsBody ? describe(body) : "", now: Date()
        ) {
            if !failure.isRetryable { failure.learned = learn(status, body) }
            throw failure
        }
    }
}
