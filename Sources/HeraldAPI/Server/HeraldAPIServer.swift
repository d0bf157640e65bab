import Hummingbird
import Logging

/// The HTTP API as a Hummingbird application: a `Service` for the `ServiceGroup` of `herald serve`.
///
/// ```swift
/// let app = HeraldAPIServer.application(services: services, metrics: metrics, host: "127.0.0.1", port: 8080, logger: logger)
/// let group = ServiceGroup(services: [app, worker], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// ```
public enum HeraldAPIServer {
    /// Every route, behind request logging and bearer auth.
    public static func router(services: APIServices, metrics: HeraldMetrics) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: RequestLogMiddleware(metrics: metrics))
        router.add(middleware: BearerAuthMiddleware(tokens: services.configuration.http.tokens))
        OperationalRoutes(services: services, metrics: metrics).register(on: router)
        MessageRoutes(services: services).register(on: router)
        BroadcastRoutes(services: services).register(on: router)
        DirectoryRoutes(services: services).register(on: router)
        IncidentRoutes(services: services).register(on: router)
        return router
    }

    public static func application(
        services: APIServices, metrics: HeraldMetrics, host: String, port: Int, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(services: services, metrics: metrics),
            configuration: .init(address: .hostname(host, port: port), serverName: "Herald"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
