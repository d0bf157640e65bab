import Foundation
import HeraldCore
import Testing

/// A stencil renders exactly what a full render does, or declines (`nil`) so the caller renders in full.
@Suite("Render stencils")
struct RenderStencilTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    /// Names, ids and contacts that escaping, trimming and line handling could get wrong.
    static let names = [
        "Kim", "  padded  ", "<b>Tom & \"Jerry\" 'O'</b>", "line\nbreak", "back\\slash \"q\" {{service}}", "김하늘", "🚒 Fire", "a\u{2028}b",
    ]

    func recipient(_ index: Int, name: String, locale: String = "en") -> Recipient {
        Recipient(
            id: "u\(index)&<\"", name: name, locale: locale,
            contacts: ContactPoints(email: "u\(index)@example.com", phone: "+8210123\(index)", webhook: "https://h.example/\(index)?a=1&b=\"2\"")
        )
    }

    func context(_ vars: [String: TemplateValue], _ recipient: Recipient, now: Date = now) -> RenderContext {
        RenderContext(vars: vars, recipient: recipient, noticeID: "bc_1", now: now)
    }

    @Test func everyShippedTemplateFillsExactlyAsItRendersForAnyRecipientOfTheShape() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let library = try TemplateLibrary(folder: root.appendingPathComponent("Templates").path)
        for template in library.templates.values {
            for locale in template.locales {
                let first = recipient(0, name: "First", locale: locale)
                let stencil = try #require(library.stencil(template.name, locale: nil, context: context(template.example, first)))
                for (index, name) in Self.names.enumerated() {
                    let other = recipient(index + 1, name: name, locale: locale)
                    let later = Self.now + Double(index * 61)
                    let expected = try library.render(template.name, locale: nil, context: context(template.example, other, now: later))
                    #expect(stencil.render(for: other, now: later) == expected, "\(template.name).\(locale) for \(name.debugDescription)")
                }
            }
        }
    }

    @Test func escapedRawAndTransformedFieldsAreFilledOrDeclined() throws {
        let (library, _) = try TemplateTests().library([
            "email.en.mustache": "---\nsubject: \"For {{recipient.name}}\"\n---\n{{recipient.name}}\n",
            "email.html.en.mustache": "<p>{{recipient.name}} / {{{recipient.name}}} at {{now}}</p>",
            "webhook.en.mustache": #"{"who": "{{recipient.name}}", "id": "{{recipient.id}}"}"#,
            "sms.en.mustache": "{{#recipient.email}}mail {{recipient.email}}{{/recipient.email}}{{^recipient.phone}} no phone{{/recipient.phone}}",
        ])
        let first = recipient(0, name: "First")
        let stencil = try #require(library.stencil("notice", locale: nil, context: context(["service": "m"], first)))
        for (index, name) in Self.names.enumerated() {
            let other = recipient(index + 1, name: name)
            #expect(stencil.render(for: other, now: Self.now) == (try library.render("notice", locale: nil, context: context(["service": "m"], other))))
        }
        let (shouting, _) = try TemplateTests().library(["sms.en.mustache": "Hello {{uppercased(recipient.name)}}"])
        let declined = try #require(shouting.stencil("notice", locale: nil, context: context(["service": "m"], first)))
        #expect(declined.render(for: recipient(1, name: "Kim"), now: Self.now) == nil, "a transformed marker is not filled")
        #expect(stencil.render(for: recipient(1, name: "private \u{E000} use"), now: Self.now) == nil, "a value with the marker's delimiter")
    }

    @Test func aTemplateThatDoesNotRenderForTheShapeHasNoStencil() throws {
        let (library, _) = try TemplateTests().library(["sms.en.mustache": "{{#recipient.name}}{{eta}}{{/recipient.name}}ok"])
        #expect(library.stencil("notice", locale: nil, context: context(["service": "m"], recipient(0, name: ""))) != nil)
        #expect(library.stencil("notice", locale: nil, context: context(["service": "m"], recipient(0, name: "Kim"))) == nil)
    }
}
