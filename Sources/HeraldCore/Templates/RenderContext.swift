import Foundation

/// What a template can see besides the caller's variables: `recipient.*`, `incident.*`, `broadcast.id`, `now`,
/// and `unsubscribe_url` (empty unless one-click unsubscribe is configured, so `{{#unsubscribe_url}}…` is optional text).
public struct RenderContext: Sendable {
    /// The caller's variables, available at the top level (`{{service}}`).
    public var vars: [String: TemplateValue]
    public var recipient: Recipient
    /// The broadcast (or single-send notice) id.
    public var noticeID: String?
    /// The incident as an object (`title`, `services`, `updates`), when the notice is about one.
    public var incident: TemplateValue?
    public var now: Date
    /// The recipient's one-click unsubscribe link for the channel being rendered for; `nil` renders as empty.
    public var unsubscribeURL: String?

    /// Names Herald provides itself; callers cannot pass variables with these names.
    public static let reservedNames: Set<String> = ["recipient", "incident", "broadcast", "now", "unsubscribe_url"]

    public init(
        vars: [String: TemplateValue], recipient: Recipient, noticeID: String? = nil, incident: TemplateValue? = nil, now: Date,
        unsubscribeURL: String? = nil
    ) {
        self.vars = vars
        self.recipient = recipient
        self.noticeID = noticeID
        self.incident = incident
        self.now = now
        self.unsubscribeURL = unsubscribeURL
    }

    /// The top-level object templates render against in `locale`.
    func members(locale: String) -> [String: TemplateValue] {
        members(locale: locale, recipientFields: Self.recipientFields(of: recipient), now: Self.timestamp(now), unsubscribeURL: unsubscribeURL)
    }

    /// The top-level object in `locale` with the given recipient fields and `now` (a stencil passes
    /// markers): the caller's variables, Herald's own, and the localized values (`LocalizedValues`).
    func members(locale: String, recipientFields: [(name: String, value: String)], now: String, unsubscribeURL: String?) -> [String: TemplateValue] {
        var members = vars
        var fields: [String: TemplateValue] = [:]
        for (name, value) in recipientFields { fields[name] = .string(value) }
        members["recipient"] = .object(fields)
        members["broadcast"] = .object(["id": .string(noticeID ?? "")])
        members["now"] = .string(now)
        members["unsubscribe_url"] = .string(unsubscribeURL ?? "")
        if let incident { members["incident"] = incident }
        LocalizedValues.decorate(&members, locale: locale)
        return members
    }

    /// What templates see as `{{recipient.*}}`: every field, empty when the recipient has no value.
    public static func recipientFields(of recipient: Recipient) -> [(name: String, value: String)] {
        [
            ("id", recipient.id), ("name", recipient.name), ("locale", recipient.locale ?? ""), ("email", recipient.contacts.email ?? ""),
            ("phone", recipient.contacts.phone ?? ""), ("webhook", recipient.contacts.webhook ?? ""),
        ]
    }

    /// `2026-11-26T00:43:24Z` (UTC, whole seconds). Formatted by hand: it runs for every message.
    public static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(unsafeUninitializedCapacity: 20) { buffer in
            func put(_ value: Int32, width: Int, at offset: Int) {
                var rest = Int(value)
                for position in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
            }
            put(parts.tm_year + 1900, width: 4, at: 0)
            put(parts.tm_mon + 1, width: 2, at: 5)
            put(parts.tm_mday, width: 2, at: 8)
            put(parts.tm_hour, width: 2, at: 11)
            put(parts.tm_min, width: 2, at: 14)
            put(parts.tm_sec, width: 2, at: 17)
            (buffer[4], buffer[7], buffer[10]) = (UInt8(ascii: "-"), UInt8(ascii: "-"), UInt8(ascii: "T"))
            (buffer[13], buffer[16], buffer[19]) = (UInt8(ascii: ":"), UInt8(ascii: ":"), UInt8(ascii: "Z"))
            return 20
        }
    }
}
