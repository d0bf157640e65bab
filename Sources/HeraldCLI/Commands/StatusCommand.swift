import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore

/// `herald status [BROADCAST_ID] [--json]`
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Message counts by state, for one broadcast or the whole queue.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "A broadcast id (bc_…); omit for the whole queue.") var broadcastID: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let runtime = try HeraldRuntime(options: global)
        let report: StatusReport
        do {
            report = try await runtime.withStore { store in try await runtime.makeOperatorDesk(store: store).status(broadcast: broadcastID) }
        } catch let error as OperatorError {
            throw CommandFailure(error.description)
        }
        if json {
            try JSONOutput.print(report)
            return
        }
        print(broadcastID.map { "broadcast \($0)" } ?? "queue", "— \(report.counts.total) messages")
        for state in MessageState.allCases {
            print("  \(state.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(report.counts[state])")
        }
        if let channels = report.channels {
            print("channels (circuit, delivered, failed):")
            for channel in channels {
                let held = channel.heldBack.map { "  held back: \($0)" } ?? ""
                let canary = channel.canary.map { "  canary: \($0.summary)" } ?? ""
                print("  \(channel.name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(channel.circuit.rawValue) \(channel.delivered) \(channel.failed)\(held)\(canary)")
            }
        }
    }
}
