import ArgumentParser
import Foundation
import HeraldCore
import HeraldStore

/// `herald status [BROADCAST_ID] [--json]`
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Message counts by state, for one broadcast or the whole queue.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "A broadcast id (bc_…); omit for the whole queue.") var broadcastID: String?
    @Flag(help: "Print JSON.") var json = false

    /// `status --json`: `{"id":…,"total":N,"queued":…,…}`; for the whole queue, `"channels"` is added.
    struct Report: Encodable {
        var id: String?
        var counts: StateCounts
        var channels: [ChannelSummary]?

        func encode(to encoder: any Encoder) throws {
            try counts.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encodeIfPresent(id, forKey: Key(stringValue: "id"))
            try container.encodeIfPresent(channels, forKey: Key(stringValue: "channels"))
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
        let channels = broadcastID == nil ? try await channelRows(store: store, configuration: runtime.configuration) : nil
        try await store.close()
        if json {
            try JSONOutput.print(Report(id: broadcastID, counts: counts, channels: channels))
            return
        }
        print(broadcastID.map { "broadcast \($0)" } ?? "queue", "— \(counts.total) messages")
        for state in MessageState.allCases {
            print("  \(state.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(counts[state])")
        }
        if let channels {
            print("channels (circuit, delivered, failed):")
            for channel in channels {
                print("  \(channel.name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(channel.circuit.rawValue) \(channel.delivered) \(channel.failed)")
            }
        }
    }

    /// Every configured channel, with its saved circuit state and counts (closed and zero when it has none yet).
    private func channelRows(store: any MessageStore, configuration: HeraldConfiguration) async throws -> [ChannelSummary] {
        let saved = Dictionary(uniqueKeysWithValues: try await store.channelSummaries().map { ($0.name, $0) })
        return configuration.channels.map { saved[$0.name] ?? ChannelSummary(name: $0.name, circuit: .closed, delivered: 0, failed: 0) }
    }
}
