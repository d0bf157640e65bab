import ArgumentParser
import Foundation
import HeraldCore

/// `herald status [BROADCAST_ID] [--json]`
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Message counts by state, for one broadcast or the whole queue.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "A broadcast id (bc_…); omit for the whole queue.") var broadcastID: String?
    @Flag(help: "Print JSON.") var json = false

    /// `status --json`: `{"id":…,"total":N,"queued":…,…}`.
    struct Report: Encodable {
        var id: String?
        var counts: StateCounts

        func encode(to encoder: any Encoder) throws {
            try counts.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encodeIfPresent(id, forKey: Key(stringValue: "id"))
        }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
    }

    func run() async throws {
        let runtime = try HeraldRuntime(options: global)
        let store = try runtime.openStore()
        if let broadcastID, try await store.notice(id: broadcastID) == nil {
            try await store.close()
            throw ValidationError("no broadcast with id '\(broadcastID)'")
        }
        let counts = try await store.counts(noticeID: broadcastID)
        try await store.close()
        if json {
            try JSONOutput.print(Report(id: broadcastID, counts: counts))
            return
        }
        print(broadcastID.map { "broadcast \($0)" } ?? "queue", "— \(counts.total) messages")
        for state in MessageState.allCases {
            print("  \(state.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(counts[state])")
        }
    }
}
