import Foundation
import HeraldCore

/// Renders messages through `RenderStencil`s: one Mustache render per notice, locale, recipient shape
/// and set of parts, then a fill per message.
///
/// A new stencil is checked against a full render of the message that made it; if the two differ
/// (a template construct the stencil cannot reproduce), that key is rendered in full from then on.
/// A message whose stencil cannot be filled is rendered in full too, so the output is always exactly
/// what `TemplateLibrary.render` gives.
final class RenderStencilCache: Sendable {
    struct Key: Hashable, Sendable {
        var noticeID: String
        var locale: String?
        var shape: RecipientShape
        var parts: Set<PartKind>
        var hasUnsubscribeURL: Bool
    }

    private enum Entry: Sendable {
        case stencil(RenderStencil)
        /// Rendered in full: the stencil did not match, or the template does not render for this shape.
        case fullRender
    }

    private let templates: TemplateLibrary
    private let entries = BoundedCache<Key, Entry>(capacity: 1024)

    init(templates: TemplateLibrary) {
        self.templates = templates
    }

    /// The notice's parts for this message's recipient, exactly as `TemplateLibrary.render` renders them.
    func render(_ notice: Notice, context: RenderContext, parts: Set<PartKind>) throws(TemplateError) -> RenderedNotice {
        let key = Key(
            noticeID: notice.id, locale: notice.locale ?? context.recipient.locale, shape: RecipientShape(context.recipient), parts: parts,
            hasUnsubscribeURL: context.unsubscribeURL != nil
        )
        switch entries[key] {
        case .stencil(let stencil)?:
            if let rendered = stencil.render(for: context.recipient, now: context.now, unsubscribeURL: context.unsubscribeURL) { return rendered }
            return try templates.render(notice.template, locale: notice.locale, context: context, parts: parts)
        case .fullRender?:
            return try templates.render(notice.template, locale: notice.locale, context: context, parts: parts)
        case nil:
            let rendered = try templates.render(notice.template, locale: notice.locale, context: context, parts: parts)
            let stencil = templates.stencil(notice.template, locale: notice.locale, context: context, parts: parts)
            var entry = Entry.fullRender
            if let stencil, stencil.render(for: context.recipient, now: context.now, unsubscribeURL: context.unsubscribeURL) == rendered {
                entry = .stencil(stencil)
            }
            entries.insert(entry, for: key)
            return rendered
        }
    }
}
