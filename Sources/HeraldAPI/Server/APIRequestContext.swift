import HeraldCore
import Hummingbird

/// Per-request state: Hummingbird's core context and the token that authenticated the request.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `BearerAuthMiddleware`; `nil` on the open endpoints.
    public var token: APIToken?
    /// The client's IP address, as the rate limit of the public endpoints counts it.
    public let clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// JSON bodies are capped at 1 MiB (413 beyond); recipient uploads stream past it.
    public var maxUploadSize: Int { APILimits.maximumBody }

    /// Throws 403 unless the request's token has `scope` (`admin` has every scope).
    func require(_ scope: APIToken.Scope) throws(Problem) {
        guard let token else { throw Problem.unauthorized }
        guard token.scopes.contains(scope) || token.scopes.contains(.admin) else {
            throw Problem(
                status: .forbidden, slug: "forbidden", title: "Forbidden",
                detail: "token '\(token.name)' lacks the '\(scope.rawValue)' scope"
            )
        }
    }
}

/// Request size limits.
public enum APILimits {
    /// The largest JSON body the API reads (1 MiB).
    public static let maximumBody = 1 << 20
    /// The largest recipient upload (streamed to a temporary file, never held in memory).
    public static let maximumRecipientUpload = 1 << 30
}
