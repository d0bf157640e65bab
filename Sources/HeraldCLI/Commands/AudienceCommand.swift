import ArgumentParser
import Foundation
import HeraldDispatch

/// `herald audience import FILE [--segment NAME]` and `herald audience list [--segment NAME]`.
struct AudienceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audience", abstract: "Manage the stored recipients that --segment and --all broadcasts go to.",
        subcommands: [Import.self, List.self]
    )

    /// Upserts by id, streaming the file; every row is checked and a bad one imports nothing.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import", abstract: "Upsert recipients from a CSV or JSON Lines file, all or nothing."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "CSV (id,name,locale,email,phone,webhook,segments) or JSON Lines (.jsonl).") var file: String
        @Option(help: "Add every row to this segment too.") var segment: String?

        func run() async throws {
            let runtime = try HeraldRuntime(options: global)
            let count = try await runtime.withStore { store in try await RecipientImport(store: store, clock: runtime.clock).importFile(file, segment: segment) }
            print("imported \(count) recipients" + (segment.map { " (segment \($0))" } ?? ""))
        }
    }

    /// Prints stored recipients, one per line: `id<TAB>name<TAB>segments`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List stored recipients.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this segment.") var segment: String?
        @Option(help: "At most this many.") var limit = 100
        @Flag(help: "Print one JSON object per recipient.") var json = false

        func run() async throws {
            let runtime = try HeraldRuntime(options: global)
            let (recipients, total) = try await runtime.withStore { store in
                (try await store.recipients(segment: segment, after: nil, limit: limit), try await store.recipientCount(segment: segment))
            }
            for recipient in recipients {
                if json {
                    try JSONOutput.print(recipient)
                } else {
                    print([recipient.id, recipient.name, recipient.segments.joined(separator: ";")].joined(separator: "\t"))
                }
            }
            if total > recipients.count { FileHandle.standardError.write(Data("… \(total - recipients.count) more (--limit)\n".utf8)) }
        }
    }
}
