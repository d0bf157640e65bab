import AsyncHTTPClient
import Foundation
import HeraldCore
import NIOCore

/// How HTTP channels (webhook, SMS gateways) read a response or a transport error.
///
/// 2xx delivered; 408, 425, 429 and 5xx transient (honouring `Retry-After`); 410 and other 4xx
/// permanent; timeouts and connection errors transient.
public enum HTTPOutcome {
    /// `nil` when the status means delivered, else the classified failure.
    public static func classify(status: Int, retryAfter: String?, body: String, now: Date) -> DeliveryError? {
        let detail = "HTTP \(status)" + (body.isEmpty ? "" : ": \(body)")
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

    /// Classifies an error thrown while sending: timeouts and everything at the connection level are transient.
    public static func classify(transportError error: any Error) -> DeliveryError {
        if let error = error as? DeliveryError { return error }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .getConnectionFromPoolTimeout:
                return DeliveryError(reason: .timeout, isRetryable: true, detail: "no answer in time (\(error))")
            default:
                return DeliveryError(reason: .connection, isRetryable: true, detail: "\(error)")
            }
        }
        if error is ChannelError || error is IOError {
            return DeliveryError(reason: .connection, isRetryable: true, detail: "\(error)")
        }
        return DeliveryError(reason: .connection, isRetryable: true, detail: String(describing: error))
    }

    /// Sends `request` and returns when the receiver answered 2xx; otherwise throws the classified failure.
    /// - Parameter describe: turns a failed response's body excerpt into the attempt's detail (e.g. a gateway's error JSON).
    public static func send(
        _ request: HTTPClientRequest, with client: HTTPClient, timeout: Duration, describe: @Sendable (String) -> String = { $0 }
    ) async throws {
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .milliseconds(Int64(timeout.timeInterval * 1000)))
        } catch {
            throw classify(transportError: error)
        }
        let excerpt = await Self.excerpt(response)
        if let failure = classify(
            status: Int(response.status.code), retryAfter: response.headers.first(name: "retry-after"), body: describe(excerpt), now: Date()
        ) {
            throw failure
        }
    }

    /// At most `limit` bytes of a response body, as text for the attempt ledger.
    public static func excerpt(_ response: HTTPClientResponse, limit: Int = 512) async -> String {
        var collected: [UInt8] = []
        do {
            for try await chunk in response.body {
                if collected.count < limit { collected += chunk.readableBytesView.prefix(limit - collected.count) }
            }
        } catch {
            return String(decoding: collected, as: UTF8.self)
        }
        return String(decoding: collected, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
