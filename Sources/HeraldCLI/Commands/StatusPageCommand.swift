import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore

/// `herald status-page export DIR`: the public status page as static files.
struct StatusPageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status-page", abstract: "The public status page, for hosting that does not share fate with the platform.",
        subcommands: [Export.self]
    )

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the status page (index.html, index.ko.html, incidents/, status.json, feed.atom) into a folder, replacing it whole."
        )

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The folder.") var directory: String

        func run() async throws {
            let runtime = try HeraldRuntime(options: global)
            guard let settings = runtime.configuration.statusPage else {
                throw CommandFailure("the configuration has no status_page: (title and services) to export")
            }
            let incidents = try await runtime.withStore { store in try await store.incidents(openOnly: false) }
            let export = StatusPageExport(settings: settings, timeZone: runtime.configuration.timeZone, subscribeURL: runtime.configuration.subscribeURL)
            let (directory, now) = (directory, runtime.clock.now())
            let files = try await BlockingWork.run { try export.write(incidents: incidents, now: now, to: directory) }
            print("wrote \(files) files to \(directory)")
        }
    }
}
