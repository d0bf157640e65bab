import Foundation
import HeraldCore

/// Checks each recipient of a notice before anything is queued: some channel of the route can reach
/// them, and the template renders strictly for their locale. A render is checked once per resolved
/// locale and `RecipientShape` — the caller's variables are the same for every recipient, and only
/// which recipient fields are empty can change a strict render's outcome — so a million recipients
/// cost a handful of renders, and single sends repeating a call cost none (`RenderCheckMemo`).
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
    /// Where caller-supplied webhook URLs may point.
    let egress: EgressPolicy
    /// Links for `{{unsubscribe_url}}` in renders, when one-click unsubscribe is configured.
    let unsubscribeLinks: UnsubscribeLinks?
    /// Renders that passed, across requests.
    let memo: RenderCheckMemo
    /// Renders this gate has seen pass: a broadcast's recipients need not hash the variables again.
    private var checked: Set<CheckedRender> = []
    private var resolvedLocales: [String: String] = [:]

    private struct CheckedRender: Hashable {
        var locale: String
        var shape: RecipientShape
    }

    init(
        request: NoticeRequest, route: [String], planner: RoutePlanner, templates: TemplateLibrary, memo: RenderCheckMemo, now: Date,
        refusesOverlongSMS: Bool, egress: EgressPolicy, unsubscribeLinks: UnsubscribeLinks?
    ) throws(IntakeError) {
        self.request = request
        self.egress = egress
        self.unsubscribeLinks = unsubscribeLinks
        self.memo = memo
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
        if let webhook = recipient.contacts.webhook, case .refused(let reason) = egress.verdict(host: (try? HTTPDestination.memoized(webhook))?.host ?? "") {
            throw .invalidContact(file: file, line: line, field: "webhook", reason: "destination refused: \(reason)")
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
        let checks = CheckedRender(locale: locale, shape: RecipientShape(recipient))
        let measuresSMS = refusesOverlongSMS && recipient.contacts.phone != nil && !smsChannels.isEmpty
        var rendered: RenderedNotice?
        if !checked.contains(checks) {
            let key = RenderCheckMemo.Key(
                template: request.template, locale: locale, vars: request.vars, incident: request.incident, shape: checks.shape
            )
            if !memo.contains(key) {
                rendered = try render(recipient, locale: locale, parts: nil, file: file, line: line)
                memo.insert(key)
            }
            checked.insert(checks)
        }
        guard measuresSMS else { return }
        // The text's length depends on what the fields say, so it is measured for every recipient.
        if rendered == nil { rendered = try render(recipient, locale: locale, parts: [.sms], file: file, line: line) }
        if let rendered, let overlong = overlongSMS(rendered) { throw overlong }
    }

    private func render(_ recipient: Recipient, locale: String, parts: Set<PartKind>?, file: String?, line: Int) throws(IntakeError) -> RenderedNotice {
        do {
            return try templates.render(request.template, locale: locale, context: context(for: recipient), parts: parts)
        } catch {
            throw .renderFailed(file: file, line: line, error)
        }
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
        // The link of the recipient's first contact point on the route, as the first channel would render it.
        let unsubscribeURL = unsubscribeLinks.flatMap { links in
            planner.contactPoints(of: recipient, route: route).first.map { links.url(for: $0, category: template.category) }
        }
        return RenderContext(
            vars: request.vars, recipient: recipient, noticeID: "preview", incident: request.incident, now: now, unsubscribeURL: unsubscribeURL
        )
    }
}
