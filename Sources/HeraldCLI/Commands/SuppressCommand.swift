import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore

/// `herald suppress add | remove | list | import`: the suppression list, through the same `ConsentDesk`
/// as `/v1/suppressions`.
struct SuppressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suppress", abstract: "Keep contact points from ever being sent to (unsubscribes, bounces, by hand).",
        subcommands: [Add.self, Remove.self, List.self, Import.self]
    )

    /// Runs `body` with a consent desk on the configured store.
    static func withDesk<T>(_ global: GlobalOptions, _ body: (ConsentDesk) async throws -> T) async throws -> T {
        let runtime = try HeraldRuntime(options: global)
        return try await runtime.withStore { store in
            try await body(ConsentDesk(store: store, configuration: runtime.configuration, clock: runtime.clock))
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suppress a contact point: an e-mail address, a phone number or a webhook URL.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The contact point.") var contact: String
        @Option(help: "Why: unsubscribed, bounced, gone, invalid, complained or manual.") var reason: SuppressionReason = .manual
        @Option(help: "A note kept with it.") var note: String?

        func run() async throws {
            let (entry, added) = try await SuppressCommand.withDesk(global) { desk in
                try await desk.add(contact, reason: reason, source: "cli", detail: note)
            }
            print(added ? "suppressed \(entry.contact) (\(entry.reason.rawValue))" : "\(entry.contact) was already suppressed (\(entry.reason.rawValue))")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift every suppression of a contact point (or only --reason).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The contact point.") var contact: String
        @Option(help: "Only this reason.") var reason: SuppressionReason?

        func run() async throws {
            let removed = try await SuppressCommand.withDesk(global) { desk in try await desk.remove(contact, reasons: reason.map { [$0] }) }
            guard removed > 0 else { throw CommandFailure("\(contact) is not on the suppression list\(reason.map { " for \($0.rawValue)" } ?? "")") }
            print("lifted \(removed) suppression\(removed == 1 ? "" : "s") of \(contact)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List suppressed contact points, in order.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "Start after this contact point.") var after: String?
        @Option(help: "At most this many contact points.") var limit = 1000
        @Flag(help: "Print JSON lines, one suppression each.") var json = false

        func run() async throws {
            let page = try await SuppressCommand.withDesk(global) { desk in try await desk.list(after: after, limit: limit) }
            for entry in page.entries {
                if json {
                    try JSONOutput.print(entry)
                } else {
                    let columns = [
                        entry.contact.value, entry.reason.rawValue, entry.source, entry.addedAt.formatted(.iso8601), entry.detail ?? "",
                    ]
                    print(columns.joined(separator: "\t"))
                }
            }
            if let next = page.next { FileHandle.standardError.write(Data("more: herald suppress list --after '\(next)'\n".utf8)) }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Suppress every contact point of a file: one per line, optionally ',reason' (default manual); all or none."
        )

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The file.") var file: String

        func run() async throws {
            let (added, total) = try await SuppressCommand.withDesk(global) { desk in try await desk.importFile(file) }
            print("suppressed \(added) new of \(total) in \(file)")
        }
    }
}

extension SuppressionReason: ExpressibleByArgument {}
