import Foundation

/// Remembers the response to each `Idempotency-Key`, durably, so a retried request is answered the
/// same way and queues nothing more, even after a restart.
public protocol IdempotencyLedger: Sendable {
    /// Claims `key` for a request whose body hashes to `fingerprint`. A key older than `window` is forgotten.
    func claimIdempotencyKey(_ key: String, fingerprint: String, now: Date, window: Duration) async throws -> IdempotencyClaim

    /// Stores the response for a key this caller claimed.
    func completeIdempotencyKey(_ key: String, response: StoredResponse) async throws

    /// Forgets a claimed key whose request failed before it could be answered, so it can be tried again.
    func releaseIdempotencyKey(_ key: String) async throws
}

/// What a claim found.
public enum IdempotencyClaim: Sendable, Hashable {
    /// The key is new: handle the request, then complete the key.
    case claimed
    /// The same key and body were answered before: return this.
    case replay(StoredResponse)
    /// The key was used with a different body.
    case mismatch
    /// The first request with this key is still being handled.
    case inProgress
}

/// A response as first sent.
public struct StoredResponse: Sendable, Hashable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]

    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}
