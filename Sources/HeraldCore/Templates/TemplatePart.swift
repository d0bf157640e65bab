import Mustache

/// The parts a template can have, one file each per locale: `<part>.<locale>.mustache`.
public enum PartKind: String, Sendable, CaseIterable, Hashable {
    /// Plain-text e-mail body with a `subject:` front matter. Not HTML-escaped.
    case email
    /// HTML e-mail body. Variables are HTML-escaped.
    case emailHTML = "email.html"
    /// SMS text. Not escaped.
    case sms
    /// A JSON object merged into the webhook body's `data`. Variables are JSON-string-escaped.
    case webhook

    /// How interpolated values are escaped in this part.
    var contentTypePragma: String {
        switch self {
        case .email, .sms: "{{% CONTENT_TYPE: TEXT}}"
        case .emailHTML: "{{% CONTENT_TYPE: HTML}}"
        case .webhook: "{{% CONTENT_TYPE: \(JSONStringContentType.name)}}"
        }
    }
}

/// One compiled part file: its body and, for e-mail, its subject.
struct CompiledPart: Sendable {
    var kind: PartKind
    var locale: String
    var path: String
    var body: MustacheTemplate
    var subject: MustacheTemplate?
}

/// Escapes values for the inside of a JSON string, so no variable can break out of a webhook body.
struct JSONStringContentType: MustacheContentType {
    static let name = "HERALD_JSON"
    static let registered: Void = MustacheContentTypes.register(JSONStringContentType(), named: name)

    func escapeText(_ text: String) -> String {
        var quoted: [UInt8] = []
        TemplateValue.appendQuoted(text, to: &quoted)
        return String(decoding: quoted.dropFirst().dropLast(), as: UTF8.self)
    }
}
