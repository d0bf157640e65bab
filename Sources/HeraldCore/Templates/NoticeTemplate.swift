/// A named notice such as `outage-apology`: its `template.yaml` and compiled parts per locale.
public struct NoticeTemplate: Sendable {
    public var name: String
    public var description: String
    /// The locale used when the recipient's locale has no parts.
    public var defaultLocale: String
    /// Variables every caller must give.
    public var requiredVariables: [String]
    /// Sample variables; `templates check` renders every part with them.
    public var example: [String: TemplateValue]
    /// What kind of notice it is, for consent: `essential` notices ignore unsubscribes (default `updates`).
    public var category = NoticeCategory.updates
    var parts: [String: [PartKind: CompiledPart]]

    /// Locales that have at least one part, sorted.
    public var locales: [String] { parts.keys.sorted() }

    /// The part kinds present in a locale.
    public func partKinds(in locale: String) -> [PartKind] {
        PartKind.allCases.filter { parts[locale]?[$0] != nil }
    }

    /// Locale fallback: the recipient's (or the caller's) → the template default → `en`
    /// → any locale the template has. A region-qualified locale (`ko-KR`) also tries its language (`ko`).
    public func resolveLocale(_ requested: String?) -> String {
        var candidates: [String] = []
        if let requested, !requested.isEmpty {
            candidates.append(requested)
            if let language = requested.split(separator: "-").first { candidates.append(String(language)) }
        }
        candidates += [defaultLocale, "en"]
        return candidates.first { parts[$0] != nil } ?? locales.first ?? defaultLocale
    }
}
