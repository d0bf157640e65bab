import Foundation
import Hummingbird

/// An RFC 9457 `application/problem+json` error: `type`, `title`, `status`, `detail`, and for
/// validation errors the bad fields as JSON pointers into the request body.
public struct Problem: HTTPResponseError, Sendable, Hashable {
    /// One bad field: `{"pointer": "/vars/service", "detail": "…"}`.
    public struct FieldError: Sendable, Hashable, Codable {
        public var pointer: String
        public var detail: String

        public init(pointer: String, detail: String) {
            self.pointer = pointer
            self.detail = detail
        }
    }

    public var status: HTTPResponse.Status
    /// The last part of the problem type URI (`urn:herald:problem:<slug>`).
    public var slug: String
    public var title: String
    public var detail: String
    public var errors: [FieldError]
    /// Extra response headers (`WWW-Authenticate`).
    public var headers: HTTPFields

    public init(status: HTTPResponse.Status, slug: String, title: String, detail: String, errors: [FieldError] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    /// 422 naming one field.
    /// One 422 naming several fields with the same detail (every missing variable at once).
    static func invalid(_ pointers: [String], _ detail: String, slug: String) -> Problem {
        Problem(
            status: .unprocessableContent, slug: slug, title: "The request is not valid", detail: detail,
            errors: pointers.map { FieldError(pointer: $0, detail: detail) }
        )
    }

    static func invalid(_ pointer: String, _ detail: String, slug: String = "validation") -> Problem {
        Problem(
            status: .unprocessableContent, slug: slug, title: "The request is not valid", detail: detail,
            errors: [FieldError(pointer: pointer, detail: detail)]
        )
    }

    static func notFound(_ what: String) -> Problem {
        Problem(status: .notFound, slug: "not-found", title: "Not found", detail: what)
    }

    static let unauthorized = Problem(
        status: .unauthorized, slug: "unauthorized", title: "Unauthorized",
        detail: "send a configured token as 'Authorization: Bearer <token>'", headers: [.wwwAuthenticate: "Bearer"]
    )

    /// With `Connection: close`: the rest of an over-long body is not read.
    static let tooLarge = Problem(
        status: .contentTooLarge, slug: "too-large", title: "Content too large", detail: "the body is over the 1 MiB limit",
        headers: [.connection: "close"]
    )

    struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var errors: [FieldError]?
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encodedBody())))
    }

    /// The problem+json document.
    func encodedBody() throws -> [UInt8] {
        try JSONBody.encode(Body(type: "urn:herald:problem:\(slug)", title: title, status: status.code, detail: detail, errors: errors.isEmpty ? nil : errors))
    }
}
