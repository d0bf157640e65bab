import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import ServiceLifecycle

/// `herald work` — delivery workers only, for scale-out nodes.
struct WorkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "work", abstract: "Run delivery workers until SIGTERM or SIGINT.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await WorkerHost.run(options: global, label: "herald.work")
    }
}

/// `herald serve` — for now the delivery workers; the HTTP API and digest scheduler join this process as they land.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the delivery workers (the HTTP API joins in a later release).")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await WorkerHost.run(options: global, label: "herald.serve")
    }
}

/// Runs the workers in a `ServiceGroup` with graceful shutdown on SIGTERM/SIGINT: stop claiming,
/// finish and record what is in flight, give back leases, close channels and the store.
enum WorkerHost {
    static func run(options: GlobalOptions, label: String) async throws {
        let runtime = try HeraldRuntime(options: options)
        let logger = HeraldRuntime.logger(label)
        let store = try runtime.openStore()
        let channels = try runtime.makeChannels()
        let worker = runtime.makeWorker(store: store, channels: channels, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: worker)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        var failure: (any Error)?
        do { try await group.run() } catch { failure = error }
        // Connection pools are closed on every path, or their clients would trap at exit.
        for channel in channels.values { try? await channel.shutdown() }
        try? await store.close()
        if let failure { throw failure }
    }
}
