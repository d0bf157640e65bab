import Foundation

/// Why a contact point is suppressed.
public enum SuppressionReason: String, Sendable, Codable, CaseIterable, Hashable, Comparable {
    /// The person asked for no more notices (one-click unsubscribe, an SMS STOP).
    case unsubscribed
    /// The mail server said the mailbox does not exist (SMTP 5.1.1, 5.1.2, 5.1.10 on RCPT).
    case bounced
    /// The webhook receiver said the URL is gone for good (HTTP 410).
    case gone
    /// The SMS gateway said the number cannot receive messages (Twilio 21211, 21614).
    case invalid
    /// The person reported a notice as spam.
    case complained
    /// An operator suppressed it.
    case manual

    /// Whether it applies to notices of `category`: an unsubscribe spares `essential` notices, every
    /// other reason applies to all of them.
    public func applies(to category: String) -> Bool {
        self != .unsubscribed || category != NoticeCategory.essential
    }

    /// Whether it ends the message instead of letting the route move on to the recipient's next
    /// contact point: the person said no, which holds on every channel; a dead address says nothing
    /// about the others.
    public var endsMessage: Bool { self == .unsubscribed || self == .complained }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The category a template declares in `template.yaml`.
public enum NoticeCategory {
    /// What a template without `category:` is.
    public static let updates = "updates"
    /// Notices people cannot unsubscribe from (bounces and the other reasons still apply).
    public static let essential = "essential"
}

/// A contact point in the one form suppressions are keyed by: an e-mail address in lower case, a
/// phone number in E.164, a webhook URL as written.
public struct ContactPoint: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var kind: ContactKind
    public var value: String

    /// A contact point already in its normal form (as the store gives it back).
    public init(kind: ContactKind, normalized value: String) {
        self.kind = kind
        self.value = value
    }

    /// The normal form of an e-mail address. Most addresses already are: printable ASCII without
    /// capitals is kept as it is, without Foundation's case mapping (it runs for every recipient of a broadcast).
    public static func email(_ address: String) -> ContactPoint {
        if address.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !(0x41...0x5A).contains($0) }) { return ContactPoint(kind: .email, normalized: address) }
        return ContactPoint(kind: .email, normalized: address.trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// The normal form of a phone number; a number that does not normalise is kept as written.
    public static func phone(_ number: String, defaultRegion: String?) -> ContactPoint {
        ContactPoint(kind: .phone, normalized: (try? PhoneNumber.normalize(number, defaultRegion: defaultRegion)) ?? number)
    }

    /// A contact point an operator typed (`herald suppress add`, `POST /v1/suppressions`): an http(s)
    /// URL is a webhook, text with `@` an e-mail address, anything else a phone number.
    /// - Throws: the reason, when it is none of them.
    public static func parse(_ text: String, defaultRegion: String?) throws(ContactPointError) -> ContactPoint {
        let text = text.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("http://") || text.hasPrefix("https://") {
            if let problem = ContactValidator.webhookProblem(text) { throw ContactPointError(text: text, reason: problem) }
            return ContactPoint(kind: .webhook, normalized: text)
        }
        if text.contains("@") {
            if let problem = ContactValidator.emailProblem(text) { throw ContactPointError(text: text, reason: problem) }
            return .email(text)
        }
        do {
            return ContactPoint(kind: .phone, normalized: try PhoneNumber.normalize(text, defaultRegion: defaultRegion))
        } catch {
            throw ContactPointError(text: text, reason: "expected an e-mail address, a phone number or an http(s) URL; \(error.description)")
        }
    }

    public var description: String { "\(kind.rawValue) \(value)" }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}

/// Text that is not a contact point.
public struct ContactPointError: Error, Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "'\(text)' is not a contact point: \(reason)" }
}

/// One entry of the suppression list: a contact point Herald never sends to again (for `reason`).
/// As JSON (`suppress list --json`, `GET /v1/suppressions`): `{"contact","kind","reason","source","detail","added_at"}`.
public struct Suppression: Sendable, Hashable, Encodable {
    public var contact: ContactPoint
    public var reason: SuppressionReason
    /// How it was added: `one-click`, `inbound-sms`, `cli`, `api`, `import`, or the channel that learned it.
    public var source: String
    /// What was said: the receiver's reply, the token's category, an operator's note.
    public var detail: String?
    public var addedAt: Date

    public init(contact: ContactPoint, reason: SuppressionReason, source: String, detail: String? = nil, addedAt: Date) {
        self.contact = contact
        self.reason = reason
        self.source = source
        self.detail = detail
        self.addedAt = addedAt
    }

    enum CodingKeys: String, CodingKey { case contact, kind, reason, source, detail, added_at }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(contact.value, forKey: .contact)
        try container.encode(contact.kind.rawValue, forKey: .kind)
        try container.encode(reason, forKey: .reason)
        try container.encode(source, forKey: .source)
        try container.encodeIfPresent(detail, forKey: .detail)
        try container.encode(addedAt, forKey: .added_at)
    }
}
