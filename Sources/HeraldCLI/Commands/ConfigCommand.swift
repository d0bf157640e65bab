import ArgumentParser
import Foundation
import HeraldCore

/// `herald config check`: the config file and the templates it names, every problem listed.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check the configuration.", subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read the config file and its templates, render every template part, and list every problem found; exit 0 when there is none."
        )
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let configuration: HeraldConfiguration
            do {
                configuration = try HeraldConfiguration.load(file: global.configPath)
            } catch {
                throw CommandFailure("\(error.all.count) problem\(error.all.count == 1 ? "" : "s") in the configuration:\n\(error)")
            }
            let templates: TemplateLibrary
            do {
                templates = try TemplateLibrary(folder: configuration.templatesPath)
            } catch {
                throw CommandFailure("\(error)")
            }
            let problems = templates.problems(for: configuration)
            guard problems.isEmpty else {
                throw CommandFailure("\(problems.count) problem\(problems.count == 1 ? "" : "s") in the templates:\n" + problems.joined(separator: "\n"))
            }
            print("\(global.configPath): ok — \(configuration.channels.count) channels, \(templates.names.count) templates, storage \(configuration.storage)")
        }
    }
}
