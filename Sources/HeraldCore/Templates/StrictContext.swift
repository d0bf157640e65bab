import Foundation
import Mustache

/// The render context as a tree of nodes that notice every lookup that finds nothing,
/// so a variable a template uses and nobody gave is an error instead of an empty string.
///
/// Mustache looks a name up in each enclosing section object and then in the root, so a miss in a
/// section object only counts when the next lookup is not the same name climbing outward. A miss in
/// the root, or in the middle of a dotted name (`recipient.nmae`), always counts.
final class MissingVariableTracker {
    private var pending: String?
    private var pendingName: String?
    private(set) var missing: [String] = []
    /// Objects and lists a template interpolated as `{{name}}`: only strings, numbers and booleans can be.
    private(set) var nonScalar: [String] = []

    func willLookUp(_ name: String) {
        if let pendingPath = pending, pendingName != name { record(pendingPath) }
        pending = nil
        pendingName = nil
    }

    func missedInRoot(_ name: String) { record(name) }

    func interpolated(nonScalar path: String) {
        if !nonScalar.contains(path) { nonScalar.append(path) }
    }

    func missedInNode(path: String, name: String) {
        pending = path.isEmpty ? name : "\(path).\(name)"
        pendingName = name
    }

    /// Forgets everything, before the next render.
    func reset() {
        pending = nil
        pendingName = nil
        missing.removeAll()
        nonScalar.removeAll()
    }

    /// Call once rendering ended: a miss nobody climbed past is real.
    func finish() {
        if let pending { record(pending) }
        pending = nil
        pendingName = nil
    }

    private func record(_ path: String) {
        if !missing.contains(path) { missing.append(path) }
    }
}

/// An object in the render context that reports misses to a tracker, and being interpolated as text.
struct StrictNode: MustacheParent, MustacheCustomRenderable {
    let values: [String: Any]
    let path: String
    let isRoot: Bool
    let tracker: MissingVariableTracker

    func child(named name: String) -> Any? {
        tracker.willLookUp(name)
        if let value = values[name] { return value }
        if isRoot { tracker.missedInRoot(name) } else { tracker.missedInNode(path: path, name: name) }
        return nil
    }

    /// `{{service}}` where `service` is an object: an error, never `StrictNode(values: …)` in a subject.
    var renderText: String {
        tracker.interpolated(nonScalar: path)
        return ""
    }

    var isNull: Bool { false }

    /// Wraps a JSON-shaped value for rendering: objects become nodes, `null` renders empty and is falsy.
    static func wrap(_ value: TemplateValue, path: String, tracker: MissingVariableTracker) -> Any {
        switch value {
        case .string(let s): TemplateText(s)
        case .number: TemplateText(value.text)
        case .bool(let b): b
        case .null: NSNull()
        case .list(let items): StrictList(items: items.map { wrap($0, path: "\(path)[]", tracker: tracker) }, path: path, tracker: tracker)
        case .object(let members): node(members, path: path, tracker: tracker)
        }
    }

    static func node(_ members: [String: TemplateValue], path: String, tracker: MissingVariableTracker, isRoot: Bool = false) -> StrictNode {
        var values: [String: Any] = [:]
        values.reserveCapacity(members.count)
        for (key, value) in members {
            values[key] = wrap(value, path: path.isEmpty ? key : "\(path).\(key)", tracker: tracker)
        }
        return StrictNode(values: values, path: path, isRoot: isRoot, tracker: tracker)
    }
}

/// A string in the render context. Empty text is falsy, as in most Mustache implementations and as
/// the shipped templates expect (`{{#recipient.name}}…{{/recipient.name}}{{^recipient.name}}customer{{/recipient.name}}`);
/// a plain Swift `String` would open the section even when empty. Text has no members, so a name
/// looked up inside its section climbs straight to the enclosing objects.
struct TemplateText: MustacheParent, MustacheCustomRenderable, MustacheTransformable {
    let text: String

    init(_ text: String) { self.text = text }

    var renderText: String { text }
    var isNull: Bool { text.isEmpty }
    func child(named name: String) -> Any? { nil }
    /// `uppercased(…)`, `empty(…)` and the other string transforms.
    func transform(_ name: String) -> Any? { text.transform(name) }
}

/// A list in the render context: iterated by sections, an error when interpolated as `{{name}}`.
struct StrictList: MustacheSequence, MustacheCustomRenderable, MustacheTransformable {
    let items: [Any]
    let path: String
    let tracker: MissingVariableTracker

    func makeIterator() -> IndexingIterator<[Any]> { items.makeIterator() }

    var renderText: String {
        tracker.interpolated(nonScalar: path)
        return ""
    }

    var isNull: Bool { false }

    /// `first(…)`, `count(…)`, `empty(…)` and the other list transforms.
    func transform(_ name: String) -> Any? { items.transform(name) }
}
