import Foundation

/// What the caller asked for, shared by every message it produced: a single `send` or a broadcast.
///
/// Messages keep only their recipient and delivery state and point here, so a million-recipient
/// broadcast stores its template, variables and route once.
public struct Notice: Sendable, Hashable {
    /// The broadcast id (`bc_…`) or, for a single send, the notice id (`nt_…`).
    public var id: String
    public var kind: Kind
    /// The template name, e.g. `outage-apology`.
    public var template: String
    /// The caller's variables.
    public var vars: [String: TemplateValue]
    /// Forces a locale for every message; `nil` lets each recipient's locale decide.
    public var locale: String?
    /// Channel names in the order they are tried.
    public var route: [String]
    public var priority: Priority
    /// Messages with the same collapse key and recipient supersede each other.
    public var collapseKey: String?
    /// When undelivered messages become `expired`.
    public var expiresAt: Date
    /// The incident this notice is about, if any.
    public var incidentID: String?
    public var createdAt: Date
    /// The W3C `traceparent` of the span that accepted the notice, so each delivery's span can link to it.
    public var traceparent: String?

    public enum Kind: String, Sendable, Codable {
        case single
        case broadcast
    }

    public init(
        id: String,
        kind: Kind,
        template: String,
        vars: [String: TemplateValue],
        locale: String? = nil,
        route: [String],
        priority: Priority = .normal,
        collapseKey: String? = nil,
        expiresAt: Date,
        incidentID: String? = nil,
        createdAt: Date,
        traceparent: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.template = template
        self.vars = vars
        self.locale = locale
        self.route = route
        self.priority = priority
        self.collapseKey = collapseKey
        self.expiresAt = expiresAt
        self.incidentID = incidentID
        self.createdAt = createdAt
        self.traceparent = traceparent
    }
}
