import Foundation

extension TemplateLibrary {
    /// Every problem `herald templates check` and `config check` report: each template, each locale,
    /// each part rendered with the template's example variables; required variables without an
    /// example; SMS texts over an SMS channel's `max_segments`; digests naming a template that is not
    /// here. Empty when every template is fine.
    ///
    /// ```swift
    /// for problem in library.problems(for: configuration) { print(problem) }
    /// ```
    /// With no SMS channel configured, the default `max_segments` of 2 still keeps shipped texts short.
    public func problems(for configuration: HeraldConfiguration) -> [String] {
        var problems = configuration.digests.filter { templates[$0.template] == nil }.map { digest in
            "digest '\(digest.name)': template '\(digest.template)' is not in \(configuration.templatesPath)"
        }
        var limits: [(channel: String, maxSegments: Int)] = configuration.channels.compactMap { channel in
            guard case .sms(let sms) = channel.transport else { return nil }
            return (channel.name, sms.maxSegments)
        }
        if limits.isEmpty { limits = [("sms (default)", SMSSettings.defaultMaxSegments)] }
        for template in templates.values.sorted(by: { $0.name < $1.name }) {
            for variable in template.requiredVariables where template.example[variable] == nil {
                problems.append("template '\(template.name)': example has no value for required variable '\(variable)'")
            }
            for locale in template.locales {
                let context = RenderContext(vars: template.example, recipient: .sample(locale: locale), noticeID: "bc_check", now: Date())
                do {
                    guard let sms = try render(template.name, locale: locale, context: context).sms else { continue }
                    let count = SMSSegments(sms)
                    for limit in limits {
                        guard let overrun = count.overrun(maxSegments: limit.maxSegments) else { continue }
                        problems.append(
                            "template '\(template.name)', part 'sms', locale '\(locale)': with the example variables the text \(overrun) of channel '\(limit.channel)'"
                        )
                    }
                } catch {
                    problems.append("\(error)")
                }
            }
        }
        return problems
    }
}

extension Recipient {
    /// The recipient templates are previewed and checked with (`templates render`, `templates check`):
    /// every contact point, a name in the locale's script.
    public static func sample(locale: String?) -> Recipient {
        Recipient(
            id: "u-sample", name: locale == "ko" ? "김하늘" : "Alex Kim", locale: locale,
            contacts: ContactPoints(email: "alex@example.com", phone: "+15550100100", webhook: "https://example.com/hook")
        )
    }
}
