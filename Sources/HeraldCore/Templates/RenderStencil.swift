import Foundation

/// A template's parts rendered once for every recipient of one notice, locale and `RecipientShape`,
/// with a marker where each recipient field (and `now`) goes; `render(for:now:)` fills the markers in.
///
/// Rendering with Mustache was a fifth of the CPU of delivering an e-mail; filling a stencil is a
/// scan of the text. The result is the same as `TemplateLibrary.render` — markers are replaced before
/// the parts are trimmed and parsed, each value escaped as the part escapes values — and whenever it
/// could differ the stencil says so by returning `nil`: a transform such as `uppercased(recipient.name)`
/// changes a marker beyond recognition, so a marker left unfilled means "render this one in full".
///
/// ```swift
/// if let stencil = library.stencil("outage-apology", locale: nil, context: first, parts: [.email]),
///    let notice = stencil.render(for: recipient, now: now) { … }
/// ```
public struct RenderStencil: Sendable {
    /// The parts with a marker, filled for each recipient.
    let parts: [TemplateLibrary.RawPart]
    /// The parts without one, finished once: the same for every recipient.
    let constant: RenderedNotice

    /// A stencil of `raw` parts: those with no private-use delimiter at all are finished now.
    /// - Throws: when a constant part cannot be finished (rendering in full then reports why).
    init(template: String, locale: String, parts raw: [TemplateLibrary.RawPart]) throws(TemplateError) {
        func hasDelimiter(_ part: TemplateLibrary.RawPart) -> Bool { part.body.utf8.contains(0xEE) || part.subject?.utf8.contains(0xEE) == true }
        self.parts = raw.filter(hasDelimiter)
        self.constant = try TemplateLibrary.finish(raw.filter { !hasDelimiter($0) }, template: template, locale: locale)
    }

    /// The notice for one recipient of the stencil's shape, or `nil` when it must be rendered in full.
    /// - Parameter unsubscribeURL: the recipient's link, when the stencil was made with one.
    public func render(for recipient: Recipient, now: Date, unsubscribeURL: String? = nil) -> RenderedNotice? {
        guard !parts.isEmpty else { return constant }
        var values = RenderContext.recipientFields(of: recipient).map(\.value)
        values.append(RenderContext.timestamp(now))
        values.append(unsubscribeURL ?? "")
        var filled: [TemplateLibrary.RawPart] = []
        filled.reserveCapacity(parts.count)
        for part in parts {
            let escape = part.kind.escape
            guard let body = Self.fill(part.body, values: values, escape: escape) else { return nil }
            var subject: String?
            if let line = part.subject {
                guard let text = Self.fill(line, values: values, escape: escape) else { return nil }
                subject = text
            }
            filled.append(.init(kind: part.kind, subject: subject, body: body))
        }
        return try? TemplateLibrary.finish(filled, onto: constant)
    }

    /// The marker for value `index`: private-use delimiters around `&"qQ` and the index. Escaping for
    /// HTML or JSON changes `&` and `"`, so an escaped marker is told from a raw one (`{{{…}}}`); the
    /// two letters change under every case transform.
    static func marker(_ index: Int) -> String { "\u{E000}&\"qQ\(index)\u{E001}" }

    /// `text` with every marker replaced by its value, escaped when the marker was; `nil` when a marker
    /// was changed (a transform) or the text has a private-use delimiter of its own. Works on UTF-8:
    /// U+E000 is `EE 80 80`, U+E001 is `EE 80 81`.
    static func fill(_ text: String, values: [String], escape: (String) -> String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.contains(0xEE) else { return text }
        let raw = Array("&\"qQ".utf8)
        let escaped = Array(escape("&\"qQ").utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64)
        func delimiter(at index: Int, last: UInt8) -> Bool {
            index + 2 < bytes.count && bytes[index] == 0xEE && bytes[index + 1] == 0x80 && bytes[index + 2] == last
        }
        var index = 0
        while index < bytes.count {
            guard bytes[index] == 0xEE else {
                let run = bytes[index...].firstIndex(of: 0xEE) ?? bytes.count
                out.append(contentsOf: bytes[index..<run])
                index = run
                continue
            }
            guard delimiter(at: index, last: 0x80) else {
                if delimiter(at: index, last: 0x81) { return nil }
                out.append(bytes[index])
                index += 1
                continue
            }
            // A marker: the fixed inner text (raw or escaped), one digit, the closing delimiter.
            let innerStart = index + 3
            let form: [UInt8]
            if bytes[innerStart...].starts(with: raw) {
                form = raw
            } else if bytes[innerStart...].starts(with: escaped) {
                form = escaped
            } else {
                return nil
            }
            let digitIndex = innerStart + form.count
            guard digitIndex < bytes.count, (0x30...0x39).contains(bytes[digitIndex]), delimiter(at: digitIndex + 1, last: 0x81) else { return nil }
            let value = Int(bytes[digitIndex] - 0x30)
            guard value < values.count else { return nil }
            out.append(contentsOf: (form == raw ? values[value] : escape(values[value])).utf8)
            index = digitIndex + 4
        }
        // A value with a delimiter of its own would leave one behind.
        for position in out.indices.dropLast(2) where out[position] == 0xEE && out[position + 1] == 0x80 && out[position + 2] & 0xFE == 0x80 {
            return nil
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension TemplateLibrary {
    /// A stencil for every recipient shaped like `context.recipient`, or `nil` when the template does
    /// not render for that shape (rendering in full then reports why).
    public func stencil(_ name: String, locale: String?, context: RenderContext, parts: Set<PartKind>? = nil) -> RenderStencil? {
        guard let template = try? template(named: name) else { return nil }
        let resolved = template.resolveLocale(locale ?? context.recipient.locale)
        let fields = RenderContext.recipientFields(of: context.recipient).enumerated().map { index, field in
            (name: field.name, value: field.value.isEmpty ? "" : RenderStencil.marker(index))
        }
        let members = context.members(
            locale: resolved, recipientFields: fields, now: RenderStencil.marker(fields.count),
            unsubscribeURL: context.unsubscribeURL.map { _ in RenderStencil.marker(fields.count + 1) }
        )
        guard let raw = try? rawParts(template, locale: resolved, members: members, parts: parts) else { return nil }
        return try? RenderStencil(template: name, locale: resolved, parts: raw)
    }
}

extension PartKind {
    /// How the part escapes an interpolated value: what Mustache's content type for it does.
    var escape: @Sendable (String) -> String {
        switch self {
        case .email, .sms: { $0 }
        case .emailHTML: HTMLEscaping.escape
        case .webhook: JSONStringContentType().escapeText
        }
    }
}

/// swift-mustache's HTML escaping (its `HTMLContentType` is not public): `<`, `>`, `&`, `"` and `'`.
public enum HTMLEscaping {
    /// `text` with HTML's special characters escaped.
    @Sendable public static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x3C || $0 == 0x3E || $0 == 0x26 || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for character in text {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
