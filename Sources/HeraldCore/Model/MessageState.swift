/// Where one message stands. The last six states are final: nothing moves a message out of them.
public enum MessageState: String, Sendable, Codable, CaseIterable, Hashable {
    /// Accepted and durable; waiting for a worker.
    case queued
    /// Leased by a worker that is delivering it now.
    case sending
    /// A transient failure happened; another attempt is scheduled.
    case retrying
    /// A channel accepted it.
    case delivered
    /// Every channel of its route refused it permanently, or it could not be rendered.
    case failed
    /// A newer message with the same collapse key and recipient replaced it before delivery.
    case superseded
    /// Its `expires_in` / `retry.expire_after` passed before any channel accepted it.
    case expired
    /// An operator cancelled its broadcast before it was sent.
    case cancelled
    /// Every contact point the route could use is on the suppression list, or the recipient unsubscribed.
    case suppressed

    /// Final states never change again.
    public var isFinal: Bool {
        switch self {
        case .queued, .sending, .retrying: false
        case .delivered, .failed, .superseded, .expired, .cancelled, .suppressed: true
        }
    }

    /// States a worker may still deliver from.
    public static let pending: [MessageState] = [.queued, .retrying]
}
