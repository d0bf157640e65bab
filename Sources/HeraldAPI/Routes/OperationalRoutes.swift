import Foundation
import HeraldCore
import HeraldStore
import HeraldTelemetry
import Hummingbird

/// `GET /healthz` (the process is up), `/readyz` (the store answers and the workers run), `/metrics`
/// (Prometheus text) and `/openapi.yaml` — all without a token.
struct OperationalRoutes {
    let services: APIServices
    let metrics: HeraldMetrics

    func register(on router: Router<APIRequestContext>) {
        router.get("/healthz") { _, _ in try JSONBody.response(.ok, ["status": "ok"]) }
        router.get("/readyz") { _, _ in try await ready() }
        router.get("/metrics") { _, _ in
            let text = try await metrics.scrape(store: services.store, configuration: services.configuration, now: services.clock.now())
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text))
            )
        }
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
    }

    /// How long `/readyz` waits for the store before it answers 503.
    static let storeDeadline: Duration = .seconds(2)

    func ready() async throws -> Response {
        var problems: [String] = []
        let store = services.store
        let now = services.clock.now()
        switch await Deadline.race(Self.storeDeadline, clock: services.clock, { try await store.checkWritable(now: now) }) {
        case .finished: break
        case .failed(let error): problems.append("the store cannot take writes (\(StoreFailure.plain(error)))")
        case .timedOut: problems.append("the store did not answer within \(Self.storeDeadline)")
        }
        if !services.workersRunning() { problems.append("the delivery workers are not running") }
        guard problems.isEmpty else {
            throw Problem(status: .serviceUnavailable, slug: "not-ready", title: "Not ready", detail: problems.joined(separator: "; "))
        }
        return try JSONBody.response(.ok, ["status": "ready"])
    }
}
