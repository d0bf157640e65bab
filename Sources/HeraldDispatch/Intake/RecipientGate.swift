import Foundation
import HeraldCore

/// Checks each recipient of a notice before anything is queued: some channel of the route can reach
/// them, and the template renders strictly for their locale. A render is checked once per resolved
/// locale — the caller's variables are the same for every recipient, and every recipient field is
/// always present — so a million recipients cost a handful of renders.
final class RecipientGate {
    let request: NoticeRequest
    let route: [String]
    let planner: RoutePlanner
    let templates: TemplateLibrary
    let template: NoticeTemplate
    let now: Date
    /// The SMS channels of the route: their numbers are checked at accept, their segment limits reported.
    let smsChannels: [(name: String, settings: SMSSettings)]
    /// Refuse a render over an SMS channel's `max_segments` (single sends); broadcasts report it in `--dry-run`.
    let refusesOverlongSMS: Bool
    private var checkedLocales: Set<String> = []
    private var resolvedLocales: [String: String] = [:]

    init(
        request: NoticeRequest, route: [String], planner: RoutePlanner, templates: TemplateLibrary, now: Date, refusesOverlongSMS: Bool
    ) throws(IntakeError) {
        self.request = request
        self.refusesOverlongSMS = refusesOverlongSMS
        self.smsChannels = route.compactMap { name in
            guard case .sms(let settings)? = planner.channels[name]?.transport else { return nil }
            return (name, settings)
        }
        self.route = route
        self.planner = planner
        self.templates = templates
        self.now = now
        do {
            try templates.validateCall(template: request.template, vars: request.vars)
            template = try templates.template(named: request.template)
        } catch {
            throw .template(error)
        }
    }

    /// The locale the recipient's messages render in.
    func locale(for recipient: Recipient) -> String {
        let requested = request.locale ?? recipient.locale ?? ""
        if let resolved = resolvedLocales[requested] { return resolved }
        let resolved = template.resolveLocale(requested)
        resolvedLocales[requested] = resolved
        return resolved
    }

    /// Throws when the recipient cannot be sent this notice.
    func check(_ recipient: Recipient, file: String?, line: Int) throws(IntakeError) {
        guard planner.canReach(recipient, route: route) else {
            throw .unreachable(file: file, line: line, recipient: recipient.id, route: route)
        }
        if let phone = recipient.contacts.phone {
            for channel in smsChannels {
                do {
                    _ = try PhoneNumber.normalize(phone, defaultRegion: channel.settings.defaultRegion)
                } catch {
                    throw .invalidContact(file: file, line: line, field: "phone", reason: error.description)
                }
            }
        }
        let locale = locale(for: recipient)
        guard refusesOverlongSMS || !checkedLocales.contains(locale) else { return }
        let rendered: RenderedNotice
        do {
            rendered = try templates.render(request.template, locale: locale, context: context(for: recipient))
        } catch {
            throw .renderFailed(file: file, line: line, error)
        }
        checkedLocales.insert(locale)
        if refusesOverlongSMS, recipient.contacts.phone != nil, let overlong = overlongSMS(rendered) { throw overlong }
    }

    /// The first SMS channel of the route whose `max_segments` the rendered text exceeds, as an error.
    func overlongSMS(_ rendered: RenderedNotice) -> IntakeError? {
        guard let text = rendered.sms else { return nil }
        let count = SMSSegments(text)
        guard let channel = smsChannels.first(where: { count.segments > $0.settings.maxSegments }) else { return nil }
        return .tooManySegments(
            channel: channel.name, segments: count.segments, encoding: count.encoding.rawValue, maxSegments: channel.settings.maxSegments
        )
    }

    func context(for recipient: Recipient) -> RenderContext {
        RenderContext(vars: request.vars, recipient: recipient, noticeID: "preview", incident: request.incident, now: now)
    }
}
