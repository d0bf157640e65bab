import Crypto
import Foundation
import HTTPTypes
import HeraldCore
import Hummingbird
import Synchronization

/// The public status page, answered without a token when `status_page` is configured: `/status`,
/// `/status/incidents/{id}`, `/status.json` and `/status/feed.atom`.
///
/// During an outage everyone reloads it, so every answer comes from memory: the incidents are read
/// from the store at most once per `StatusPageCache.lifetime`, each page is rendered once per board
/// and language, and answers carry `Cache-Control` and an `ETag` (`If-None-Match` → 304).
struct StatusPageRoutes {
    let services: APIServices
    let cache: StatusPageCache

    init(services: APIServices) {
        self.services = services
        self.cache = StatusPageCache(clock: services.clock)
    }

    /// Whether `path` is one of the page's: answered without a token.
    static func isPublic(_ path: String) -> Bool {
        path == "/status" || path == "/status.json" || path.hasPrefix("/status/")
    }

    func register(on router: Router<APIRequestContext>) {
        router.get("/status") { request, _ in try await answer(request, kind: .page) }
        router.get("/status.json") { request, _ in try await answer(request, kind: .json) }
        router.get("/status/feed.atom") { request, _ in try await answer(request, kind: .feed) }
        router.get("/status/incidents/:id") { request, context in try await answer(request, kind: .incident(try context.parameters.require("id"))) }
    }

    private func answer(_ request: Request, kind: StatusPageCache.Kind) async throws -> Response {
        guard let settings = services.configuration.statusPage else {
            throw Problem.notFound("the status page is not configured (status_page: in the configuration)")
        }
        let language = StatusPageRenderer.Language.pick(query: request.uri.queryParameters["lang"].map(String.init), acceptLanguage: request.headers[.acceptLanguage])
        let store = services.store
        let rendered = try await cache.answer(kind: kind, language: language) {
            StatusBoard(settings: settings, incidents: try await store.incidents(openOnly: false), now: services.clock.now())
        } render: { board in
            let renderer = StatusPageRenderer(timeZone: services.configuration.timeZone, subscribeURL: services.configuration.subscribeURL)
            switch kind {
            case .page: return renderer.page(board, language: language)
            case .feed: return renderer.feed(board)
            case .json: return String(decoding: try board.json(), as: UTF8.self)
            case .incident(let id):
                guard let entry = board.entry(id: id) else { return nil }
                return renderer.incident(entry, board: board, language: language)
            }
        }
        guard let rendered else { throw Problem.notFound("no incident '\(kind.incidentID ?? "")' on the status page") }
        var headers: HTTPFields = [
            .contentType: kind.contentType, .cacheControl: "public, max-age=\(Int(StatusPageCache.lifetime))", .eTag: rendered.etag,
            .vary: "Accept-Language",
        ]
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        if kind.isHTML {
            headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
        }
        if request.headers[.ifNoneMatch] == rendered.etag { return Response(status: .notModified, headers: headers) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: rendered.body))
    }
}

/// The status page's answers, kept in memory: the board is read again from the store once it is
/// older than `lifetime`, and each page is rendered once per board and language.
final class StatusPageCache: Sendable {
    /// What is asked for.
    enum Kind: Hashable, Sendable {
        case page, json, feed
        case incident(String)

        var contentType: String {
            switch self {
            case .page, .incident: "text/html; charset=utf-8"
            case .json: "application/json"
            case .feed: "application/atom+xml; charset=utf-8"
            }
        }

        var isHTML: Bool { contentType.hasPrefix("text/html") }

        var incidentID: String? {
            if case .incident(let id) = self { id } else { nil }
        }
    }

    /// A rendered answer and its entity tag.
    struct Rendered: Sendable {
        var body: ByteBuffer
        var etag: String
    }

    /// How long a board read from the store is served: a surge of readers costs the store one read per lifetime.
    static let lifetime: TimeInterval = 5

    private struct Key: Hashable {
        var kind: Kind
        var language: StatusPageRenderer.Language
    }

    private let clock: any WallClock
    private let state = Mutex<(board: StatusBoard?, readAt: Date?, pages: [Key: Rendered?])>((nil, nil, [:]))

    init(clock: any WallClock) {
        self.clock = clock
    }

    /// The answer for `kind` in `language`: from memory while the board is fresh, else rendered from a new board.
    /// - Returns: `nil` when `render` finds nothing to show (an incident the page does not list).
    func answer(
        kind: Kind, language: StatusPageRenderer.Language, read: () async throws -> StatusBoard, render: (StatusBoard) throws -> String?
    ) async throws -> Rendered? {
        let now = clock.now()
        let key = Key(kind: kind, language: kind == .json || kind == .feed ? .en : language)
        let (cached, board) = state.withLock { state -> (Rendered??, StatusBoard?) in
            guard let readAt = state.readAt, now.timeIntervalSince(readAt) < Self.lifetime else { return (nil, nil) }
            return (state.pages[key], state.board)
        }
        if let cached { return cached }
        let current: StatusBoard
        if let board {
            current = board
        } else {
            current = try await read()
            state.withLock { state in
                if state.board != current { state.pages = [:] }
                state.board = current
                state.readAt = now
            }
        }
        let rendered = try render(current).map { text in
            Rendered(body: ByteBuffer(string: text), etag: "\"\(SHA256.hash(data: Array(text.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined())\"")
        }
        state.withLock { $0.pages[key] = .some(rendered) }
        return rendered
    }
}
