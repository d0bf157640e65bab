import Foundation
import HeraldCore

/// What a caller asks to send, from the CLI or the API.
public struct NoticeRequest: Sendable {
    /// The longest text one variable may hold (in UTF-8 bytes), anywhere inside it.
    public static let maximumVariableBytes = 16 * 1024

    public var template: String
    public var vars: [String: TemplateValue]
    /// Forces a locale for every recipient.
    public var locale: String?
    /// A route name or channel names; `nil` uses the default route.
    public var route: [String]?
    public var priority: Priority
    public var collapseKey: String?
    /// Overrides `retry.expire_after`.
    public var expiresIn: Duration?
    public var incidentID: String?
    /// What templates see as `{{incident.*}}` (set by `IncidentDesk`, never by callers: the name is reserved).
    public var incident: TemplateValue?

    public init(
        template: String, vars: [String: TemplateValue] = [:], locale: String? = nil, route: [String]? = nil, priority: Priority = .normal,
        collapseKey: String? = nil, expiresIn: Duration? = nil, incidentID: String? = nil, incident: TemplateValue? = nil
    ) {
        self.template = template
        self.vars = vars
        self.locale = locale
        self.route = route
        self.priority = priority
        self.collapseKey = collapseKey
        self.expiresIn = expiresIn
        self.incidentID = incidentID
        self.incident = incident
    }

    /// The route as `--route` and the API's string form give it: a route name (`critical`) or channel
    /// names separated by commas (`sms, email`).
    public static func route(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// The variables stored with the notice: the caller's, plus `incident` when there is one.
    var storedVars: [String: TemplateValue] {
        guard let incident else { return vars }
        var stored = vars
        stored["incident"] = incident
        return stored
    }
}
