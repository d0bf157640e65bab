import HeraldCore

/// A JSON object read field by field: a field of the wrong type is a 422 naming its pointer, a
/// missing required field likewise; `null` counts as absent. Unknown fields are ignored.
struct JSONFields {
    let members: [String: TemplateValue]
    /// The object's own pointer: `""` for the body, `/to` for a nested object.
    let pointer: String

    init(_ value: TemplateValue, at pointer: String) throws(Problem) {
        guard case .object(let members) = value else { throw Problem.invalid(pointer.isEmpty ? "/" : pointer, "expected a JSON object") }
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

    func object(_ key: String) throws(Problem) -> JSONFields? {
        guard let value = value(key) else { return nil }
        return try JSONFields(value, at: pointer(to: key))
    }

    func requiredObject(_ key: String) throws(Problem) -> JSONFields {
        guard let object = try object(key) else { throw Problem.invalid(pointer(to: key), "'\(key)' is required") }
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
