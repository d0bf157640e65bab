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

    /// The top-level object templates render against.
    var members: [String: TemplateValue] {
        var members = vars
        members["recipient"] = .object([
            "id": .string(recipient.id),
            "name": .string(recipient.name),
            "locale": .string(recipient.locale ?? ""),
            "email": .string(recipient.contacts.email ?? ""),
            "phone": .string(recipient.contacts.phone ?? ""),
            "webhook": .string(recipient.contacts.webhook ?? ""),
        ])
        members["broadcast"] = .object(["id": .string(noticeID ?? "")])
        members["now"] = .string(Self.timestamp(now))
        if let incident { members["incident"] = incident }
        return members
    }

    /// `2026-11-26T00:43:24Z`.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon))
    }
}
