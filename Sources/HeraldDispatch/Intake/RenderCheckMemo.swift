import HeraldCore

/// The strict renders that have passed, so that a call repeated with other recipients is not rendered
/// again just to be checked.
///
/// Whether a strict render passes depends on the template, the locale, the caller's variables, the
/// incident and — through sections such as `{{#recipient.name}}…{{/recipient.name}}`, empty text being
/// falsy — on which recipient fields are empty, never on what a non-empty field says. That is the key.
/// (What a field says does matter to an SMS text's length, so that is still checked for every single send.)
///
/// Shared by every request of one `NoticeIntake`; bounded, and emptied when full.
final class RenderCheckMemo: Sendable {
    struct Key: Hashable, Sendable {
        var template: String
        var locale: String
        var vars: [String: TemplateValue]
        var incident: TemplateValue?
        var shape: RecipientShape
    }

    private let passed = BoundedCache<Key, Void>(capacity: 4096)

    func contains(_ key: Key) -> Bool {
        passed[key] != nil
    }

    func insert(_ key: Key) {
        passed.insert((), for: key)
    }
}
