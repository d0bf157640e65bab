import HeraldTelemetry
import Hummingbird
import HummingbirdCore
import Logging

/// The HTTP API as a Hummingbird application: a `Service` for the `ServiceGroup` of `herald serve`.
///
/// ```swift
/// let app = HeraldAPIServer.application(services: services, metrics: metrics, host: "127.0.0.1", port: 8080, logger: logger)
/// let group = ServiceGroup(services: [app, worker], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// ```
public enum HeraldAPIServer {
    /// Every route, behind request logging and bearer auth, and a 405 for each other method of their paths.
    public static func router(services: APIServices, metrics: HeraldMetrics) -> Router<APIRequestContext> {
        let router = endpoints(services: services, metrics: metrics)
        answerOtherMethods(on: router)
        return router
    }

    /// The documented routes (each is in `openapi.yaml`).
    static func endpoints(services: APIServices, metrics: HeraldMetrics) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: RequestLogMiddleware(metrics: metrics))
        router.add(middleware: PublicRateLimit(clock: services.clock))
        router.add(middleware: BearerAuthMiddleware(tokens: services.configuration.http.tokens))
        OperationalRoutes(services: services, metrics: metrics).register(on: router)
        MessageRoutes(services: services).register(on: router)
        BroadcastRoutes(services: services).register(on: router)
        ChannelRoutes(services: services).register(on: router)
        DirectoryRoutes(services: services).register(on: router)
        IncidentRoutes(services: services).register(on: router)
        SuppressionRoutes(services: services).register(on: router)
        ConsentRoutes(services: services).register(on: router)
        StatusPageRoutes(services: services).register(on: router)
        SubscriptionRoutes(services: services).register(on: router)
        return router
    }

    /// A known path with a method it does not have is a 405 problem listing the ones it has in
    /// `Allow`, not the 404 Hummingbird gives for it.
    static func answerOtherMethods(on router: Router<APIRequestContext>) {
        let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete]
        let byPath = Dictionary(grouping: router.routes, by: { $0.path.description })
        for (_, routes) in byPath {
            let allowed = routes.map(\.method)
            let allow = allowed.map(\.rawValue).joined(separator: ", ")
            for method in methods where !allowed.contains(method) {
                router.on(routes[0].path, method: method) { _, _ -> Response in
                    throw Problem(
                        status: .methodNotAllowed, slug: "method-not-allowed", title: "Method not allowed",
                        detail: "this endpoint takes \(allow)", headers: [.allow: allow]
                    )
                }
            }
        }
    }

    public static func application(
        services: APIServices, metrics: HeraldMetrics, host: String, port: Int, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let wanted = services.configuration.http.maxConnections
        let budget = FileDescriptorBudget.connections(wanted: wanted)
        if budget < wanted {
            logger.warning("http.max_connections is \(wanted) but the file-descriptor limit allows \(budget); serving at most \(budget) (raise ulimit -n)")
        }
        return Application(
            router: router(services: services, metrics: metrics),
            server: server(limits: HTTPLimits(maxConnections: budget)),
            configuration: .init(address: .hostname(host, port: port), serverName: "Herald"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    /// HTTP/1.1 with the exposure limits: at most `limits.maxConnections` open connections, and the
    /// header, body and idle timeouts (`RequestDeadlineHandler`).
    public static func server(limits: HTTPLimits) -> HTTPServerBuilder {
        let gate = ConnectionGate(limit: limits.maxConnections)
        return HTTPServerBuilder { responder in
            GatedHTTP1Channel(
                base: HTTP1Channel(
                    responder: responder,
                    configuration: .init(additionalChannelHandlers: [RequestDeadlineHandler(limits: limits)], idleTimeout: limits.idleTimeout)
                ),
                gate: gate
            )
        }
    }
}
