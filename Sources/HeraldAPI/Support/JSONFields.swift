import HeraldCore

/// A JSON object read field by field: a field of the wrong type is a 422 naming its pointer, a
/// missing required field likewise, and so is a field the object does not have (a misspelt
/// `collapse_key` must not be dropped silently); `null` counts as absent.
struct JSONFields {
    let members: [String: TemplateValue]
    /// The object's own pointer: `""` for the body, `/to` for a nested object.
    let pointer: String

    /// - Parameter allowed: the object's field names; `nil` for a free-form object such as `vars`.
    init(_ value: TemplateValue, at pointer: String, allowed: Set<String>?) throws(Problem) {
        guard case .object(let members) = value else { throw Problem.invalid(pointer.isEmpty ? "/" : pointer, "expected a JSON object") }
        if let allowed {
            let unknown = members.keys.filter { !allowed.contains($0) }.sorted()
            if !unknown.isEmpty {
                let expected = "unknown field (expected one of: \(allowed.sorted().joined(separator: ", ")))"
                var problem = Problem.invalid("\(pointer)/\(unknown[0])", expected)
                problem.errors = unknown.map { Problem.FieldError(pointer: "\(pointer)/\($0)", detail: expected) }
                throw problem
            }
        }
        self.members = members
        self.pointer = pointer
    }

    /// `/vars` for `vars` of the body.
    func pointer(to key: String) -> String { "\(pointer)/\(key)" }

    /// The field's value, `nil` when it is absent or null.
    func value(_ key: String) -> TemplateValue? {
        guard let value = members[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) throws(Problem) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw Problem.invalid(pointer(to: key), "expected a string") }
        return text
    }

    func requiredString(_ key: String) throws(Problem) -> String {
        guard let text = try string(key) else { throw Problem.invalid(pointer(to: key), "'\(key)' is required") }
        return text
    }

    func bool(_ key: String) throws(Problem) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw Problem.invalid(pointer(to: key), "expected true or false") }
        return flag
    }

    /// - Parameter allowed: the nested object's field names; `nil` for a free-form object.
    func object(_ key: String, allowed: Set<String>?) throws(Problem) -> JSONFields? {
        guard let value = value(key) else { return nil }
        return try JSONFields(value, at: pointer(to: key), allowed: allowed)
    }

    func requiredObject(_ key: String, allowed: Set<String>?) throws(Problem) -> JSONFields {
        guard let object = try object(key, allowed: allowed) else { throw Problem.invalid(pointer(to: key), "'\(key)' is required") }
        return object
    }

    func list(_ key: String) throws(Problem) -> [TemplateValue]? {
        guard let value = value(key) else { return nil }
        guard case .list(let items) = value else { throw Problem.invalid(pointer(to: key), "expected an array") }
        return items
    }

    /// A string naming one of `Value`'s cases.
    func choice<Value: RawRepresentable & CaseIterable>(_ key: String, of type: Value.Type) throws(Problem) -> Value? where Value.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let choice = Value(rawValue: text) else {
            let names = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw Problem.invalid(pointer(to: key), "expected one of \(names), got '\(text)'")
        }
        return choice
    }
}
