import HeraldStore
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

extension Problem {
    /// The problem+json a client gets for any error a route threw: Herald's own problems as they are;
    /// Hummingbird's bare errors (404 for an unknown path, 413, 400) with a body; an unparsable request
    /// a 400; a store that cannot take writes now a 503 with `Retry-After`; anything else a 500 whose
    /// cause goes to the log, never to the client.
    static func answering(_ error: any Error, logger: Logger) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case is NIOTooManyBytesError:
            return .tooLarge
        case let timeout as RequestBodyTimeout:
            return Problem(
                status: .requestTimeout, slug: "request-timeout", title: "Request timeout",
                detail: "the request body did not arrive within \(timeout.seconds) s", headers: [.connection: "close"]
            )
        case is HTTPParserError:
            return Problem(
                status: .badRequest, slug: "malformed-request", title: "Malformed request", detail: "the request could not be parsed as HTTP/1.1",
                headers: [.connection: "close"]
            )
        case let error as any HTTPResponseError:
            if error.status == .contentTooLarge { return .tooLarge }
            if error.status == .notFound { return .notFound("no such endpoint (see /openapi.yaml)") }
            return Problem(status: error.status, slug: "http-\(error.status.code)", title: error.status.reasonPhrase, detail: error.status.reasonPhrase)
        case let error where StoreFailure.isUnavailable(error):
            let reason = StoreFailure.plain(error)
            logger.warning("store unavailable", metadata: ["reason": "\(reason)"])
            return Problem(
                status: .serviceUnavailable, slug: "store-unavailable", title: "Store unavailable",
                detail: "\(reason); nothing was accepted, try again", headers: [.retryAfter: "5"]
            )
        default:
            logger.error("request failed", metadata: ["error": "\(error)"])
            return Problem(status: .internalServerError, slug: "internal", title: "Internal error", detail: "the request failed; see the server log")
        }
    }
}
