import ArgumentParser
import Foundation
import HeraldCore
import HeraldDispatch
import HeraldStore
import HeraldTelemetry
import Logging
import ServiceLifecycle

/// Runs the workers in a `ServiceGroup` with graceful shutdown on SIGTERM/SIGINT: stop claiming,
/// finish and record what is in flight, give back leases, close channels and the store. A stop by
/// signal is a normal end: the process exits 0.
enum WorkerHost {
    /// What the host runs besides the worker.
    struct Extras {
        /// Services that start first (the HTTP server, which must bind before anything else starts).
        var first: [any Service] = []
        /// Services started with the worker once `ready` returns (the digest scheduler).
        var more: [any Service] = []
        /// Waits until the first services are up; `false` if they never came up.
        var ready: @Sendable () async -> Bool = { true }
    }

    /// - Parameter extras: more services for the same group, given the store, the worker and what they record.
    static func run(
        options: GlobalOptions, label: String, jsonLogs: Bool = false,
        extras: (HeraldRuntime, any MessageStore, DeliveryWorker, Logger, Observability) throws -> Extras = { _, _, _, _, _ in Extras() }
    ) async throws {
        let runtime = try HeraldRuntime(options: options)
        let logger = options.logger(label, json: jsonLogs)
        let observability = try Observability(configuration: runtime.configuration, logger: logger)
        try await runtime.withStoreAndChannels { store, channels in
            let worker = runtime.makeWorker(store: store, channels: channels, logger: logger, telemetry: observability.delivery(logger: logger))
            let extra = try extras(runtime, store, worker, logger, observability)
            let gated = ([worker] + extra.more).map { AfterReady($0, ready: extra.ready) as any Service }
            // Shut down in reverse order: the first services (the HTTP server) stop taking work first,
            // the span exporter stops last.
            let group = ServiceGroup(
                configuration: .init(
                    services: (observability.services + gated + extra.first).map { .init(service: $0) },
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
                )
            )
            try await group.run()
        }
    }
}

/// Runs a service only once `ready` says the services it depends on are up; if a graceful shutdown
/// comes first, or they never come up, it never starts.
struct AfterReady: Service {
    let service: any Service
    let ready: @Sendable () async -> Bool

    init(_ service: any Service, ready: @escaping @Sendable () async -> Bool) {
        self.service = service
        self.ready = ready
    }

    func run() async throws {
        let ready = self.ready
        guard await cancelWhenGracefulShutdown({ await ready() }), !Task.isCancelled else { return }
        try await service.run()
    }
}
