import Foundation
import HeraldCore
import HeraldDispatch

/// The fields `POST /v1/messages` and `POST /v1/broadcasts` share.
struct NoticeFields {
    /// The field names every notice body has.
    static let names: Set<String> = ["template", "vars", "locale", "route", "priority", "collapse_key", "expires_in", "incident_id"]

    var template: String
    var vars: [String: TemplateValue]?
    var locale: String?
    /// A route name, `"sms,email"`, or `["sms", "email"]`.
    var route: [String]?
    var priority: Priority?
    var collapseKey: String?
    /// A duration such as `30m` or `6h`.
    var expiresIn: String?
    var incidentID: String?

    init(_ fields: JSONFields) throws(Problem) {
        template = try fields.requiredString("template")
        if let vars = try fields.object("vars", allowed: nil) { self.vars = vars.members }
        locale = try fields.string("locale")
        route = try Self.routeNames(fields)
        priority = try fields.choice("priority", of: Priority.self)
        collapseKey = try fields.string("collapse_key")
        expiresIn = try fields.string("expires_in")
        incidentID = try fields.string("incident_id")
    }

    /// `route` as a string (`"critical"`, `"sms,email"`) or an array of channel names.
    private static func routeNames(_ fields: JSONFields) throws(Problem) -> [String]? {
        switch fields.value("route") {
        case nil: return nil
        case .string(let names): return NoticeRequest.route(names)
        case .list(let items):
            var names: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let name) = item else { throw Problem.invalid(fields.pointer(to: "route/\(index)"), "expected a channel name") }
                names.append(name)
            }
            return names
        default: throw Problem.invalid(fields.pointer(to: "route"), "expected a route name or an array of channel names")
        }
    }

    func request() throws(Problem) -> NoticeRequest {
        var lifetime: Duration?
        if let expiresIn {
            guard let parsed = DurationParser.duration(expiresIn), parsed > .zero else {
                throw Problem.invalid("/expires_in", "expected a duration such as 30m or 6h, got '\(expiresIn)'")
            }
            lifetime = parsed
        }
        return NoticeRequest(
            template: template, vars: vars ?? [:], locale: locale, route: route, priority: priority ?? .normal,
            collapseKey: collapseKey, expiresIn: lifetime, incidentID: incidentID
        )
    }
}

/// `POST /v1/messages`.
struct SendBody {
    var notice: NoticeFields
    var to: ContactPoints
    /// The recipient id (default: the first contact point) and name for `{{recipient.*}}`.
    var recipientID: String?
    var name: String?

    init(json bytes: [UInt8]) throws(Problem) {
        let fields = try JSONBody.object(from: bytes, allowed: NoticeFields.names.union(["to", "recipient_id", "name"]))
        notice = try NoticeFields(fields)
        let to = try fields.requiredObject("to", allowed: ["email", "phone", "webhook"])
        self.to = ContactPoints(email: try to.string("email"), phone: try to.string("phone"), webhook: try to.string("webhook"))
        recipientID = try fields.string("recipient_id")
        name = try fields.string("name")
    }

    /// The recipient, checked by the same rules as `herald send --to` and an audience row.
    func recipient() throws(Problem) -> Recipient {
        do {
            return try RecipientValidator.single(id: recipientID, name: name ?? "", locale: notice.locale, contacts: to)
        } catch {
            let pointer: String =
                switch error.field {
                case "email", "phone", "webhook": "/to/\(error.field ?? "")"
                case "id": "/recipient_id"
                case "name": "/name"
                case "locale": "/locale"
                default: "/to"
                }
            throw Problem.invalid(pointer, error.reason)
        }
    }
}

/// `POST /v1/broadcasts`.
struct BroadcastBody {
    var notice: NoticeFields
    var audience: Audience
    var dryRun: Bool

    /// Exactly one of a stored segment, every stored recipient, or recipients inline.
    struct Audience {
        var segment: String?
        var all: Bool?
        var recipients: [TemplateValue]?
    }

    init(json bytes: [UInt8]) throws(Problem) {
        let fields = try JSONBody.object(from: bytes, allowed: NoticeFields.names.union(["audience", "dry_run"]))
        notice = try NoticeFields(fields)
        let audience = try fields.requiredObject("audience", allowed: ["segment", "all", "recipients"])
        self.audience = Audience(segment: try audience.string("segment"), all: try audience.bool("all"), recipients: try audience.list("recipients"))
        dryRun = try fields.bool("dry_run") ?? false
    }
}
