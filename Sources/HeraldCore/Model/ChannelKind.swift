/// The transports Herald knows.
public enum ChannelKind: String, Sendable, Codable, CaseIterable {
    case smtp
    case webhook
    case sms
    /// Writes each rendered message as a file; for dry runs and demos.
    case outbox

    /// The contact point this kind delivers to. `nil` means it can reach anyone
    /// (the outbox writes files; a webhook channel with its own `url` posts there when the recipient has none).
    public var contact: ContactKind? {
        switch self {
        case .smtp: .email
        case .sms: .phone
        case .webhook: .webhook
        case .outbox: nil
        }
    }

    /// The template parts a channel of this kind sends, so workers and previews render nothing else.
    public var parts: Set<PartKind> {
        switch self {
        case .smtp: [.email, .emailHTML]
        case .sms: [.sms]
        case .webhook: [.email, .emailHTML, .sms, .webhook]
        case .outbox: Set(PartKind.allCases)
        }
    }
}
