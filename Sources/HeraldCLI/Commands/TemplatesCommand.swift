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
        @Flag(help: "Print one JSON object per template.") var json = false

        /// One template as `--json` prints it.
        struct Line: Encodable {
            var name, description: String
            var variables: [String]
            /// Locale → part names.
            var locales: [String: [String]]
        }

        func run() async throws {
            let runtime = try HeraldRuntime(options: global)
            for template in runtime.templates.templates.values.sorted(by: { $0.name < $1.name }) {
                if json {
                    let locales = Dictionary(uniqueKeysWithValues: template.locales.map { ($0, template.partKinds(in: $0).map(\.rawValue)) })
                    try JSONOutput.print(Line(name: template.name, description: template.description, variables: template.requiredVariables, locales: locales))
                } else {
                    let locales = template.locales.map { "\($0) (\(template.partKinds(in: $0).map(\.rawValue).joined(separator: ", ")))" }
                    print("\(template.name)\t\(template.description)\t\(locales.joined(separator: "; "))")
                }
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Render every part of every locale with the template's example variables.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let runtime = try HeraldRuntime(options: global)
            let problems = runtime.templates.problems(for: runtime.configuration)
            for problem in problems { FileHandle.standardError.write(Data("\(problem)\n".utf8)) }
            guard problems.isEmpty else { throw ExitCode(1) }
            print("\(runtime.templates.names.count) templates ok")
        }
    }

    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Preview one template as a channel would send it, with the template's example variables.",
            discussion: "Each part is labelled; SMS texts show their segments and encoding; webhooks show the JSON body as it would be posted."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Template name, e.g. outage-apology.") var name: String
        @Option(help: ArgumentHelp("A channel kind (email, sms, webhook, outbox) or a configured channel's name.", valueName: "CHANNEL"))
        var channel: ChannelChoice
        @Option(help: "Render this locale (default: the template's default locale).") var locale: String?
        @Option(name: .customLong("var"), help: ArgumentHelp("Overrides an example variable.", valueName: "K=V")) var vars: [String] = []

        func validate() throws {
            var values: [String: TemplateValue] = [:]
            try NoticeOptions.assign(vars, to: &values)
        }

        func run() async throws {
            let runtime = try HeraldRuntime(options: global)
            let (kind, configured) = try channel.resolve(in: runtime.configuration)
            let template = try runtime.templates.template(named: name)
            var values = template.example
            try NoticeOptions.assign(vars, to: &values)
            let recipient = Recipient.sample(locale: locale)
            let now = runtime.clock.now()
            let rendered = try runtime.templates.render(
                name, locale: locale, context: RenderContext(vars: values, recipient: recipient, noticeID: "bc_preview", now: now), parts: kind.parts
            )
            let delivery = Delivery(
                messageID: "msg_preview", recipient: recipient, rendered: rendered, vars: values, noticeID: "bc_preview", broadcastID: "bc_preview",
                incidentID: nil, attemptedAt: now
            )
            var maxSegments: Int?
            if case .sms(let sms) = configured?.transport { maxSegments = sms.maxSegments }
            print(NoticePreview.text(of: delivery, kind: kind, maxSegments: maxSegments), terminator: "")
        }
    }
}

