import Foundation
import HeraldCore
import HeraldDispatch

/// The fields `POST /v1/messages` and `POST /v1/broadcasts` share.
struct NoticeFields: Decodable {
    var template: String
    var vars: [String: TemplateValue]?
    var locale: String?
    /// A route name, `"sms,email"`, or `["sms", "email"]`.
    var route: RouteField?
    var priority: Priority?
    var collapseKey: String?
    /// A duration such as `30m` or `6h`.
    var expiresIn: String?
    var incidentID: String?

    enum CodingKeys: String, CodingKey {
        case template, vars, locale, route, priority
        case collapseKey = "collapse_key"
        case expiresIn = "expires_in"
        case incidentID = "incident_id"
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
            template: template, vars: vars ?? [:], locale: locale, route: route?.names, priority: priority ?? .normal,
            collapseKey: collapseKey, expiresIn: lifetime, incidentID: incidentID
        )
    }
}

/// `route` as a string (`"critical"`, `"sms,email"`) or an array of channel names.
struct RouteField: Decodable {
    var names: [String]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let list = try? container.decode([String].self) {
            names = list
        } else {
            names = try container.decode(String.self).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }
}

/// `POST /v1/messages`.
struct SendBody: Decodable {
    var notice: NoticeFields
    var to: ContactPoints
    /// The recipient id (default: the first contact point) and name for `{{recipient.*}}`.
    var recipientID: String?
    var name: String?

    enum CodingKeys: String, CodingKey {
        case to, name
        case recipientID = "recipient_id"
    }

    init(from decoder: any Decoder) throws {
        notice = try NoticeFields(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        to = try container.decode(ContactPoints.self, forKey: .to)
        recipientID = try container.decodeIfPresent(String.self, forKey: .recipientID)
        name = try container.decodeIfPresent(String.self, forKey: .name)
    }

    /// The recipient, with each contact point checked as the CLI checks `--to`.
    func recipient() throws(Problem) -> Recipient {
        if let email = to.email, let problem = ContactValidator.emailProblem(email) { throw Problem.invalid("/to/email", problem) }
        if let phone = to.phone, let problem = ContactValidator.phoneProblem(phone) { throw Problem.invalid("/to/phone", problem) }
        if let webhook = to.webhook, let problem = ContactValidator.webhookProblem(webhook) { throw Problem.invalid("/to/webhook", problem) }
        guard let id = recipientID ?? to.email ?? to.phone ?? to.webhook else {
            throw Problem.invalid("/to", "give at least one of email, phone or webhook")
        }
        return Recipient(id: id, name: name ?? "", locale: notice.locale, contacts: to)
    }
}

/// `POST /v1/broadcasts`.
struct BroadcastBody: Decodable {
    var notice: NoticeFields
    var audience: Audience
    var dryRun: Bool

    /// Exactly one of a stored segment, every stored recipient, or recipients inline.
    struct Audience: Decodable {
        var segment: String?
        var all: Bool?
        var recipients: [TemplateValue]?
    }

    enum CodingKeys: String, CodingKey {
        case audience
        case dryRun = "dry_run"
    }

    init(from decoder: any Decoder) throws {
        notice = try NoticeFields(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        audience = try container.decode(Audience.self, forKey: .audience)
        dryRun = try container.decodeIfPresent(Bool.self, forKey: .dryRun) ?? false
    }
}
