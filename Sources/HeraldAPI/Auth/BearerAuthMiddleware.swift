import Foundation
import Crypto
import HeraldCore
import Hummingbird

/// Authenticates `Authorization: Bearer <token>` against the configured tokens, on every path but the
/// open ones (`/healthz`, `/readyz`, `/metrics`, `/openapi.yaml`) and the public consent endpoints
/// (`PublicRateLimit.isPublic`: the unsubscribe link's signature, Twilio's signature are their authority)
/// and the status page (`StatusPageRoutes.isPublic`). Tokens are compared in constant time
/// (as SHA-256 digests, so the length leaks nothing either) and never logged.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    static let openPaths: Set<String> = ["/healthz", "/readyz", "/metrics", "/openapi.yaml"]

    private let tokens: [(digest: [UInt8], token: APIToken)]

    init(tokens: [APIToken]) {
        self.tokens = tokens.map { (Array(SHA256.hash(data: Array($0.token.value.utf8))), $0) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard !Self.openPaths.contains(path), !PublicRateLimit.isPublic(path), !StatusPageRoutes.isPublic(path) else {
            return try await next(request, context)
        }
        guard let presented = Self.bearer(request.headers.onlyValue(.authorization)), let token = match(presented) else {
            throw Problem.unauthorized
        }
        var context = context
        context.token = token
        return try await next(request, context)
    }

    /// The configured token equal to `presented`, checking every token whatever matches.
    private func match(_ presented: String) -> APIToken? {
        let digest = Array(SHA256.hash(data: Array(presented.utf8)))
        var found: APIToken?
        for entry in tokens where ConstantTime.equal(entry.digest, digest) {
            found = entry.token
        }
        return found
    }

    /// The token of `Bearer <token>` (the scheme in any case), without surrounding blanks.
    static func bearer(_ header: String?) -> String? {
        guard let header else { return nil }
        let bytes = header.utf8
        let scheme = "bearer ".utf8
        // ASCII letters compare case-insensitively with bit 0x20 set; the space is unchanged by it.
        guard bytes.count > scheme.count, zip(bytes, scheme).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
        let isBlank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        let rest = bytes.dropFirst(scheme.count)
        guard let first = rest.firstIndex(where: { !isBlank($0) }), let last = rest.lastIndex(where: { !isBlank($0) }) else { return nil }
        return String(header[first...last])
    }
}
