import HeraldCore
import HeraldStore
import Hummingbird

/// `GET /v1/channels`: each configured channel with its circuit and message counts.
struct ChannelRoutes {
    let services: APIServices

    func register(on router: Router<APIRequestContext>) {
        router.get("/v1/channels") { request, context in try await channels(request, context: context) }
    }

    struct ChannelRow: Encodable {
        var name: String
        var kind: String
        var circuit: String
        var delivered: Int
        var failed: Int
        var queued: Int
    }

    func channels(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.read)
        let summaries = try await services.store.channelReport(for: services.configuration)
        let rows = zip(services.configuration.channels, summaries).map { settings, summary in
            ChannelRow(
                name: settings.name, kind: settings.kind.rawValue, circuit: summary.circuit.rawValue, delivered: summary.delivered,
                failed: summary.failed, queued: summary.queued
            )
        }
        return try JSONBody.response(.ok, rows)
    }

}
