/// A template problem, naming the template, part, locale and variable (or file and line) it is about.
public enum TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No template with this name in the templates folder.
    case unknownTemplate(String, known: [String])
    /// A part uses variables the caller did not give (all of them, in the order the part uses them).
    case missingVariable(template: String, part: String, locale: String, variables: [String])
    /// A part interpolates an object or a list as `{{name}}`; those can only open sections.
    case notAValue(template: String, part: String, locale: String, variable: String)
    /// `template.yaml` requires variables the caller did not give (all of them).
    case missingRequiredVariable(template: String, variables: [String])
    /// A caller variable uses a name Herald provides itself (`recipient`, `incident`, `broadcast`, `now`).
    case reservedVariable(template: String, variable: String)
    /// A template file cannot be used (`column` when the parser knows where).
    case invalidFile(path: String, line: Int?, column: Int? = nil, reason: String)
    /// The webhook part did not render to a JSON object.
    case invalidWebhookJSON(template: String, locale: String, reason: String)
    /// The template has no part that the channel can send.
    case missingPart(template: String, locale: String, part: String)

    public var description: String {
        switch self {
        case .unknownTemplate(let name, let known):
            "unknown template '\(name)' (available: \(known.joined(separator: ", ")))"
        case .missingVariable(let template, let part, let locale, let variables):
            "template '\(template)', part '\(part)', locale '\(locale)': \(Self.list(variables)) used but \(variables.count == 1 ? "was" : "were") not given"
        case .notAValue(let template, let part, let locale, let variable):
            "template '\(template)', part '\(part)', locale '\(locale)': variable '\(variable)' is an object or a list; {{\(variable)}} needs a string, number or boolean"
        case .missingRequiredVariable(let template, let variables):
            "template '\(template)': required \(Self.names(variables)) \(variables.count == 1 ? "was" : "were") not given"
        case .reservedVariable(let template, let variable):
            "template '\(template)': variable '\(variable)' is reserved (Herald provides recipient, incident, broadcast and now)"
        case .invalidFile(let path, let line, let column, let reason):
            "\(path)\(line.map { ":\($0)" } ?? "")\(column.map { ":\($0)" } ?? ""): \(reason)"
        case .invalidWebhookJSON(let template, let locale, let reason):
            "template '\(template)', part 'webhook', locale '\(locale)': did not render a JSON object (\(reason))"
        case .missingPart(let template, let locale, let part):
            "template '\(template)', locale '\(locale)': has no '\(part)' part"
        }
    }

    /// `variable 'a' is` or `variables 'a', 'b' are`.
    private static func list(_ variables: [String]) -> String {
        names(variables) + (variables.count == 1 ? " is" : " are")
    }

    /// `variable 'a'` or `variables 'a', 'b'`.
    private static func names(_ variables: [String]) -> String {
        (variables.count == 1 ? "variable " : "variables ") + variables.map { "'\($0)'" }.joined(separator: ", ")
    }
}
