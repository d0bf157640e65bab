import HeraldCore
import Synchronization

/// The strict renders that have passed, so that a call repeated with other recipients is not rendered
/// again just to be checked.
///
/// Whether a strict render passes depends on the template, the locale, the caller's variables, the
/// incident and — through sections such as `{{^empty(recipient.name)}}…{{/empty(recipient.name)}}` —
/// on which recipient fields are empty, never on what a non-empty field says (every string, even an
/// empty one, opens a plain section). That is the key. (What a field says does
/// matter to an SMS text's length, so that is still checked for every single send.)
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

    private let passed = Mutex<Set<Key>>([])
    private let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    func contains(_ key: Key) -> Bool {
        passed.withLock { $0.contains(key) }
    }

    func insert(_ key: Key) {
        passed.withLock { passed in
            if passed.count >= capacity { passed.removeAll(keepingCapacity: true) }
            passed.insert(key)
        }
    }
}
