import Foundation

/// What a template can see besides the caller's variables: `recipient.*`, `incident.*`, `broadcast.id`, `now`.
public struct RenderContext: Sendable {
    /// The caller's variables, available at the top level (`{{service}}`).
    public var vars: [String: TemplateValue]
    public var recipient: Recipient
    /// The broadcast (or single-send notice) id.
    public var noticeID: String?
    /// The incident as an object (`title`, `services`, `updates`), when the notice is about one.
    public var incident: TemplateValue?
    public var now: Date

    /// Names Herald provides itself; callers cannot pass variables with these names.
    public static let reservedNames: Set<String> = ["recipient", "incident", "broadcast", "now"]

    public init(vars: [String: TemplateValue], recipient: Recipient, noticeID: String? = nil, incident: TemplateValue? = nil, now: Date) {
        self.vars = vars
        self.recipient = recipient
        self.noticeID = noticeID
        self.incident = incident
        self.now = now
    }

    /// The top-level object templates render against in `locale`.
    func members(locale: String) -> [String: TemplateValue] {
        members(locale: locale, recipientFields: Self.recipientFields(of: recipient), now: Self.timestamp(now))
    }

    /// The top-level object in `locale` with the given recipient fields and `now` (a stencil passes
    /// markers): the caller's variables, Herald's own, and the localized values (`LocalizedValues`).
    func members(locale: String, recipientFields: [(name: String, value: String)], now: String) -> [String: TemplateValue] {
        var members = vars
        var fields: [String: TemplateValue] = [:]
        for (name, value) in recipientFields { fields[name] = .string(value) }
        members["recipient"] = .object(fields)
        members["broadcast"] = .object(["id": .string(noticeID ?? "")])
        members["now"] = .string(now)
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
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
    }
}
