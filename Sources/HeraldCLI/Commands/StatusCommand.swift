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

    func run() async throws {
        let runtime = try HeraldRuntime(options: global)
        let (counts, channels) = try await runtime.withStore { store in
            if let broadcastID, try await store.notice(id: broadcastID) == nil { throw ValidationError("no broadcast with id '\(broadcastID)'") }
            return (try await store.counts(noticeID: broadcastID), broadcastID == nil ? try await store.channelReport(for: runtime.configuration) : nil)
        }
        if json {
            try JSONOutput.print(StatusReport(id: broadcastID, counts: counts, channels: channels))
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
}
