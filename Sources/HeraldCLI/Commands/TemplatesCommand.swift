import ArgumentParser
import Foundation
import HeraldCore

/// `herald templates list | check | render NAME --channel KIND`
struct TemplatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "templates", abstract: "List, check and preview templates.",
        subcommands: [List.self, Check.self, Render.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Templates with their locales and parts.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let runtime = try HeraldRuntime(options: global)
            for template in runtime.templates.templates.values.sorted(by: { $0.name < $1.name }) {
                let locales = template.locales.map { "\($0) (\(template.partKinds(in: $0).map(\.rawValue).joined(separator: ", ")))" }
                print("\(template.name)\t\(template.description)\t\(locales.joined(separator: "; "))")
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Render every part of every locale with the template's example variables.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let runtime = try HeraldRuntime(options: global)
            let problems = TemplateChecker.check(runtime.templates, smsLimits: TemplateChecker.smsLimits(runtime.configuration))
            for problem in problems { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
            guard problems.isEmpty else { throw ExitCode(1) }
            print("\(runtime.templates.names.count) templates ok")
        }
    }

    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Preview one template for one channel kind with its example variables.")
        @OptionGroup var global: GlobalOptions
        @Argument var name: String
        @Option(help: "smtp, sms, webhook or outbox.") var channel: ChannelKind
        @Option var locale: String?
        @Option(name: .customLong("var"), help: ArgumentHelp("Overrides an example variable.", valueName: "K=V")) var vars: [String] = []

        func run() async throws {
            let runtime = try HeraldRuntime(options: global)
            let template = try runtime.templates.template(named: name)
            var values = template.example
            try NoticeOptions.assign(vars, to: &values)
            let recipient = TemplateChecker.sampleRecipient(locale: locale)
            let rendered = try runtime.templates.render(
                name, locale: locale, context: RenderContext(vars: values, recipient: recipient, noticeID: "bc_preview", now: Date()),
                parts: TemplateChecker.parts(for: channel)
            )
            if let subject = rendered.subject { print("Subject: \(subject)\n") }
            for text in [rendered.text, rendered.html, rendered.sms].compactMap({ $0 }) { print(text) }
            if let webhook = rendered.webhook {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                print(String(decoding: try encoder.encode(webhook), as: UTF8.self))
            }
        }
    }
}

extension ChannelKind: ExpressibleByArgument {}

/// `templates check`: every template, every locale, every part, rendered with its example variables.
enum TemplateChecker {
    /// Each SMS channel's `max_segments`; with none configured, the default of 2 still keeps shipped texts short.
    static func smsLimits(_ configuration: HeraldConfiguration) -> [(channel: String, maxSegments: Int)] {
        let limits = configuration.channels.compactMap { channel -> (String, Int)? in
            guard case .sms(let sms) = channel.transport else { return nil }
            return (channel.name, sms.maxSegments)
        }
        return limits.isEmpty ? [("sms (default)", 2)] : limits
    }

    static func check(_ library: TemplateLibrary, smsLimits: [(channel: String, maxSegments: Int)]) -> [String] {
        var problems: [String] = []
        for template in library.templates.values.sorted(by: { $0.name < $1.name }) {
            for variable in template.requiredVariables where template.example[variable] == nil {
                problems.append("template '\(template.name)': example has no value for required variable '\(variable)'")
            }
            for locale in template.locales {
                let context = RenderContext(vars: template.example, recipient: sampleRecipient(locale: locale), noticeID: "bc_check", now: Date())
                do {
                    let rendered = try library.render(template.name, locale: locale, context: context)
                    guard let sms = rendered.sms else { continue }
                    let count = SMSSegments(sms)
                    for limit in smsLimits {
                        guard let overrun = count.overrun(maxSegments: limit.maxSegments) else { continue }
                        problems.append(
                            "template '\(template.name)', part 'sms', locale '\(locale)': with the example variables the text \(overrun) of channel '\(limit.channel)'"
                        )
                    }
                } catch {
                    problems.append("\(error)")
                }
            }
        }
        return problems
    }

    static func sampleRecipient(locale: String?) -> Recipient {
        Recipient(
            id: "u-sample", name: locale == "ko" ? "김하늘" : "Alex Kim", locale: locale,
            contacts: ContactPoints(email: "alex@example.com", phone: "+15550100100", webhook: "https://example.com/hook")
        )
    }

    static func parts(for kind: ChannelKind) -> Set<PartKind> {
        switch kind {
        case .smtp: [.email, .emailHTML]
        case .sms: [.sms]
        case .webhook: [.email, .emailHTML, .sms, .webhook]
        case .outbox: Set(PartKind.allCases)
        }
    }
}
