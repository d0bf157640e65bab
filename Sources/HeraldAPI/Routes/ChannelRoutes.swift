import HeraldCore
import HeraldStore
import Hummingbird

/// `GET /v1/channels`: each configured channel with its circuit and message counts.
struct ChannelRoutes {
    let services: APIServices

    func register(on router: Router<APIRequestContext>) {
        router.get("/v1/channels") { request, context in try await channels(request, context: context) }
    }

    func channels(_ request: Request, context: APIRequestContext) async throws -> Response {
        try context.require(.read)
        return try JSONBody.response(.ok, try await services.operatorDesk.channels())
    }
}
