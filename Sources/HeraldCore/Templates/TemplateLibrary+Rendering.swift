import Foundation
import Mustache

extension TemplateLibrary {
    /// Checks what can be checked before any recipient is known: the template exists,
    /// every variable `template.yaml` requires is given, and no reserved name is used.
    public func validateCall(template name: String, vars: [String: TemplateValue]) throws(TemplateError) {
        let template = try template(named: name)
        let missing = template.requiredVariables.filter { vars[$0] == nil }
        if !missing.isEmpty { throw .missingRequiredVariable(template: name, variables: missing) }
        for variable in vars.keys.sorted() where RenderContext.reservedNames.contains(variable) {
            throw .reservedVariable(template: name, variable: variable)
        }
    }

    /// Renders the template's parts for one recipient, strictly: a variable a part uses that the
    /// context does not have is an error naming template, part, locale and variable.
    /// - Parameters:
    ///   - locale: the caller's or recipient's locale; falls back to the template default, then `en`.
    ///   - parts: the parts to render; `nil` renders every part the locale has.
    public func render(
        _ name: String, locale: String?, context: RenderContext, parts: Set<PartKind>? = nil
    ) throws(TemplateError) -> RenderedNotice {
        let template = try template(named: name)
        let resolved = template.resolveLocale(locale ?? context.recipient.locale)
        let raw = try rawParts(template, locale: resolved, members: context.members(locale: resolved), parts: parts)
        return try Self.finish(raw, template: name, locale: resolved)
    }

    /// One part as Mustache wrote it, before trimming and parsing.
    struct RawPart: Sendable, Hashable {
        var kind: PartKind
        var subject: String?
        var body: String
    }

    func rawParts(
        _ template: NoticeTemplate, locale: String, members: [String: TemplateValue], parts: Set<PartKind>?
    ) throws(TemplateError) -> [RawPart] {
        let available = template.parts[locale] ?? [:]
        // One context tree serves every part; the tracker starts afresh for each.
        let tracker = MissingVariableTracker()
        let root = StrictNode.node(members, path: "", tracker: tracker, isRoot: true)
        var raw: [RawPart] = []
        for kind in PartKind.allCases {
            guard let part = available[kind], parts?.contains(kind) ?? true else { continue }
            let body = try Self.render(part.body, root: root, tracker: tracker, template: template.name, part: part)
            let subject = try part.subject.map { subject throws(TemplateError) in
                try Self.render(subject, root: root, tracker: tracker, template: template.name, part: part)
            }
            raw.append(RawPart(kind: kind, subject: subject, body: body))
        }
        return raw
    }

    /// The rendered notice from its raw parts: bodies trimmed, the subject on one line, the webhook part parsed.
    static func finish(_ raw: [RawPart], template: String, locale: String) throws(TemplateError) -> RenderedNotice {
        try finish(raw, onto: RenderedNotice(template: template, locale: locale))
    }

    /// `notice` with `raw`'s parts finished and set on it (a stencil's constant parts come finished).
    static func finish(_ raw: [RawPart], onto notice: RenderedNotice) throws(TemplateError) -> RenderedNotice {
        var notice = notice
        let (template, locale) = (notice.template, notice.locale)
        for part in raw {
            switch part.kind {
            case .email:
                notice.text = trimmedBody(part.body)
                if let line = part.subject {
                    notice.subject = line.split(whereSeparator: \.isNewline).joined(separator: " ").trimmedOfWhitespace
                }
            case .emailHTML: notice.html = trimmedBody(part.body)
            case .sms: notice.sms = part.body.trimmedOfWhitespace
            case .webhook: notice.webhook = try decodeWebhookObject(part.body, template: template, locale: locale)
            }
        }
        return notice
    }

    private static func render(
        _ template: MustacheTemplate, root: StrictNode, tracker: MissingVariableTracker, template name: String, part: CompiledPart
    ) throws(TemplateError) -> String {
        tracker.reset()
        let text = template.render(root)
        tracker.finish()
        if !tracker.missing.isEmpty {
            throw .missingVariable(template: name, part: part.kind.rawValue, locale: part.locale, variables: tracker.missing)
        }
        if let variable = tracker.nonScalar.first {
            throw .notAValue(template: name, part: part.kind.rawValue, locale: part.locale, variable: variable)
        }
        return text
    }

    /// Drops the blank lines left after front matter and ends the body with exactly one newline.
    private static func trimmedBody(_ body: String) -> String {
        body.trimmedOfWhitespace + "\n"
    }

    private static func decodeWebhookObject(_ body: String, template: String, locale: String) throws(TemplateError) -> [String: TemplateValue] {
        do {
            guard let object = try JSONDecoder().decode(TemplateValue.self, from: Data(body.utf8)).objectValue else {
                throw TemplateError.invalidWebhookJSON(template: template, locale: locale, reason: "the top level is not an object")
            }
            return object
        } catch let error as TemplateError {
            throw error
        } catch {
            throw .invalidWebhookJSON(template: template, locale: locale, reason: "\(error)")
        }
    }
}

extension String {
    /// Without leading and trailing white space and line breaks. Foundation's `trimmingCharacters(in:)`
    /// bridges through `NSString` and was an eighth of the CPU of delivering an e-mail.
    var trimmedOfWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
