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
    private var checkedLocales: Set<String> = []
    private var resolvedLocales: [String: String] = [:]

    init(request: NoticeRequest, route: [String], planner: RoutePlanner, templates: TemplateLibrary, now: Date) throws(IntakeError) {
        self.request = request
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
        let locale = locale(for: recipient)
        guard !checkedLocales.contains(locale) else { return }
        do {
            _ = try templates.render(request.template, locale: locale, context: context(for: recipient))
        } catch {
            throw .renderFailed(file: file, line: line, error)
        }
        checkedLocales.insert(locale)
    }

    func context(for recipient: Recipient) -> RenderContext {
        RenderContext(vars: request.vars, recipient: recipient, noticeID: "preview", now: now)
    }
}
