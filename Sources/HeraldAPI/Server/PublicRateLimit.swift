import Foundation
import HeraldCore
import Hummingbird
import NIOCore
import Synchronization

/// Limits the endpoints anyone may call (`/u/…`, `/inbound/…`) to `limit` requests per client
/// address per `window`; beyond that, 429 with `Retry-After` until the window ends. Addresses are
/// forgotten when their window ends, and all at once past 10,000, so memory stays bounded.
struct PublicRateLimit: RouterMiddleware {
    typealias Context = APIRequestContext

    let limit: Int
    let window: TimeInterval
    let clock: any WallClock
    private let windows = Windows()

    /// Each address's current window: when it began and how many requests it has had.
    private final class Windows: Sendable {
        let entries = Mutex<[String: (start: Date, count: Int)]>([:])
    }

    init(limit: Int = 30, window: TimeInterval = 60, clock: any WallClock) {
        self.limit = limit
        self.window = window
        self.clock = clock
    }

    /// Whether `path` is public: served without a token, and limited here.
    static func isPublic(_ path: String) -> Bool {
        path.hasPrefix("/u/") || path.hasPrefix("/inbound/")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isPublic(request.uri.path) else { return try await next(request, context) }
        let now = clock.now()
        let retryAfter = windows.entries.withLock { windows -> Int? in
            if windows.count >= 10_000 { windows = windows.filter { now.timeIntervalSince($0.value.start) < window } }
            if windows.count >= 10_000 { windows.removeAll(keepingCapacity: true) }
            let address = context.clientAddress
            var entry: (start: Date, count: Int) = windows[address].flatMap { now.timeIntervalSince($0.start) < window ? $0 : nil } ?? (now, 0)
            entry.count += 1
            windows[address] = entry
            guard entry.count > limit else { return nil }
            return max(1, Int((window - now.timeIntervalSince(entry.start)).rounded(.up)))
        }
        if let retryAfter {
            throw Problem(
                status: .tooManyRequests, slug: "rate-limited", title: "Too many requests",
                detail: "at most \(limit) requests per \(Int(window)) s from one address; try again in \(retryAfter) s",
                headers: [.retryAfter: String(retryAfter)]
            )
        }
        return try await next(request, context)
    }
}
