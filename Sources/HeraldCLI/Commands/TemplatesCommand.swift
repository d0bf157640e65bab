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
            let problems = runtime.templates.problems(channels: runtime.configuration.channels)
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
            let rendered = try runtime.templates.render(
                name, locale: locale, context: RenderContext(vars: values, recipient: .sample(locale: locale), noticeID: "bc_preview", now: Date()),
                parts: channel.parts
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
