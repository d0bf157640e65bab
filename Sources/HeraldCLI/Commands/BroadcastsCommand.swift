import ArgumentParser
import Foundation
import HeraldCore
import HeraldStore

/// `herald broadcasts [--limit N] [--json]`: the newest broadcasts with their progress.
struct BroadcastsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "broadcasts", abstract: "List broadcasts, newest first, with their counts by state.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "At most this many.") var limit = 20
    @Flag(help: "Print one JSON object per broadcast, as `status BROADCAST_ID --json` with template and created_at.") var json = false

    func run() async throws {
        let runtime = try HeraldRuntime(options: global)
        let broadcasts = try await runtime.withStore { store in try await runtime.makeOperatorDesk(store: store).broadcasts(limit: limit) }
        for broadcast in broadcasts {
            let notice = broadcast.notice
            if json {
                try JSONOutput.print(BroadcastLine(broadcast))
            } else {
                let counts = broadcast.counts
                let progress = MessageState.allCases.filter { counts[$0] > 0 }.map { "\($0.rawValue) \(counts[$0])" }.joined(separator: ", ")
                print([notice.id, notice.createdAt.formatted(.iso8601), notice.template, "\(counts.total) messages", progress].joined(separator: "\t"))
            }
        }
    }

    /// One broadcast in `--json`: its status report with what it sent and when.
    struct BroadcastLine: Encodable {
        var report: StatusReport
        var template: String
        var createdAt: Date
        var priority: String

        init(_ broadcast: BroadcastSummary) {
            report = StatusReport(id: broadcast.notice.id, counts: broadcast.counts)
            template = broadcast.notice.template
            createdAt = broadcast.notice.createdAt
            priority = broadcast.notice.priority.rawValue
        }

        func encode(to encoder: any Encoder) throws {
            try report.encode(to: encoder)
            var container = encoder.container(keyedBy: NamedCodingKey.self)
            try container.encode(template, forKey: NamedCodingKey("template"))
            try container.encode(createdAt, forKey: NamedCodingKey("created_at"))
            try container.encode(priority, forKey: NamedCodingKey("priority"))
        }
    }
}
