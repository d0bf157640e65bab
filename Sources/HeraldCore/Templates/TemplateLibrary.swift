import Foundation
import Mustache
import Yams

/// All templates of a templates folder, compiled once and validated as they load.
///
/// ```swift
/// let library = try TemplateLibrary(folder: "Templates")
/// let notice = try library.render("outage-apology", context: context)
/// ```
public struct TemplateLibrary: Sendable {
    public private(set) var templates: [String: NoticeTemplate]

    /// Template names, sorted.
    public var names: [String] { templates.keys.sorted() }

    public init(templates: [NoticeTemplate]) {
        self.templates = Dictionary(templates.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Loads every `<folder>/<name>/template.yaml` with its part files.
    /// - Throws: `TemplateError.invalidFile` naming the file (and line) that cannot be used.
    public init(folder: String) throws(TemplateError) {
        _ = JSONStringContentType.registered
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .invalidFile(path: folder, line: nil, reason: "templates folder not found")
        }
        let entries = ((try? manager.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        var loaded: [NoticeTemplate] = []
        for entry in entries where manager.fileExists(atPath: "\(folder)/\(entry)/template.yaml") {
            loaded.append(try TemplateLoader.load(folder: "\(folder)/\(entry)", name: entry))
        }
        self.init(templates: loaded)
    }

    /// The template with this name.
    public func template(named name: String) throws(TemplateError) -> NoticeTemplate {
        guard let template = templates[name] else { throw .unknownTemplate(name, known: names) }
        return template
    }
}

/// Reads one template folder.
enum TemplateLoader {
    /// A `category:` value: a lower-case word such as `essential`, `updates` or `digest`.
    static func category(_ node: ConfigNode) throws(ConfigurationError) -> String {
        let name = try node.nonEmptyString()
        guard name.count <= 32, name.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
            throw node.error("expected a lower-case word such as essential or updates, got '\(name)'")
        }
        return name
    }

    static func load(folder: String, name: String) throws(TemplateError) -> NoticeTemplate {
        let definitionPath = "\(folder)/template.yaml"
        var template = NoticeTemplate(name: name, description: "", defaultLocale: "en", requiredVariables: [], example: [:], parts: [:])
        do {
            let text = try String(contentsOfFile: definitionPath, encoding: .utf8)
            guard let node = try Yams.compose(yaml: text) else { throw TemplateError.invalidFile(path: definitionPath, line: nil, reason: "empty file") }
            let root = ConfigNode(node: node, path: "", file: definitionPath, environment: [:])
            for (key, value) in try root.mapping(allowed: ["description", "default_locale", "variables", "example", "category"]) {
                switch key {
                case "description": template.description = try value.string()
                case "category": template.category = try category(value)
                case "default_locale": template.defaultLocale = try value.nonEmptyString()
                case "variables": template.requiredVariables = try value.stringList()
                default: template.example = try YAMLValue.object(value)
                }
            }
        } catch let error as TemplateError {
            throw error
        } catch let error as ConfigurationError {
            throw .invalidFile(path: definitionPath, line: error.line, reason: error.keyPath.isEmpty ? error.reason : "\(error.keyPath): \(error.reason)")
        } catch {
            throw .invalidFile(path: definitionPath, line: nil, reason: "\(error)")
        }

        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".mustache") }.sorted()
        for file in files {
            let part = try compilePart(path: "\(folder)/\(file)", fileName: file)
            template.parts[part.locale, default: [:]][part.kind] = part
        }
        guard !template.parts.isEmpty else { throw .invalidFile(path: folder, line: nil, reason: "template has no <part>.<locale>.mustache files") }
        for (locale, parts) in template.parts where parts[.emailHTML] != nil && parts[.email] == nil {
            throw .invalidFile(path: "\(folder)/email.html.\(locale).mustache", line: nil, reason: "an HTML part needs a plain-text email part beside it")
        }
        return template
    }

