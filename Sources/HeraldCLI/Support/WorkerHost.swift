import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import Logging
import ServiceLifecycle

/// Runs the workers in a `ServiceGroup` with graceful shutdown on SIGTERM/SIGINT: stop claiming,
/// finish and record what is in flight, give back leases, close channels and the store.
enum WorkerHost {
    /// - Parameter extra: more services for the same group (the HTTP API), given the store and the worker.
    static func run(
        options: GlobalOptions, label: String, jsonLogs: Bool = false,
        extra: (HeraldRuntime, any MessageStore, DeliveryWorker, Logger) throws -> [any Service] = { _, _, _, _ in [] }
    ) async throws {
        let runtime = try HeraldRuntime(options: options)
        let logger = HeraldRuntime.logger(label, json: jsonLogs)
        try await runtime.withStoreAndChannels { store, channels in
            let worker = runtime.makeWorker(store: store, channels: channels, logger: logger)
            let services = [worker] + (try extra(runtime, store, worker, logger))
            let group = ServiceGroup(
                configuration: .init(
                    services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
                )
            )
            try await group.run()
        }
    }
}
