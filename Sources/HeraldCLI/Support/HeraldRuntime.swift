import Foundation
import HeraldChannels
import HeraldCore
import HeraldDispatch
import HeraldPostgres
import HeraldSQLite
import HeraldStore
import HeraldTelemetry
import Logging

/// The parts a command needs, built from the config: templates, store, channels, worker.
struct HeraldRuntime {
    let options: GlobalOptions
    let configPath: String
    let configuration: HeraldConfiguration
    let templates: TemplateLibrary
    let clock: any WallClock = SystemWallClock()

    init(options: GlobalOptions) throws {
        self.options = options
        configPath = options.configPath
        configuration = try HeraldConfiguration.load(file: configPath)
        templates = try TemplateLibrary(folder: configuration.templatesPath)
        // Templates Herald sends by itself, checked before anything runs.
        let own = [(configuration.subscribeURL != nil, "status_page.segment", SubscriptionDesk.template, "confirms subscriptions"),
                   (!configuration.canaries.isEmpty, "canaries", CanarySettings.template, "canaries and drills send")]
        for (needed, key, template, use) in own where needed && !templates.names.contains(template) {
            throw CommandFailure(
                "\(configPath): \(key): the templates folder '\(configuration.templatesPath)' has no '\(template)' template, which \(use) (Herald ships it in Templates/)"
            )
        }
    }

    /// Opens the store, runs it (its connection pool) beside `body`, and closes it whatever `body`
    /// did: the one place a command's store is opened, run and closed.
    func withStore<T>(_ body: (any MessageStore) async throws -> T) async throws -> T {
        let store = try await StoreFactory.open(configuration.storage, configFile: configPath)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            let result: T
            do { result = try await body(store) } catch {
                try? await store.close()
                throw error
            }
            try await store.close()
            return result
        }
    }

    /// - Parameter telemetry: what accepts record (`herald serve`'s metrics and spans); nothing by default.
    func makeIntake(store: any MessageStore, telemetry: NoticeIntake.Telemetry = .init()) -> NoticeIntake {
        NoticeIntake(configuration: configuration, templates: templates, store: store, clock: clock, telemetry: telemetry)
    }

    func makeOperatorDesk(store: any MessageStore) -> OperatorDesk {
        OperatorDesk(store: store, configuration: configuration, clock: clock)
    }

    func makeChannels() throws -> [ConfiguredChannel] {
        try ChannelFactory.make(configuration.channels, egress: configuration.egress, configFile: configPath)
    }

    /// Makes the channels, runs `body` with them, and shuts them down whatever `body` did: a
    /// connection pool still open when the process exits traps.
    func withChannels<T>(_ body: ([ConfiguredChannel]) async throws -> T) async throws -> T {
        let channels = try makeChannels()
        let result: T
        do { result = try await body(channels) } catch {
            for channel in channels { try? await channel.transport.shutdown() }
            throw error
        }
        for channel in channels { try? await channel.transport.shutdown() }
        return result
    }

    /// `withChannels` with the store opened first and closed last.
    func withStoreAndChannels<T>(_ body: (any MessageStore, [ConfiguredChannel]) async throws -> T) async throws -> T {
        try await withStore { store in try await withChannels { try await body(store, $0) } }
    }

    /// - Parameter telemetry: what deliveries record besides the log lines (`serve`'s and `work`'s metrics and spans).
    func makeWorker(store: any MessageStore, channels: [ConfiguredChannel], logger: Logger, telemetry: DeliveryTelemetry? = nil) -> DeliveryWorker {
        let pipeline = DeliveryPipeline(
            store: store, channels: channels, templates: templates, clock: clock,
            configuration: .init(retry: configuration.retry, circuit: configuration.circuit, unsubscribeLinks: configuration.unsubscribeLinks),
            telemetry: telemetry ?? DeliveryTelemetry(logger: logger)
        )
        let delivery = configuration.delivery
        return DeliveryWorker(
            store: store, pipeline: pipeline, clock: clock,
            configuration: .init(maxInFlight: delivery.concurrency, lease: delivery.lease, pollInterval: delivery.poll), logger: logger
        )
    }
}
