import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch

/// The options `send` and `broadcast` share: variables, route, priority, collapse key, expiry.
struct NoticeOptions: ParsableArguments {
    @Option(name: .customLong("var"), help: ArgumentHelp("A template variable.", valueName: "K=V"))
    var vars: [String] = []

    @Option(name: .customLong("vars"), help: ArgumentHelp("A JSON object of template variables.", valueName: "FILE.json"))
    var varsFile: String?

    @Option(help: "Render every message in this locale instead of each recipient's.")
    var locale: String?

    @Option(help: ArgumentHelp("A route name or channel names in order.", valueName: "a,b"))
    var route: String?

    @Option(help: "low, normal, high or critical.")
    var priority: Priority = .normal

    @Option(name: .customLong("collapse-key"), help: "A newer notice with the same key replaces an undelivered older one per recipient.")
    var collapseKey: String?

    @Option(name: .customLong("expires-in"), help: ArgumentHelp("Give up on undelivered messages after this long (e.g. 6h).", valueName: "D"))
    var expiresIn: String?

    func validate() throws {
        var values: [String: TemplateValue] = [:]
        try Self.assign(vars, to: &values)
        _ = try lifetime()
    }

    private func lifetime() throws -> Duration? {
        guard let expiresIn else { return nil }
        guard let parsed = DurationParser.duration(expiresIn) else { throw ValidationError("--expires-in expects a duration such as 30m or 6h, got '\(expiresIn)'") }
        return parsed
    }

    /// The request these options describe.
    /// - Throws: `CommandFailure` for a `--vars` file that cannot be read or is not a JSON object.
    func request(template: String) throws -> NoticeRequest {
        var values: [String: TemplateValue] = [:]
        if let varsFile {
            guard let data = FileManager.default.contents(atPath: varsFile) else { throw CommandFailure("--vars: cannot read \(varsFile)") }
            let parsed: TemplateValue
            do { parsed = try JSONReader.parse(Array(data)) } catch { throw CommandFailure("--vars: \(varsFile) is not valid JSON: \(error)") }
            guard let object = parsed.objectValue else { throw CommandFailure("--vars: \(varsFile) is not a JSON object") }
            values = object
        }
        try Self.assign(vars, to: &values)
        let lifetime = try lifetime()
        return NoticeRequest(
            template: template, vars: values, locale: locale,
            route: route.map(NoticeRequest.route), priority: priority,
            collapseKey: collapseKey, expiresIn: lifetime
        )
    }
}

extension NoticeOptions {
    /// Applies `--var KEY=VALUE` pairs on top of `values`.
    static func assign(_ pairs: [String], to values: inout [String: TemplateValue]) throws {
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw ValidationError("--var expects KEY=VALUE, got '\(pair)'")
            }
            values[String(pair[..<equals])] = .string(String(pair[pair.index(after: equals)...]))
        }
    }
}

extension Priority: ExpressibleByArgument {}
extension MessageState: ExpressibleByArgument {}