    /// `email.html.ko.mustache` → part `email.html`, locale `ko`.
    static func compilePart(path: String, fileName: String) throws(TemplateError) -> CompiledPart {
        var components = fileName.split(separator: ".").map(String.init)
        components.removeLast()  // mustache
        guard components.count >= 2, let locale = components.popLast(),
            let kind = PartKind(rawValue: components.joined(separator: "."))
        else {
            throw .invalidFile(
                path: path, line: nil,
                reason: "expected <part>.<locale>.mustache with part one of \(PartKind.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .invalidFile(path: path, line: nil, reason: "cannot read the file") }
        var body = text
        var bodyLine = 1
        var subject: MustacheTemplate?
        if kind == .email {
            let split = try splitFrontMatter(text, path: path)
            body = split.body
            bodyLine = split.bodyLine
            subject = try compile(split.subject, kind: kind, path: path, firstLine: split.subjectLine)
        }
        let compiled = try compile(body, kind: kind, path: path, firstLine: bodyLine)
        return CompiledPart(kind: kind, locale: locale, path: path, body: compiled, subject: subject)
    }

    /// Splits `---\nsubject: "..."\n---\nbody` into the subject template text and the body.
    /// - Returns: the texts, with the file lines the subject and the body are on.
    static func splitFrontMatter(_ text: String, path: String) throws(TemplateError) -> (subject: String, subjectLine: Int, body: String, bodyLine: Int) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---",
            let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" })
        else {
            throw .invalidFile(path: path, line: 1, reason: "an email part starts with front matter: ---, subject: \"...\", ---")
        }
        let yaml = lines[1..<end].joined(separator: "\n")
        let node: Node?
        do { node = try Yams.compose(yaml: yaml) } catch { throw .invalidFile(path: path, line: 2, reason: "front matter is not valid YAML") }
        guard case .mapping(let mapping)? = node else { throw .invalidFile(path: path, line: 2, reason: "front matter needs subject:") }
        var subject: String?
        var subjectLine = 2
        for (key, value) in mapping {
            guard key.string == "subject" else {
                throw .invalidFile(path: path, line: (key.mark?.line ?? 0) + 1, reason: "unknown front matter key '\(key.string ?? "")' (expected subject)")
            }
            subject = value.string
            subjectLine = (key.mark?.line ?? 1) + 1
        }
        guard let subject, !subject.isEmpty else { throw .invalidFile(path: path, line: 2, reason: "front matter needs a non-empty subject:") }
        return (subject, subjectLine, lines[(end + 1)...].joined(separator: "\n"), end + 2)
    }

    /// - Parameter firstLine: the file line `text` starts on, so errors name `file:line:column` in the file.
    static func compile(_ text: String, kind: PartKind, path: String, firstLine: Int) throws(TemplateError) -> MustacheTemplate {
        let pragma = kind.contentTypePragma
        do {
            return try MustacheTemplate(string: pragma + text)
        } catch let error as MustacheTemplate.ParserError {
            // The content-type pragma is prepended to the first line: columns there are counted without it.
            let line = error.context.lineNumber
            let column = line == 1 ? max(1, error.context.columnNumber - pragma.count) : error.context.columnNumber
            throw .invalidFile(path: path, line: firstLine + line - 1, column: column, reason: "not valid Mustache: \(Self.describe(error.error))")
        } catch {
            throw .invalidFile(path: path, line: firstLine, reason: "not valid Mustache")
        }
    }

    /// The parser's complaint in words.
    private static func describe(_ error: any Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect: "a section is closed with a different name than it was opened with"
        case .unfinishedName: "a tag is not closed with }}"
        case .expectedSectionEnd: "a section is opened but never closed ({{/name}})"
        case .invalidSetDelimiter: "a set-delimiter tag is malformed"
        case .invalidConfigVariableSyntax, .unrecognisedConfigVariable: "a {{% … }} pragma is not one Mustache knows"
        case .transformAppliedToInheritanceSection, .illegalTokenInsideInheritSection, .textInsideInheritSection: "an inheritance section is malformed"
        case nil: "the template cannot be parsed here (a tag left open?)"
        }
    }
}

/// Converts YAML values (template examples, `--vars` files) into `TemplateValue`s.
enum YAMLValue {
    static func object(_ node: ConfigNode) throws(ConfigurationError) -> [String: TemplateValue] {
        var members: [String: TemplateValue] = [:]
        for (key, value) in try node.mapping(allowed: nil) { members[key] = try self.value(value) }
        return members
    }

    static func value(_ node: ConfigNode) throws(ConfigurationError) -> TemplateValue {
        switch node.node {
        case .mapping: return .object(try object(node))
        case .sequence:
            var items: [TemplateValue] = []
            for item in try node.sequence() { items.append(try value(item)) }
            return .list(items)
        case .scalar(let scalar):
            if scalar.style != .plain { return .string(scalar.string) }
            if node.isNull { return .null }
            if let bool = Bool.construct(from: scalar) { return .bool(bool) }
            if let int = Int.construct(from: scalar) { return .number(Double(int)) }
            if let double = Double.construct(from: scalar) { return .number(double) }
            return .string(scalar.string)
        case .alias:
            throw node.error("YAML aliases are not supported here")
        }
    }
}
