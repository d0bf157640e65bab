import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import Logging
import ServiceLifecycle

/// `herald work` — delivery workers only, for scale-out nodes.
struct WorkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "work", abstract: "Run delivery workers until SIGTERM or SIGINT (then exit 0).")
    @OptionGroup var global: GlobalOptions
    @Flag(
        help: """
            Deliver every message due now, and whatever falls due meanwhile, then exit; messages waiting for a later \
            retry stay queued. Messages another worker holds are waited for (at most one lease period): if that \
            worker died, they are delivered too.
            """
    )
    var drain = false
    @Flag(help: "Log one JSON object per line.") var json = false

    func run() async throws {
        guard drain else { return try await WorkerHost.run(options: global, label: "herald.work", jsonLogs: json) }
        let runtime = try HeraldRuntime(options: global)
        let processed = try await runtime.withStoreAndChannels { store, channels in
            try await runtime.makeWorker(store: store, channels: channels, logger: global.logger("herald.work", json: json)).drainIncludingAbandoned()
        }
        print("processed \(processed)")
    }
}
