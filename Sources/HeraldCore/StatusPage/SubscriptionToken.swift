import Foundation

/// The token of a status page subscription's confirmation link (`PUBLIC_URL/status/subscribe/TOKEN`):
/// the address, the page's language and when the link stops working, signed with `unsubscribe.secret`
/// as unsubscribe tokens are. Its first field is `subscribe`, which no unsubscribe token begins with.
///
/// The link is the double opt-in's proof: only someone who reads the mailbox can follow it, and only
/// until `expiresAt`.
public struct SubscriptionToken: Sendable, Hashable {
    /// How long a confirmation link works.
    public static let lifetime: TimeInterval = 48 * 3600

    /// The address in normal form (`ContactPoint.email`).
    public var email: String
    /// The page's language when the person subscribed: their notices' locale.
    public var language: String
    public var expiresAt: Date

    public init(email: String, language: String, expiresAt: Date) {
        self.email = email
        self.language = language
        self.expiresAt = Date(timeIntervalSince1970: expiresAt.timeIntervalSince1970.rounded(.down))
    }

    /// The signed token.
    public func signed(with key: UnsubscribeKey) -> String {
        key.sign(["subscribe", language, String(Int64(expiresAt.timeIntervalSince1970)), email])
    }

    /// The token `text` names, when its signature is valid (expired or not); `nil` for anything forged, altered or malformed.
    public static func verify(_ text: Substring, with key: UnsubscribeKey) -> SubscriptionToken? {
        guard let fields = key.open(text, fields: 4), fields[0] == "subscribe", let seconds = Int64(fields[2]) else { return nil }
        return SubscriptionToken(email: fields[3], language: fields[1], expiresAt: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// Whether the link no longer works at `now`.
    public func isExpired(at now: Date) -> Bool { now >= expiresAt }
}
