import Foundation
import Yams

/// A YAML node that knows its key path, file and line, so every error it raises names them.
/// String scalars have `${VAR}` replaced from the environment as they are read.
struct ConfigNode {
    let node: Node
    let path: String
    let file: String
    let environment: [String: String]

    func error(_ reason: String) -> ConfigurationError {
        ConfigurationError(file: file, line: node.mark?.line, keyPath: path, reason: reason)
    }

    private func child(_ key: String, _ node: Node) -> ConfigNode {
        ConfigNode(node: node, path: path.isEmpty ? key : "\(path).\(key)", file: file, environment: environment)
    }

    /// The members of a mapping, refusing keys outside `allowed` (pass `nil` to allow any key, as for channel names).
    func mapping(allowed: Set<String>?) throws(ConfigurationError) -> [(key: String, value: ConfigNode)] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping") }
        var members: [(key: String, value: ConfigNode)] = []
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.scalar?.string else { throw error("keys must be strings") }
            let member = child(key, valueNode)
            if let allowed, !allowed.contains(key) {
                throw member.error("unknown key (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
            if members.contains(where: { $0.key == key }) { throw member.error("duplicate key") }
            members.append((key, member))
        }
        return members
    }

    /// The member `key` of a mapping, when there is one.
    func member(_ key: String) -> ConfigNode? {
        (try? mapping(allowed: nil))?.first { $0.key == key }?.value
    }

    /// The items of a sequence.
    func sequence() throws(ConfigurationError) -> [ConfigNode] {
        guard case .sequence(let sequence) = node else { throw error("expected a list") }
        return sequence.enumerated().map { index, item in
            ConfigNode(node: item, path: "\(path)[\(index)]", file: file, environment: environment)
        }
    }

    var isNull: Bool {
        if case .scalar(let scalar) = node { return scalar.style == .plain && ["", "~", "null"].contains(scalar.string) }
        return false
    }

    /// A scalar as text, with `${VAR}` interpolated.
    func string() throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a single value") }
        return try interpolate(scalar.string)
    }

    func nonEmptyString() throws(ConfigurationError) -> String {
        let value = try string()
        guard !value.isEmpty else { throw error("must not be empty") }
        return value
    }

    func int(in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        let text = try string()
        guard let value = Int(text) else { throw error("expected a whole number, got '\(text)'") }
        guard range.contains(value) else { throw error("must be between \(range.lowerBound) and \(range.upperBound), got \(value)") }
        return value
    }

    func bool() throws(ConfigurationError) -> Bool {
        switch try string() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        case let other: throw error("expected true or false, got '\(other)'")
        }
    }

    func duration() throws(ConfigurationError) -> Duration {
        let text = try string()
        guard let value = DurationParser.duration(text) else {
            throw error("expected a duration such as 250ms, 5s, 1m, 2h or 1d, got '\(text)'")
        }
        return value
    }

    func rate() throws(ConfigurationError) -> Rate {
        let text = try string()
        guard let value = DurationParser.rate(text) else { throw error("expected a rate such as 200/s, 50/m or 10/h, got '\(text)'") }
        return value
    }

    func oneOf<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws(ConfigurationError) -> T where T.RawValue == String {
        let text = try string()
        guard let value = T(rawValue: text) else {
            throw error("expected one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
        }
        return value
    }

    func stringList() throws(ConfigurationError) -> [String] {
        var values: [String] = []
        for item in try sequence() { values.append(try item.nonEmptyString()) }
        return values
    }

    func url() throws(ConfigurationError) -> URL {
        let text = try nonEmptyString()
        do {
            return try HTTPDestination(text).url
        } catch {
            throw self.error("expected an http or https URL: \(error.description)")
        }
    }

    /// Replaces `${NAME}` (or `${NAME:-default}`) with the environment's value; a variable that is
    /// not set and has no default is an error naming it.
    private func interpolate(_ text: String) throws(ConfigurationError) -> String {
        guard text.contains("${") else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { throw error("unterminated ${ in value") }
            let expression = rest[start.upperBound..<end]
            let name: Substring
            var fallback: Substring?
            if let separator = expression.range(of: ":-") {
                name = expression[..<separator.lowerBound]
                fallback = expression[separator.upperBound...]
            } else {
                name = expression
            }
            guard let value = environment[String(name)].flatMap({ $0.isEmpty ? nil : $0 }) ?? fallback.map(String.init) else {
                throw error("environment variable \(name) is not set")
            }
            result += value
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }
}
