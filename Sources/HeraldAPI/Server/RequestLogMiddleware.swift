import Foundation
import HTTPTypes
import HeraldTelemetry
import Hummingbird
import Logging

/// Logs one line per request with its id, method, route, status and duration — never headers or
/// bodies, so tokens stay out of logs — and counts requests by route and status for `/metrics`.
/// Errors become problem+json here, so the log and the count see the status the client got.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let metrics: HeraldMetrics
    static let requestIDField = HTTPField.Name("X-Request-Id")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        // The caller's X-Request-Id when it sends a sane one, else Hummingbird's; logged and echoed back.
        var context = context
        let requestID: String
        if let given = request.headers.firstValue(Self.requestIDField), given.utf8.count <= 64, given.allSatisfy({ $0.isASCII && !$0.isWhitespace }) {
            requestID = given
            context.logger[metadataKey: "hb.request.id"] = .string(given)
        } else {
            requestID = context.logger[metadataKey: "hb.request.id"]?.description ?? RequestID().description
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = try Problem.answering(error, logger: context.logger).response(from: request, context: context)
        }
        let route = context.endpointPath ?? "unmatched"
        let elapsed = started.duration(to: .now)
        response.headers[Self.requestIDField] = requestID
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.info("\(request.method) \(route) \(response.status.code)", metadata: ["ms": "\(Int(milliseconds.rounded()))"])
        metrics.request(route: route, method: request.method.rawValue, status: response.status.code, duration: elapsed)
        return response
    }
}
