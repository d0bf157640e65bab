import Foundation
import HeraldCore
import Hummingbird
import NIOCore

/// Limits the endpoints anyone may call that change something (`/u/…`, `/inbound/…`,
/// `/status/subscribe…`) to `limit` requests per client address per `window`; beyond that, 429 with
/// `Retry-After` until the window ends.
struct PublicRateLimit: RouterMiddleware {
    typealias Context = APIRequestContext

    private let windows: RateWindows

    init(limit: Int = 30, window: TimeInterval = 60, clock: any WallClock) {
        windows = RateWindows(limit: limit, window: window, clock: clock)
    }

    /// Whether `path` is public and limited here: one-click unsubscribe, inbound SMS, and the status
    /// page's subscription form and confirmation links (the page itself is served from memory).
    static func isPublic(_ path: String) -> Bool {
        path.hasPrefix("/u/") || path.hasPrefix("/inbound/") || path == "/status/subscribe" || path.hasPrefix("/status/subscribe/")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isPublic(request.uri.path) else { return try await next(request, context) }
        if let retryAfter = windows.admit(context.clientAddress) { throw windows.problem(retryAfter: retryAfter, per: "address") }
        return try await next(request, context)
    }
}
